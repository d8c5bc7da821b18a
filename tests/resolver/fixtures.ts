// A connection map with two tenants at each stage (pool, bridge, silo) and the declared collections the suites use.
import type { ConnectionMap, TenantEntry } from "../../packages/contract/src/connection-map/schema";

export const COLLECTIONS = {
  users: { scope: "tenant" },
  groups: { scope: "tenant" },
  notes: { scope: "user" },
} as const;

export type Stage = "pool" | "bridge" | "silo";

/** Two tenants per stage: `a` and `b` are what the isolation suites compare. */
export const PAIRS: Readonly<Record<Stage, { a: string; b: string }>> = {
  pool: { a: "acme", b: "beta" },
  bridge: { a: "brava", b: "bravo" },
  silo: { a: "sigma", b: "sierra" },
};

function physical(stage: Stage, tenantId: string): Record<string, string> {
  return Object.fromEntries(Object.keys(COLLECTIONS).map((name) => [name, stage === "bridge" ? `t_${tenantId}__${name}` : name]));
}

function tenant(id: string, stage: Stage, database: string, status: TenantEntry["status"] = "active"): TenantEntry {
  const silo = stage === "silo";
  return {
    stage,
    cluster: silo ? `silo:${id}` : "shared:eu",
    credential: stage === "pool" ? "shared:eu" : `tenant:${id}`,
    database,
    collections: physical(stage, id),
    status,
    residency: "eu",
    partition: { tenantField: "tenant_id", tenantValue: id, userField: "user_id" },
  };
}

const cluster = (name: string, kind: "shared" | "silo") => ({
  name,
  kind,
  srvHost: `${name}.abcde.mongodb.net`,
  region: "EU_WEST_1",
  awsRegion: "eu-west-1",
  residency: "eu",
});

const secret = (name: string) => ({ kind: "aws-secrets-manager" as const, secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`, region: "eu-west-1" });

/**
 * The test map. `database` maps a base name to the physical database (unique per run on a real server); silos get
 * their own database so the suites also hold when every cluster is the same real server.
 */
export function testMap(database: (base: string) => string = (b) => b, extra: Record<string, TenantEntry> = {}): ConnectionMap {
  const shared = database("app");
  const tenants: Record<string, TenantEntry> = {};
  for (const stage of ["pool", "bridge", "silo"] as const) {
    for (const id of [PAIRS[stage].a, PAIRS[stage].b]) tenants[id] = tenant(id, stage, stage === "silo" ? database(`app_${id}`) : shared);
  }
  tenants.frosty = tenant("frosty", "pool", shared, "frozen");
  tenants.leaving = tenant("leaving", "pool", shared, "offboarding");
  Object.assign(tenants, extra);
  const credentials: ConnectionMap["credentials"] = { "shared:eu": secret("shared-eu") };
  const clusters: ConnectionMap["clusters"] = { "shared:eu": cluster("app-eu", "shared") };
  for (const [id, t] of Object.entries(tenants)) {
    if (t.credential !== "shared:eu") credentials[t.credential] = secret(id);
    if (t.cluster.startsWith("silo:")) clusters[t.cluster] = cluster(`t-${id}`, "silo");
  }
  return { version: 1, environment: "test", clusters, credentials, collections: { ...COLLECTIONS }, tenants };
}

export { tenant as tenantEntry };
