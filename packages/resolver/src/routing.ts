// Compiles a validated connection map into per-tenant routing tables, once per load, so resolving costs a map lookup.
import type { ClusterEntry, ConnectionMap, CredentialRef, Route } from "@tenantry/contract/connection-map/schema";
import { routeIdentity } from "@tenantry/contract/control/route";
import type { RouteIdentity } from "@tenantry/contract/control/types";

/** Where a tenant's data is, as an application may see it (no hosts, no credentials). */
export interface RouteInfo {
  readonly stage: "pool" | "bridge" | "silo";
  /** Connection-map key of the cluster, e.g. `shared:app-eu` or `silo:acme`. */
  readonly cluster: string;
  readonly database: string;
}

/** One route, ready to use: physical names and the client key precomputed. */
export interface CompiledRoute {
  readonly info: RouteInfo;
  readonly clusterKey: string;
  readonly cluster: ClusterEntry;
  readonly credentialKey: string;
  readonly credentialRef: CredentialRef;
  readonly database: string;
  /** Logical → physical collection name. */
  readonly physical: ReadonlyMap<string, string>;
  /**
   * Identity of the client this route uses: cluster and credential keys plus what the client is built from, so a
   * reload that changes a host or a secret opens a new client instead of reusing a stale one.
   */
  readonly clientKey: string;
  /** Shared by several tenants (a shared cluster's app user): never evicted by the LRU. */
  readonly pinned: boolean;
  /** Where the documents are (stage, cluster, database, collections): what a move's override names. */
  readonly identity: RouteIdentity;
}

export interface CompiledTenant {
  readonly id: string;
  readonly status: "active" | "frozen" | "offboarding";
  readonly tenantField: string;
  readonly userField: string;
  readonly current: CompiledRoute;
  readonly target: CompiledRoute | undefined;
}

/** The map's control location, ready to poll through the resolver's own client pool. */
export interface CompiledControl {
  /** The client to read it with: the control cluster and its credential (always pinned). */
  readonly route: CompiledRoute;
  readonly database: string;
  readonly collection: string;
  /** Equal identities mean the same store: a reload keeps polling it instead of starting over. */
  readonly identity: string;
}

export interface CompiledMap {
  readonly map: ConnectionMap;
  readonly tenants: ReadonlyMap<string, CompiledTenant>;
  /** Logical collection → its scope. */
  readonly collections: ReadonlyMap<string, "tenant" | "user">;
  readonly declared: readonly string[];
  /** Every client key some route (or the control location) uses. */
  readonly clientKeys: ReadonlySet<string>;
  /** The map's `control`, when it declares one. */
  readonly control: CompiledControl | undefined;
}

function clientKeyOf(route: Pick<Route, "cluster" | "credential">, map: ConnectionMap): string {
  const cluster = map.clusters[route.cluster] as ClusterEntry;
  const ref = map.credentials[route.credential] as CredentialRef;
  return [route.cluster, route.credential, cluster.srvHost, ref.secretArn, ref.region].join("\u0000");
}

/** Counts the control location as one more user of its client, so that client is pinned for the routes sharing it. */
const CONTROL_USER = "\u0000control";

/** Compiles a map that already passed the ConnectionMap schema (its cross-references are known to hold). */
export function compileMap(map: ConnectionMap): CompiledMap {
  const usage = new Map<string, Set<string>>();
  for (const [id, tenant] of Object.entries(map.tenants)) {
    for (const route of tenant.target ? [tenant, tenant.target] : [tenant]) {
      const key = clientKeyOf(route, map);
      let users = usage.get(key);
      if (!users) usage.set(key, (users = new Set()));
      users.add(id);
    }
  }
  if (map.control) {
    const key = clientKeyOf(map.control, map);
    let users = usage.get(key);
    if (!users) usage.set(key, (users = new Set()));
    users.add(CONTROL_USER);
  }
  const compileRoute = (route: Route): CompiledRoute => {
    const clientKey = clientKeyOf(route, map);
    return {
      info: Object.freeze({ stage: route.stage, cluster: route.cluster, database: route.database }),
      clusterKey: route.cluster,
      cluster: map.clusters[route.cluster] as ClusterEntry,
      credentialKey: route.credential,
      credentialRef: map.credentials[route.credential] as CredentialRef,
      database: route.database,
      physical: new Map(Object.entries(route.collections)),
      clientKey,
      pinned: (usage.get(clientKey)?.size ?? 0) > 1,
      identity: routeIdentity(route),
    };
  };
  const tenants = new Map<string, CompiledTenant>();
  for (const [id, tenant] of Object.entries(map.tenants)) {
    tenants.set(id, {
      id,
      status: tenant.status,
      tenantField: tenant.partition.tenantField,
      userField: tenant.partition.userField,
      current: compileRoute(tenant),
      target: tenant.target ? compileRoute(tenant.target) : undefined,
    });
  }
  const collections = new Map(Object.entries(map.collections).map(([name, c]) => [name, c.scope] as const));
  let control: CompiledControl | undefined;
  if (map.control) {
    const { database, collection } = map.control;
    // The route of the control client: no tenant's, so no collections; polled every refreshMs, hence always pinned.
    const route = { ...compileRoute({ stage: "pool", cluster: map.control.cluster, credential: map.control.credential, database, collections: {} }), pinned: true };
    control = { route, database, collection, identity: [route.clientKey, database, collection].join("\u0000") };
  }
  return { map, tenants, collections, declared: [...collections.keys()].sort(), clientKeys: new Set(usage.keys()), control };
}
