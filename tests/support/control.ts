// Writes move state documents by hand (what the mover writes at the control location), for resolver-side tests.
import type { BackendCollection } from "../../packages/contract/src/backend/types";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { MOVE_DOCUMENT_KIND } from "../../packages/resolver/src/control/mongo-store";
import { routeIdentity } from "../../packages/contract/src/control/route";
import type { TenantOverride } from "../../packages/contract/src/control/types";

/** Upserts the override part of a tenant's move state document; routes are the map entry's (target: itself when absent). */
export async function writeMoveOverride(collection: BackendCollection, map: ConnectionMap, override: Pick<TenantOverride, "tenantId" | "writes" | "routeTo" | "revision">): Promise<void> {
  const entry = map.tenants[override.tenantId];
  if (!entry) throw new Error(`no tenant ${override.tenantId} in the map`);
  const routes = { source: routeIdentity(entry), target: routeIdentity(entry.target ?? entry) };
  await collection.replaceOne(
    { _id: override.tenantId as never },
    {
      kind: MOVE_DOCUMENT_KIND,
      tenantId: override.tenantId,
      moveId: `${override.tenantId}@test`,
      state: override.routeTo === "target" ? "cutover" : "frozen",
      revision: override.revision,
      updatedAt: "2026-11-28T12:00:00Z",
      route: { writes: override.writes, to: override.routeTo === "target" ? "target" : "source" },
      routes,
    },
    { upsert: true },
  );
}
