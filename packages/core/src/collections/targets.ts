// Where collections live, from the connection map: each shared cluster's pool collections once, and every bridge and
// silo tenant's own collections (current route and a declared move's target).
import type { ClusterEntry, ConnectionMap, CredentialRef, Route } from "@tenantry/contract/connection-map/schema";
import type { Holder } from "./desired";

/** One database whose collections `applyCollections` manages, reached through one credential. */
export interface CollectionTarget {
  /** `pool on shared:us-1`, `bridge acme on shared:us-1`, `silo acme on silo:acme` */
  label: string;
  holder: Holder;
  route: Route;
  cluster: ClusterEntry;
  credentialRef: CredentialRef;
}

/** A `--tenant` the connection map does not hold. */
export class UnknownCollectionsTenantError extends Error {
  override readonly name = "UnknownCollectionsTenantError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is not in the connection map`);
  }
}

/**
 * The targets of the whole map, or of one tenant (a pool tenant: the pool collections of its shared clusters). Pool
 * routes on one cluster and database share their collections, so they make one target, reached with the credential
 * of the first pool route there (the shared application user).
 */
export function collectionTargets(map: ConnectionMap, tenantId?: string): CollectionTarget[] {
  if (tenantId !== undefined && !map.tenants[tenantId]) throw new UnknownCollectionsTenantError(tenantId);
  const targets: CollectionTarget[] = [];
  const pools = new Set<string>();
  const ids = tenantId === undefined ? Object.keys(map.tenants).sort() : [tenantId];
  for (const id of ids) {
    const tenant = map.tenants[id];
    if (!tenant) continue;
    for (const route of tenant.target ? [tenant, tenant.target] : [tenant]) {
      const cluster = map.clusters[route.cluster] as ClusterEntry;
      const credentialRef = map.credentials[route.credential] as CredentialRef;
      const plain: Route = { stage: route.stage, cluster: route.cluster, credential: route.credential, database: route.database, collections: route.collections };
      if (route.stage === "pool") {
        const key = `${route.cluster}\u0000${route.database}`;
        if (pools.has(key)) continue;
        pools.add(key);
        targets.push({ label: `pool on ${route.cluster}`, holder: { stage: "pool" }, route: plain, cluster, credentialRef });
      } else {
        targets.push({ label: `${route.stage} ${id} on ${route.cluster}`, holder: { stage: route.stage, tenantId: id }, route: plain, cluster, credentialRef });
      }
    }
  }
  return targets;
}
