// ControlStore over the control collection: reads the route override out of each move's state document.
import type { Document } from "mongodb";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import type { ControlStore, TenantOverride } from "@tenantry/contract/control/types";

/** A stored move state document whose override part is malformed (hand-edited, or written by another version). */
export class InvalidOverrideError extends Error {
  override readonly name = "InvalidOverrideError";
  constructor(
    /** `_id` of the offending document. */
    readonly documentId: string,
    readonly reason: string,
  ) {
    super(`control document [${documentId}] is not a valid move state: ${reason}`);
  }
}

/** `kind` of a move state document in the control collection (other kinds there are ignored by resolvers). */
export const MOVE_DOCUMENT_KIND = "move";

/** The fields of a move state document a resolver reads: nothing else crosses the wire at every poll. */
export const OVERRIDE_PROJECTION = { tenantId: 1, kind: 1, moveId: 1, revision: 1, updatedAt: 1, route: 1, routes: 1 } as const;

/**
 * The override a move state document sets, or undefined when it sets none (`route: null`: terminal states).
 * The document's shape is written by src/mover/store.ts: `route` is `{ writes, to: "source" | "target" }` or null.
 */
export function overrideOfDocument(doc: Document): TenantOverride | undefined {
  const id = String(doc._id);
  const fail = (reason: string): never => {
    throw new InvalidOverrideError(id, reason);
  };
  if (typeof doc.tenantId !== "string" || doc.tenantId !== doc._id) fail("tenantId must be a string equal to _id");
  if (typeof doc.revision !== "number" || !Number.isSafeInteger(doc.revision)) fail("revision must be an integer");
  if (doc.route === null || doc.route === undefined) return undefined;
  const route = doc.route as Document;
  if (route.writes !== "open" && route.writes !== "frozen") fail("route.writes must be open or frozen");
  if (route.to !== "source" && route.to !== "target") fail("route.to must be source or target");
  if (typeof doc.moveId !== "string") fail("moveId must be a string");
  if (typeof doc.updatedAt !== "string") fail("updatedAt must be a string");
  const routes = doc.routes as Document | undefined;
  if (!routes || typeof routes.source !== "string" || typeof routes.target !== "string") fail("routes must name source and target");
  return {
    tenantId: doc.tenantId as string,
    writes: route.writes as TenantOverride["writes"],
    routeTo: route.to === "target" ? "target" : "current",
    moveId: doc.moveId as string,
    revision: doc.revision as number,
    updatedAt: doc.updatedAt as string,
    routes: { source: routes?.source as string, target: routes?.target as string },
  };
}

/**
 * A ControlStore over the collection the mover and every resolver can reach (the connection map's `control` location,
 * `tenantry.overrides` on the registry's first shared cluster): one move state document per tenant, `_id` = tenant id.
 */
export function collectionControlStore(collection: BackendCollection): ControlStore {
  return {
    async readAll() {
      const docs = await collection.find({ kind: MOVE_DOCUMENT_KIND }, { projection: OVERRIDE_PROJECTION }).toArray();
      const out = new Map<string, TenantOverride>();
      for (const doc of docs) {
        const o = overrideOfDocument(doc);
        if (o) out.set(o.tenantId, o);
      }
      return out;
    },
  };
}
