// collections apply / check on the memory backend and, with MONGODB_URI, the real server: indexes, validators,
// retention and drift per stage, and unique keys that hold per tenant (and per user), never across tenants.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { MongoServerError } from "mongodb";
import { applyCollections, type CollectionsReport, declarationsOf, type Mode } from "../../packages/core/src/collections";
import { endpointClients } from "../../packages/mover/src/connect";
import { createResolver } from "../../packages/resolver/src";
import type { CollectionSpec } from "../../packages/core/src/registry/schema";
import { backendCases, type TestBackend } from "../support/backends";
import { PAIRS, testMap } from "../resolver/fixtures";

const INDEXED: CollectionSpec[] = [
  { name: "users", scope: "tenant", indexes: [{ keys: { email: 1 }, unique: true }, { keys: { createdAt: -1 } }] },
  { name: "groups", scope: "tenant", indexes: [] },
  { name: "notes", scope: "user", indexes: [{ keys: { slug: 1 }, unique: true, name: "slug_unique" }] },
];

const VALIDATED: CollectionSpec[] = [
  {
    ...(INDEXED[0] as CollectionSpec),
    validator: { $jsonSchema: { bsonType: "object", required: ["email"], properties: { email: { bsonType: "string" } } }, validationLevel: "strict", validationAction: "error" },
    retentionDays: 30,
    retentionField: "createdAt",
  },
  INDEXED[1] as CollectionSpec,
  INDEXED[2] as CollectionSpec,
];

/** The server's own reason when it lacks a feature the report needed (FerretDB: NotImplemented), else undefined. */
function unsupported(report: CollectionsReport): string | undefined {
  const failure = report.targets.flatMap((t) => t.collections.flatMap((c) => c.failures)).find((f) => f.codeName === "NotImplemented" || f.codeName === "CommandNotFound");
  return failure && `the server lacks ${failure.step}: ${failure.codeName}: ${failure.message}`;
}

