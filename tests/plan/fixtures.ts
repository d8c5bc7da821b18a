// Hand-made connection maps for diff and rendering tests: a small valid map and helpers to vary one tenant.
import type { ClusterEntry, ConnectionMap, Route, TenantEntry } from "../../packages/contract/src/connection-map/schema";

export const CLUSTERS: Record<string, ClusterEntry> = {
  "shared:app-eu": { name: "app-eu", kind: "shared", srvHost: "app-eu.ab12c.mongodb.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "eu" },
  "shared:app-eu-2": { name: "app-eu-2", kind: "shared", srvHost: "app-eu-2.ab12c.mongodb.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "eu" },
  "shared:app-us": { name: "app-us", kind: "shared", srvHost: "app-us.ab12c.mongodb.net", region: "US_EAST_1", awsRegion: "us-east-1", residency: "us" },
  "silo:acme": { name: "t-acme", kind: "silo", srvHost: "t-acme.cd34e.mongodb.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "eu" },
};

/** A route of a tenant at a stage on a cluster, with the naming rules of src/naming.ts. */
export function route(id: string, stage: Route["stage"], cluster: string, database = "app"): Route {
  const coll = (logical: string) => (stage === "bridge" ? `t_${id}__${logical}` : logical);
  const credential = stage === "pool" ? `${cluster}` : `tenant:${id}`;
  return { stage, cluster, credential, database, collections: { orders: coll("orders"), notes: coll("notes") } };
}

export function tenant(id: string, stage: Route["stage"], cluster: string, extra: Partial<TenantEntry> = {}): TenantEntry {
  return {
    ...route(id, stage, cluster),
    status: "active",
    residency: cluster.includes("us") ? "us" : "eu",
    partition: { tenantField: "tenant_id", tenantValue: id, userField: "user_id" },
    ...extra,
  };
}

/** A connection map holding the given tenants (credentials derived from their routes). */
export function makeMap(tenants: TenantEntry[], clusters: Record<string, ClusterEntry> = CLUSTERS): ConnectionMap {
  const credentials: ConnectionMap["credentials"] = {};
  for (const t of tenants) {
    for (const r of [t, ...(t.target ? [t.target] : [])]) {
      credentials[r.credential] = { kind: "aws-secrets-manager", secretArn: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${r.credential}-AbCdEf`, region: "eu-central-1" };
    }
  }
  return {
    version: 1,
    environment: "dev",
    clusters,
    credentials,
    collections: { orders: { scope: "tenant" }, notes: { scope: "user" } },
    tenants: Object.fromEntries(tenants.map((t) => [t.partition.tenantValue, t])),
  };
}
