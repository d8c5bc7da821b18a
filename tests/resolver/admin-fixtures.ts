// Fixtures of the admin suites: the resolver test map plus a control location and a second zone, seeded directly.
import { BSON } from "mongodb";
import type { Document } from "mongodb";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { AUDIT_COLLECTION, createResolver } from "../../packages/resolver/src";
import type { AuditRecord, Resolver, ResolverOptions } from "../../packages/resolver/src";
import type { TestBackend } from "../support/backends";
import { tenantEntry, testMap } from "./fixtures";

export const { EJSON } = BSON;

/** The suites' map plus a control location and a second zone (`yankee`, pool tenant in us on its own shared cluster). */
export function adminMap(database: (base: string) => string): ConnectionMap {
  const map = testMap(database);
  map.clusters["shared:us"] = { name: "app-us", kind: "shared", srvHost: "app-us.abcde.mongodb.net", region: "US_EAST_1", awsRegion: "us-east-1", residency: "us" };
  map.credentials["shared:us"] = { kind: "aws-secrets-manager", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared-us", region: "us-east-1" };
  map.tenants.yankee = { ...tenantEntry("yankee", "pool", database("app_us")), cluster: "shared:us", credential: "shared:us", residency: "us" };
  map.control = { cluster: "shared:eu", credential: "shared:eu", database: database("tenantry"), collection: "overrides" };
  return map;
}

/** Every tenant the default selection takes: all but the offboarding one, sorted. */
export const SERVED = ["acme", "beta", "brava", "bravo", "frosty", "sierra", "sigma", "yankee"];
export const USERS = ["u1", "u2"];

export interface World {
  backend: TestBackend;
  map: ConnectionMap;
  resolver: Resolver;
  /** Raw documents of a tenant's physical collection (shared by the pool tenants of its cluster). */
  raw(tenantId: string, logical: string): Promise<Document[]>;
  /** Every stored document of every tenant collection, as canonical EJSON strings (sorted). */
  everything(): Promise<string[]>;
  audit(): Promise<AuditRecord[]>;
}

export async function makeWorld(backend: TestBackend, options: Partial<ResolverOptions> = {}): Promise<World> {
  const map = adminMap((b) => backend.database(b));
  const resolver = createResolver({ map, connector: backend.connector, ...options });
  const raw = (tenantId: string, logical: string): Promise<Document[]> => {
    const t = map.tenants[tenantId] as ConnectionMap["tenants"][string];
    return backend.raw(t.cluster, t.database, t.collections[logical] as string);
  };
  // Seed directly (frosty is frozen, its writes are refused): tagged rows of every tenant and user, plus untagged ones.
  const seeded = new Set<string>();
  for (const [id, t] of Object.entries(map.tenants)) {
    const users: Document[] = [{ _id: new BSON.ObjectId(), tenant_id: id, email: "same@x", n: 1 }, { _id: new BSON.ObjectId(), tenant_id: id, email: "other@x", n: 2 }];
    const notes: Document[] = USERS.flatMap((u) => [1, 2].map((k) => ({ _id: new BSON.ObjectId(), tenant_id: id, user_id: u, text: `${id}-${u}-${k}`, amount: new BSON.Double(k + 0.5), at: new Date(Date.UTC(2026, 0, k)) })));
    await backend.seed(t.cluster, t.database, t.collections.users as string, users);
    await backend.seed(t.cluster, t.database, t.collections.notes as string, notes);
    seeded.add([t.cluster, t.database, t.collections.users, t.collections.notes].join("|"));
  }
  const shared = map.tenants.acme as ConnectionMap["tenants"][string];
  // Untagged documents in the pool collections: no fan-out may ever return them.
  await backend.seed(shared.cluster, shared.database, "users", [{ _id: new BSON.ObjectId(), email: "orphan@x", n: 9 }]);
  await backend.seed(shared.cluster, shared.database, "notes", [{ _id: new BSON.ObjectId(), user_id: "u1", text: "orphan" }]);
  const control = map.control as NonNullable<ConnectionMap["control"]>;
  return {
    backend,
    map,
    resolver,
    raw,
    async everything() {
      const out: string[] = [];
      for (const key of seeded) {
        const [cluster, db, users, notes] = key.split("|") as [string, string, string, string];
        for (const c of [users, notes]) for (const d of await backend.raw(cluster, db, c)) out.push(EJSON.stringify(d, { relaxed: false }));
      }
      return [...new Set(out)].sort();
    },
    audit: async () => (await backend.raw(control.cluster, control.database, AUDIT_COLLECTION)) as unknown as AuditRecord[],
  };
}

export const ADMIN = { actor: "alice@ops", reason: "INC-42 invoice lookup" };
