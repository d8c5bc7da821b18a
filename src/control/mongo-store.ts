// ControlStore in a MongoDB collection: one document per tenant (`_id` = tenant id), writes guarded by revision.
import type { Document } from "mongodb";
import type { BackendCollection } from "../backend/types";
import { StaleOverrideRevisionError } from "./types";
import type { ControlStore, TenantOverride } from "./types";

/** A stored override document that is not a valid TenantOverride (hand-edited, or written by another version). */
export class InvalidOverrideError extends Error {
  override readonly name = "InvalidOverrideError";
  constructor(
    /** `_id` of the offending document. */
    readonly documentId: string,
    readonly reason: string,
  ) {
    super(`control document [${documentId}] is not a valid override: ${reason}`);
  }
}

function parseOverride(doc: Document): TenantOverride {
  const id = String(doc._id);
  const fail = (reason: string): never => {
    throw new InvalidOverrideError(id, reason);
  };
  if (typeof doc.tenantId !== "string" || doc.tenantId !== doc._id) fail("tenantId must be a string equal to _id");
  if (doc.writes !== "open" && doc.writes !== "frozen") fail("writes must be open or frozen");
  if (doc.routeTo !== "current" && doc.routeTo !== "target") fail("routeTo must be current or target");
  if (typeof doc.moveId !== "string") fail("moveId must be a string");
  if (typeof doc.revision !== "number" || !Number.isSafeInteger(doc.revision)) fail("revision must be an integer");
  if (typeof doc.updatedAt !== "string") fail("updatedAt must be a string");
  return {
    tenantId: doc.tenantId as string,
    writes: doc.writes as TenantOverride["writes"],
    routeTo: doc.routeTo as TenantOverride["routeTo"],
    moveId: doc.moveId as string,
    revision: doc.revision as number,
    updatedAt: doc.updatedAt as string,
  };
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * A ControlStore over a collection the mover and every resolver can reach (the connection map's `control` location,
 * `tenantry.overrides` on the registry's first shared cluster). Revision guard: the upsert filters on
 * `revision <= new`; when a newer revision is stored the filter misses, the upsert collides on `_id`, and the duplicate
 * key error becomes a StaleOverrideRevisionError.
 */
export function collectionControlStore(collection: BackendCollection): ControlStore {
  return {
    async readAll() {
      const docs = await collection.find({}).toArray();
      return new Map(docs.map((doc) => {
        const o = parseOverride(doc);
        return [o.tenantId, o] as const;
      }));
    },
    async write(override) {
      const { tenantId, writes, routeTo, moveId, revision, updatedAt } = override;
      try {
        await collection.updateOne(
          { _id: tenantId as never, revision: { $lte: revision } },
          { $set: { tenantId, writes, routeTo, moveId, revision, updatedAt } },
          { upsert: true },
        );
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const current = await collection.findOne({ _id: tenantId as never });
        throw new StaleOverrideRevisionError(tenantId, revision, typeof current?.revision === "number" ? current.revision : undefined);
      }
    },
    async remove(tenantId) {
      await collection.deleteOne({ _id: tenantId as never });
    },
  };
}