for (const b of backendCases) {
  describe.skipIf(b.skip)(`collections apply on the ${b.name}`, () => {
    let backend: TestBackend;
    let map: ReturnType<typeof testMap>;
    let clients: ReturnType<typeof endpointClients>;
    beforeEach(() => {
      backend = b.make();
      map = testMap((base) => backend.database(base));
      clients = endpointClients(backend.connector);
    });
    afterEach(async () => {
      await clients.close();
      await backend.close();
    });

    const run = (collections: CollectionSpec[], mode: Mode, extra: { dropUndeclared?: boolean; tenantId?: string; retention?: Record<string, Record<string, number>> } = {}) =>
      applyCollections({
        map,
        declarations: { collections, retention: extra.retention ?? {} },
        connect: (target) => clients.connect(target),
        mode,
        ...(extra.dropUndeclared !== undefined && { dropUndeclared: extra.dropUndeclared }),
        ...(extra.tenantId !== undefined && { tenantId: extra.tenantId }),
      });

    const indexNames = async (cluster: string, db: string, coll: string): Promise<string[]> => {
      const client = await clients.connect({ route: { ...map.tenants.acme!, cluster }, cluster: map.clusters[cluster]!, credentialRef: map.credentials["shared:eu"]! });
      return (await client.db(db).collection(coll).listIndexes().toArray()).map((i) => i.name as string).sort();
    };

    test("apply creates every declared index, tag-prefixed, at every stage; a second apply changes nothing and check finds no drift", async () => {
      const first = await run(INDEXED, "apply");
      expect(first.failures).toBe(0);
      expect(first.targets.map((t) => t.label)).toEqual([
        "pool on shared:eu",
        "bridge brava on shared:eu",
        "bridge bravo on shared:eu",
        "silo sierra on silo:sierra",
        "silo sigma on silo:sigma",
      ]);
      const shared = map.tenants.acme!.database;
      expect(await indexNames("shared:eu", shared, "users")).toEqual(["_id_", "tenant_id_1_createdAt_-1", "tenant_id_1_email_1"]);
      expect(await indexNames("shared:eu", shared, "t_brava__users")).toEqual(["_id_", "tenant_id_1_createdAt_-1", "tenant_id_1_email_1"]);
      expect(await indexNames("silo:sigma", map.tenants.sigma!.database, "notes")).toEqual(["_id_", "slug_unique"]);
      const second = await run(INDEXED, "apply");
      expect([second.changes, second.drift, second.failures]).toEqual([0, 0, 0]);
      const check = await run(INDEXED, "check");
      expect([check.changes, check.drift, check.failures]).toEqual([0, 0, 0]);
    });

    test.each(["pool", "bridge", "silo"] as const)("%s: a duplicate on a unique field is refused for that tenant, never across tenants (nor across users)", async (stage) => {
      await run(INDEXED, "apply");
      const resolver = createResolver({ map, connector: backend.connector });
      try {
        const { a, b: other } = PAIRS[stage];
        const users = (tenantId: string) => resolver.forTenant({ tenantId }).collection("users");
        await users(a).insertOne({ email: "x@example.com" });
        await expect(users(a).insertOne({ email: "x@example.com" })).rejects.toSatisfy((e: unknown) => e instanceof MongoServerError && e.code === 11000);
        await expect(users(other).insertOne({ email: "x@example.com" })).resolves.toBeDefined();
        const notes = (userId: string) => resolver.forTenant({ tenantId: a, userId }).collection("notes");
        await notes("u1").insertOne({ slug: "hello" });
        await expect(notes("u2").insertOne({ slug: "hello" })).resolves.toBeDefined();
        await expect(notes("u1").insertOne({ slug: "hello" })).rejects.toSatisfy((e: unknown) => e instanceof MongoServerError && e.code === 11000);
      } finally {
        await resolver.close();
      }
    });

    test("check reports drift; apply keeps an undeclared index unless asked to drop it", async () => {
      await run(INDEXED, "apply", { tenantId: "brava" });
      const client = await clients.connect({ route: map.tenants.brava!, cluster: map.clusters["shared:eu"]!, credentialRef: map.credentials["tenant:brava"]! });
      const users = client.db(map.tenants.brava!.database).collection("t_brava__users");
      await users.createIndex({ legacy: 1 }, { name: "legacy_1" });
      await users.dropIndex("tenant_id_1_createdAt_-1");

      const check = await run(INDEXED, "check", { tenantId: "brava" });
      expect(check.targets.flatMap((t) => t.collections.flatMap((c) => c.drift.map((d) => `${c.physical} ${d.kind} ${d.index ?? ""}`)))).toEqual([
        "t_brava__users missing-index tenant_id_1_createdAt_-1",
        "t_brava__users undeclared-index legacy_1",
      ]);
      const kept = await run(INDEXED, "apply", { tenantId: "brava" });
      expect(kept.targets[0]?.collections[0]?.changes).toEqual(["created index tenant_id_1_createdAt_-1"]);
      expect(kept.drift).toBe(1);
      expect((await users.listIndexes().toArray()).map((i) => i.name)).toContain("legacy_1");
      const dropped = await run(INDEXED, "apply", { tenantId: "brava", dropUndeclared: true });
      expect(dropped.targets[0]?.collections[0]?.changes).toEqual(["dropped undeclared index legacy_1"]);
      expect((await run(INDEXED, "check", { tenantId: "brava" })).drift).toBe(0);
    });

    test("a conflicting index (the declared name, other keys) is drift, replaced only with dropUndeclared", async () => {
      const client = await clients.connect({ route: map.tenants.sigma!, cluster: map.clusters["silo:sigma"]!, credentialRef: map.credentials["tenant:sigma"]! });
      await client.db(map.tenants.sigma!.database).collection("notes").createIndex({ slug: 1 }, { name: "slug_unique" });
      const kept = await run(INDEXED, "apply", { tenantId: "sigma" });
      const notes = kept.targets[0]?.collections.find((c) => c.logical === "notes");
      expect(notes?.drift.map((d) => d.kind)).toEqual(["conflicting-index"]);
      expect(notes?.drift[0]?.detail).toBe('index slug_unique (keys {"slug":1}) stands where the registry declares slug_unique (keys {"tenant_id":1,"user_id":1,"slug":1}, unique)');
      const replaced = await run(INDEXED, "apply", { tenantId: "sigma", dropUndeclared: true });
      expect(replaced.targets[0]?.collections.find((c) => c.logical === "notes")?.changes).toEqual(["dropped conflicting index slug_unique", "created index slug_unique"]);
    });

    test("validators (tags added, bridge/silo pinned to the tenant) and retention (collection default, tenant override, changed in place)", async (ctx) => {
      const report = await run(VALIDATED, "apply", { retention: { brava: { users: 7 } } });
      const reason = unsupported(report);
      if (backend.kind === "mongodb" && reason !== undefined) {
        ctx.skip(reason);
        return;
      }
      expect(report.failures).toBe(0);
      const listed = async (cluster: string, credential: string, tenant: string, coll: string) => {
        const client = await clients.connect({ route: map.tenants[tenant]!, cluster: map.clusters[cluster]!, credentialRef: map.credentials[credential]! });
        const db = client.db(map.tenants[tenant]!.database);
        const info = (await db.listCollections({ name: coll }).toArray())[0];
        const ttl = (await db.collection(coll).listIndexes().toArray()).find((i) => i.name === "retention_createdAt");
        return { validator: info?.options?.validator as unknown, ttl: ttl?.expireAfterSeconds as unknown };
      };
      const pool = await listed("shared:eu", "shared:eu", "acme", "users");
      expect(pool).toEqual({
        validator: { $jsonSchema: { bsonType: "object", required: ["email", "tenant_id"], properties: { email: { bsonType: "string" }, tenant_id: { bsonType: "string" } } } },
        ttl: 30 * 86_400,
      });
      const bridge = await listed("shared:eu", "tenant:brava", "brava", "t_brava__users");
      expect(bridge.ttl).toBe(7 * 86_400);
      expect((bridge.validator as { $jsonSchema: { properties: unknown } }).$jsonSchema.properties).toEqual({ email: { bsonType: "string" }, tenant_id: { bsonType: "string", enum: ["brava"] } });
      expect((await listed("shared:eu", "tenant:bravo", "bravo", "t_bravo__users")).ttl).toBe(30 * 86_400);

      const changed = await run(VALIDATED, "apply", { retention: { brava: { users: 14 } }, tenantId: "brava" });
      expect(changed.targets[0]?.collections[0]?.changes).toEqual(["changed the retention of retention_createdAt to 14 days"]);
      expect((await listed("shared:eu", "tenant:brava", "brava", "t_brava__users")).ttl).toBe(14 * 86_400);
      // The registry dropped its validator: the server's is drift, removed only when asked.
      const undeclared = await run(INDEXED, "check", { tenantId: "bravo" });
      expect(undeclared.targets[0]?.collections[0]?.drift.map((d) => d.kind)).toEqual(["undeclared-validator", "undeclared-index"]);
      await run(INDEXED, "apply", { tenantId: "bravo", dropUndeclared: true });
      expect((await run(INDEXED, "check", { tenantId: "bravo" })).drift).toBe(0);
    });

    test("declarationsOf takes the tenants' retention overrides", () => {
      expect(declarationsOf({ collections: INDEXED, tenants: [] }).retention).toEqual({});
    });
  });
}
