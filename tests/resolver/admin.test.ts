// The admin scope on both backends: fan-outs per tenant and stage, refusals, erasure, the audit trail and its guarantees.
import type { Document } from "mongodb";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import {
  AUDIT_COLLECTION,
  AdminContextError,
  AdminWriteRefusedError,
  AuditUnavailableError,
  CrossTenantWriteError,
  IsolationViolationError,
  TenantFrozenError,
  TenantSelectionError,
  UndeclaredCollectionError,
  collectionAuditLog,
  createResolver,
} from "../../packages/resolver/src";
import type { AuditRecord, WritableFanOut } from "../../packages/resolver/src";
import { backendCases, memoryTestBackend } from "../support/backends";
import { serverSkips } from "../support/server";
import { wireCapture } from "../support/wire";
import { wireViolations } from "../support/wire-checks";
import { testMap } from "./fixtures";
import { ADMIN, EJSON, SERVED, USERS, adminMap, makeWorld } from "./admin-fixtures";
import type { World } from "./admin-fixtures";


for (const b of backendCases) {
  describe.skipIf(b.skip)(`admin scope — ${b.name}`, () => {
    let world: World;
    beforeEach(async () => {
      world = await makeWorld(b.make());
    });
    afterEach(async () => {
      await world.resolver.close();
      await world.backend.close();
    });

    test("find across pool, bridge and silo tenants returns each tenant's documents under its own id, nothing untagged", async () => {
      const result = await world.resolver.admin(ADMIN).acrossTenants().collection("users").find({ email: "same@x" });
      expect(result.failed).toEqual([]);
      expect(result.tenants.map((t) => t.tenantId)).toEqual(SERVED);
      expect(new Set(result.tenants.map((t) => t.stage))).toEqual(new Set(["pool", "bridge", "silo"]));
      for (const t of result.tenants) {
        if (!t.ok) throw t.error;
        const expected = (await world.raw(t.tenantId, "users")).filter((d) => d.tenant_id === t.tenantId && d.email === "same@x");
        expect(t.documents.map((d) => EJSON.stringify(d))).toEqual(expected.map((d) => EJSON.stringify(d)));
        expect(t.documents).toHaveLength(1);
        expect(t.documents.every((d) => d.tenant_id === t.tenantId)).toBe(true);
      }
    });

    test.each(["acme", "brava", "sigma"])("on the wire, every command of a fan-out over %s pins its tenant (and the user for forUser)", async (id) => {
      const admin = world.resolver.admin(ADMIN);
      const physical = world.map.tenants[id]?.collections as Record<string, string>;
      const wire = wireCapture(world.backend);
      try {
        const users = admin.acrossTenants({ tenants: [id], allowWrites: true, ticket: "T-1" }).collection("users");
        const runs = [
          await users.find({ email: "same@x" }, { projection: { tenant_id: 0 } }),
          await users.countDocuments({ n: { $gte: 1 } }),
          await users.distinct("email", {}),
          await users.aggregate([{ $match: { n: 1 } }, { $group: { _id: "$email", c: { $sum: 1 } } }]),
          await users.updateMany({ email: "same@x" }, { $inc: { n: 1 } }, { upsert: true }),
          await users.deleteMany({ email: "other@x" }),
        ];
        for (const r of runs) expect(r.failed.map((t) => t.error.message)).toEqual([]);
        const tenantCommands = wire.commands({ collection: physical.users });
        expect(tenantCommands.map((c) => c.commandName)).toEqual(["find", "aggregate", "distinct", "aggregate", "update", "delete"]);
        expect(wireViolations(tenantCommands, { tenant_id: id })).toEqual([]);
        wire.clear();
        const erased = await admin.forUser("u1", { tenants: [id], allowWrites: true, ticket: "DSR-1" }).erase();
        expect(erased.failed).toEqual([]);
        const userCommands = wire.commands({ collection: physical.notes });
        expect(userCommands.map((c) => c.commandName)).toEqual(["delete"]);
        expect(wireViolations(userCommands, { tenant_id: id, user_id: "u1" })).toEqual([]);
      } finally {
        wire.stop();
      }
    });

    test(
      "on the wire, a $lookup of a fan-out joins only the tenant's own collection",
      serverSkips(async () => {
        const wire = wireCapture(world.backend);
        try {
          const pipeline = [{ $lookup: { from: "groups", localField: "email", foreignField: "key", as: "g" } }];
          const result = await world.resolver.admin(ADMIN).acrossTenants({ tenants: ["brava"] }).collection("users").aggregate(pipeline);
          // A server without $lookup answers NotImplemented: rethrown, it becomes a visible skip with the server's reason.
          if (result.failed[0]) throw result.failed[0].error;
          const commands = wire.commands({ collection: "t_brava__users" });
          expect(commands.map((c) => c.commandName)).toEqual(["aggregate"]);
          expect(wireViolations(commands, { tenant_id: "brava" })).toEqual([]);
          expect(JSON.stringify(commands[0]?.pipelines)).toContain('"from":"t_brava__groups"');
        } finally {
          wire.stop();
        }
      }),
    );

    test("user-scoped collections: reads see every user of each tenant, never an untagged document", async () => {
      const result = await world.resolver.admin(ADMIN).acrossTenants({ stages: ["pool"] }).collection("notes").find({});
      expect(result.tenants.map((t) => t.tenantId)).toEqual(["acme", "beta", "frosty", "yankee"]);
      for (const t of result.tenants) {
        if (!t.ok) throw t.error;
        expect(t.documents).toHaveLength(4);
        expect(t.documents.every((d) => d.tenant_id === t.tenantId && USERS.includes(d.user_id as string))).toBe(true);
      }
    });

    test("countDocuments, distinct and aggregate are grouped by tenant; aggregate outputs carry the tenant's tag", async () => {
      const fan = world.resolver.admin(ADMIN).acrossTenants({ tenants: ["sigma", "brava", "acme"] });
      const counts = await fan.collection("users").countDocuments({});
      expect(counts.tenants.map((t) => (t.ok ? [t.tenantId, t.count] : [t.tenantId, t.error.name]))).toEqual([["sigma", 2], ["brava", 2], ["acme", 2]]);
      const emails = await fan.collection("users").distinct("email", {});
      for (const t of emails.tenants) expect(t.ok && [...t.values].sort()).toEqual(["other@x", "same@x"]);
      const sums = await fan.collection("users").aggregate([{ $group: { _id: null, total: { $sum: "$n" } } }]);
      expect(sums.tenants.map((t) => t.ok && t.documents)).toEqual([
        [{ _id: null, total: 3, tenant_id: "sigma" }],
        [{ _id: null, total: 3, tenant_id: "brava" }],
        [{ _id: null, total: 3, tenant_id: "acme" }],
      ]);
    });

    test("a failure on one tenant is reported for that tenant, the others still answer", async () => {
      const fan = world.resolver.admin(ADMIN).acrossTenants({ tenants: ["acme", "leaving", "sigma"] });
      const result = await fan.collection("users").countDocuments({});
      expect(result.tenants.map((t) => [t.tenantId, t.ok])).toEqual([["acme", true], ["leaving", false], ["sigma", true]]);
      expect(result.failed.map((t) => t.error.name)).toEqual(["TenantOffboardedError"]);
      const records = (await world.audit()).filter((r) => r.callId === result.callId);
      expect(records.find((r) => r.phase === "finished")).toMatchObject({ outcome: "partial", count: 4 });
    });

    test("a hostile pipeline is refused per tenant by the tenant scopes' guards, never run", async () => {
      const result = await world.resolver.admin(ADMIN).acrossTenants({ tenants: ["acme", "brava"] }).collection("users").aggregate([{ $out: "stolen" }]);
      expect(result.tenants.map((t) => t.ok)).toEqual([false, false]);
      for (const t of result.failed) expect(t.error).toBeInstanceOf(IsolationViolationError);
      expect((await world.audit()).find((r) => r.callId === result.callId && r.phase === "finished")).toMatchObject({ outcome: "failed" });
    });

    test.each([
      [{ reason: "x" }, "actor"],
      [{ actor: "alice" }, "reason"],
      [{ actor: "", reason: "x" }, "actor"],
      [{ actor: "alice", reason: "   " }, "reason"],
      [{ actor: "alice", reason: 7 }, "reason"],
      [null, "context"],
    ])("admin(%j) is refused (AdminContextError on %s) and writes no audit record", async (context, field) => {
      let caught: unknown;
      try {
        world.resolver.admin(context as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AdminContextError);
      expect((caught as AdminContextError).field).toBe(field);
      expect(await world.audit()).toEqual([]);
    });

    test("a write without allowWrites is refused, audited as refused, and changes nothing", async () => {
      const before = await world.everything();
      const fan = world.resolver.admin(ADMIN).acrossTenants() as unknown as WritableFanOut;
      const refused = fan.collection("users").deleteMany({});
      await expect(refused).rejects.toBeInstanceOf(AdminWriteRefusedError);
      await expect(refused).rejects.toMatchObject({ refusal: "writes-not-allowed", operation: "deleteMany" });
      expect(await world.everything()).toEqual(before);
      const records = await world.audit();
      expect(records.map((r) => [r.operation, r.phase, r.outcome, r.writes])).toEqual([
        ["deleteMany", "started", undefined, true],
        ["deleteMany", "finished", "refused", true],
      ]);
      expect(() => world.resolver.admin(ADMIN).acrossTenants({ allowWrites: true } as never)).toThrow(AdminContextError);
    });

    test("writes go tenant by tenant through the same guards: no foreign or dropped tag, upserts tagged", async () => {
      const fan = world.resolver.admin(ADMIN).acrossTenants({ tenants: ["acme", "brava", "sigma"], allowWrites: true, ticket: "CHG-7" });
      const users = fan.collection("users");
      const before = await world.everything();
      for (const update of [{ $set: { tenant_id: "beta" } }, { $unset: { tenant_id: "" } }, { $rename: { tenant_id: "x" } }]) {
        const result = await users.updateMany({}, update);
        expect(result.failed).toHaveLength(3);
        for (const t of result.failed) expect(t.error).toBeInstanceOf(IsolationViolationError);
      }
      expect(await world.everything()).toEqual(before);
      const upsert = await users.updateMany({ email: "new@x" }, { $set: { n: 5 } }, { upsert: true });
      expect(upsert.tenants.map((t) => t.ok && t.upsertedCount)).toEqual([1, 1, 1]);
      for (const id of ["acme", "brava", "sigma"]) {
        expect((await world.raw(id, "users")).filter((d) => d.email === "new@x").map((d) => d.tenant_id)).toEqual([id]);
      }
      const bump = await users.updateMany({ email: "same@x" }, { $inc: { n: 10 } });
      expect(bump.tenants.map((t) => t.ok && t.modifiedCount)).toEqual([1, 1, 1]);
      expect((await world.raw("beta", "users")).find((d) => d.tenant_id === "beta" && d.email === "same@x")?.n).toBe(1);
      const record = (await world.audit()).find((r) => r.callId === bump.callId && r.phase === "started");
      expect(record).toMatchObject({ ticket: "CHG-7", writes: true, operation: "updateMany", collections: ["users"], tenants: ["acme", "brava", "sigma"] });
      // A user-scoped collection is written through forUser only.
      await expect(fan.collection("notes").deleteMany({})).rejects.toMatchObject({ refusal: "user-scoped" });
    });

    test("erasure deletes exactly one user's documents across every stage and leaves every other document byte-identical", async () => {
      const before = await world.everything();
      const admin = world.resolver.admin({ ...ADMIN, reason: "DSR-9 erasure" });
      const dry = await admin.forUser("u1").count();
      expect(dry.tenants.filter((t) => t.ok).map((t) => t.ok && t.collections)).toEqual(SERVED.map(() => ({ notes: 2 })));
      expect(await world.everything()).toEqual(before);
      const erased = await admin.forUser("u1", { allowWrites: true, ticket: "DSR-9" }).erase();
      // The frozen tenant refuses the write (a move may be copying it): reported, nothing deleted there.
      expect(erased.failed.map((t) => [t.tenantId, t.error.name])).toEqual([["frosty", "TenantFrozenError"]]);
      expect(erased.failed[0]?.error).toBeInstanceOf(TenantFrozenError);
      expect(erased.failed[0]?.completed).toEqual({});
      expect(erased.tenants.filter((t) => t.ok).map((t) => t.tenantId)).toEqual(SERVED.filter((id) => id !== "frosty"));
      const after = await world.everything();
      const isErased = (text: string): boolean => {
        const d = EJSON.parse(text, { relaxed: false }) as Document;
        return d.user_id === "u1" && typeof d.tenant_id === "string" && d.tenant_id !== "frosty" && d.tenant_id !== "leaving";
      };
      expect(after).toEqual(before.filter((text) => !isErased(text)));
      expect(before.length - after.length).toBe(2 * (SERVED.length - 1));
      const finished = (await world.audit()).find((r) => r.callId === erased.callId && r.phase === "finished");
      expect(finished).toMatchObject({ operation: "user.erase", userId: "u1", ticket: "DSR-9", outcome: "partial", count: 14 });
    });

    test("export returns everything the user owns, per tenant and collection, each document tagged", async () => {
      const result = await world.resolver.admin(ADMIN).forUser("u2", { residency: "us" }).export();
      expect(result.tenants.map((t) => t.tenantId)).toEqual(["yankee"]);
      const only = result.tenants[0];
      if (!only?.ok) throw new Error("export failed");
      expect(only.collections.notes?.map((d) => [d.tenant_id, d.user_id, d.text])).toEqual([
        ["yankee", "u2", "yankee-u2-1"],
        ["yankee", "u2", "yankee-u2-2"],
      ]);
      expect(result.residency).toMatchObject({ zones: ["us"], crossesZones: false });
    });

    test("residency: the report names the tenants whose data left the operator's zone; an option confines the fan-out", async () => {
      const admin = world.resolver.admin({ ...ADMIN, zone: "eu" });
      const all = await admin.acrossTenants().collection("users").countDocuments({});
      expect(all.residency).toEqual({
        zones: ["eu", "us"],
        tenantsByZone: { eu: SERVED.filter((id) => id !== "yankee"), us: ["yankee"] },
        gatheredIn: "eu",
        crossesZones: true,
        leftZone: [{ tenantId: "yankee", zone: "us" }],
      });
      const confined = await admin.acrossTenants({ residency: "eu" }).collection("users").countDocuments({});
      expect(confined.tenants.map((t) => t.tenantId)).not.toContain("yankee");
      expect(confined.residency.crossesZones).toBe(false);
      expect(() => admin.acrossTenants({ residency: "eu", tenants: ["acme", "yankee"] })).toThrow(TenantSelectionError);
      const record = (await world.audit()).find((r) => r.callId === all.callId);
      expect(record).toMatchObject({ zones: ["eu", "us"], gatheredIn: "eu" });
    });

    test("every admin call leaves a started and a finished record with the filter's shape, never its values", async () => {
      const admin = world.resolver.admin(ADMIN);
      const invoice = "INV-2026-000123";
      const found = await admin.acrossTenants().collection("users").find({ email: invoice, n: { $gt: 4 } }, { limit: 5 });
      const failedCall = await admin.acrossTenants({ tenants: ["acme"] }).collection("users").aggregate([{ $match: { email: invoice } }, { $out: "x" }]);
      const records = await world.audit();
      expect(records.map((r) => [r.callId, r.phase])).toEqual([
        [found.callId, "started"],
        [found.callId, "finished"],
        [failedCall.callId, "started"],
        [failedCall.callId, "finished"],
      ]);
      const [started, finished] = records;
      expect(started).toMatchObject({ actor: "alice@ops", reason: "INC-42 invoice lookup", operation: "find", writes: false, environment: "test", tenants: SERVED });
      expect(JSON.parse(started?.shape ?? "")).toEqual({ filter: { email: "string", n: { $gt: "number" } }, options: { limit: "number" } });
      expect(finished).toMatchObject({ outcome: "ok", count: 0 });
      expect(typeof finished?.durationMs).toBe("number");
      expect(JSON.stringify(records)).not.toContain(invoice);
      expect(JSON.stringify(records)).not.toContain("same@x");
    });

    test("if the audit record cannot be written, the call does not run (fail closed)", async () => {
      await world.resolver.close();
      const failing = createResolver({
        map: world.map,
        connector: world.backend.connector,
        admin: {
          sink: () => {
            throw new Error("SIEM unreachable");
          },
        },
      });
      const before = await world.everything();
      const erase = failing.admin(ADMIN).forUser("u1", { allowWrites: true, ticket: "DSR-1" }).erase();
      await expect(erase).rejects.toBeInstanceOf(AuditUnavailableError);
      await expect(erase).rejects.toMatchObject({ phase: "started" });
      expect(await world.everything()).toEqual(before);
      await failing.close();
      world.resolver = createResolver({ map: world.map, connector: world.backend.connector });
    });

    test("nothing in the audit collection can be changed through Tenantry", async () => {
      const admin = world.resolver.admin(ADMIN);
      const call = await admin.acrossTenants({ tenants: ["acme"] }).collection("users").countDocuments({});
      const before = await world.audit();
      expect(before).toHaveLength(2);
      // Not a collection of any scope, tenant or admin.
      expect(() => world.resolver.forTenant({ tenantId: "acme" }).collection(AUDIT_COLLECTION)).toThrow(UndeclaredCollectionError);
      expect(() => admin.acrossTenants().collection(AUDIT_COLLECTION)).toThrow(UndeclaredCollectionError);
      // The log offers appending and listing only; appending a record again fails instead of replacing it.
      const control = world.map.control as NonNullable<ConnectionMap["control"]>;
      const { connector } = world.backend;
      const client = await connector.connect({
        clusterKey: control.cluster,
        cluster: world.map.clusters[control.cluster] as ConnectionMap["clusters"][string],
        credentialKey: control.credential,
        credentialRef: world.map.credentials[control.credential] as ConnectionMap["credentials"][string],
        credentials: undefined,
      });
      const log = collectionAuditLog(client.db(control.database).collection(AUDIT_COLLECTION));
      expect(Object.keys(log).sort()).toEqual(["append", "list"]);
      const tampered = { ...(before[0] as AuditRecord), reason: "nothing to see" };
      await expect(log.append(tampered)).rejects.toMatchObject({ code: 11000 });
      expect(await world.audit()).toEqual(before);
      expect((await log.list({ actor: "alice@ops", tenant: "acme" })).map((r) => r.callId)).toEqual([call.callId, call.callId]);
      await client.close();
    });
  });
}

describe("admin scope — memory backend only (fault injection, write observation)", () => {
  test("a failed insert of the started record stops the call; only inserts ever reach the audit collection", async () => {
    const backend = memoryTestBackend();
    const world = await makeWorld(backend);
    const control = world.map.control as NonNullable<ConnectionMap["control"]>;
    const kinds: string[] = [];
    backend.memory.onWrite((e) => {
      if (e.db === control.database && e.collection === AUDIT_COLLECTION) kinds.push(`${e.method}:${e.kind}`);
    });
    const admin = world.resolver.admin(ADMIN);
    const before = await world.everything();
    backend.memory.failWrite({ nth: 1, where: { db: control.database, collection: AUDIT_COLLECTION } });
    const erase = admin.forUser("u1", { allowWrites: true, ticket: "DSR-2" }).erase();
    await expect(erase).rejects.toMatchObject({ name: "AuditUnavailableError", phase: "started" });
    expect(await world.everything()).toEqual(before);
    expect(await world.audit()).toEqual([]);
    // The outcome record failing after the call ran: the error says so and carries the result.
    backend.memory.failWrite({ nth: 2, where: { db: control.database, collection: AUDIT_COLLECTION } });
    const late = admin.acrossTenants({ tenants: ["acme"] }).collection("users").countDocuments({});
    await expect(late).rejects.toMatchObject({ name: "AuditUnavailableError", phase: "finished", result: { tenants: [{ tenantId: "acme", ok: true, count: 2 }] } });
    await admin.acrossTenants({ tenants: ["acme"], allowWrites: true, ticket: "T" }).collection("users").deleteMany({ email: "none" });
    expect(new Set(kinds)).toEqual(new Set(["insertOne:insert"]));
    await world.resolver.close();
    await backend.close();
  });

  test("fan-outs share the resolver's clients (one per cluster and credential) and respect the concurrency bound", async () => {
    const backend = memoryTestBackend();
    const world = await makeWorld(backend, { admin: { concurrency: 2 } });
    let running = 0;
    let peak = 0;
    backend.memory.onOperation(async (e) => {
      if (e.collection === AUDIT_COLLECTION) return;
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    });
    const admin = world.resolver.admin(ADMIN);
    await admin.acrossTenants().collection("users").countDocuments({});
    await admin.acrossTenants().collection("users").countDocuments({});
    expect(peak).toBeLessThanOrEqual(2);
    // shared:eu (pool + control), shared:us, brava, bravo, frosty? (pool: shared), sigma, sierra: one client each, once.
    const opened = backend.memory.clients().map((c) => `${c.clusterKey}/${c.credentialKey}`).sort();
    expect(opened).toEqual(["shared:eu/shared:eu", "shared:eu/tenant:brava", "shared:eu/tenant:bravo", "shared:us/shared:us", "silo:sierra/tenant:sierra", "silo:sigma/tenant:sigma"]);
    await world.resolver.close();
    await backend.close();
  });

  test("a map without a control location and no admin.log: admin() is refused (nowhere to audit)", () => {
    const resolver = createResolver({ map: testMap(), connector: memoryTestBackend().connector });
    expect(() => resolver.admin(ADMIN)).toThrow(AuditUnavailableError);
    void resolver.close();
  });
});

describe("admin scope is never reachable from a tenant scope", () => {
  test("no property of a tenant scope or its collections leads to the admin scope", () => {
    const resolver = createResolver({ map: adminMap((b) => b), connector: memoryTestBackend().connector });
    const scope = resolver.forTenant({ tenantId: "acme", userId: "u1" });
    const seen = new Set<unknown>();
    const walk = (value: unknown, depth: number): string[] => {
      if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value) || depth > 4) return [];
      seen.add(value);
      const names = new Set<string>();
      for (let o: object | null = value; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
        for (const n of Object.getOwnPropertyNames(o)) names.add(n);
      }
      return [...names];
    };
    const names = [...walk(scope, 0), ...walk(scope.collection("notes"), 0), ...walk(scope.collection("users"), 0)];
    for (const forbidden of ["admin", "acrossTenants", "forUser", "erase"]) expect(names).not.toContain(forbidden);
    void resolver.close();
  });

  test("the per-tenant guards apply to writes of an admin fan-out on a foreign-tagged upsert", async () => {
    const backend = memoryTestBackend();
    const world = await makeWorld(backend);
    const users = world.resolver.admin(ADMIN).acrossTenants({ tenants: ["acme"], allowWrites: true, ticket: "T" }).collection("users");
    const result = await users.updateMany({ email: "zz" }, { $setOnInsert: { tenant_id: "beta" } }, { upsert: true });
    expect(result.failed[0]?.error).toBeInstanceOf(IsolationViolationError);
    const r2 = await users.updateMany({ email: "zz" }, [{ $set: { tenant_id: "beta" } }]);
    expect(r2.failed[0]?.error).toBeInstanceOf(IsolationViolationError);
    expect((await world.raw("acme", "users")).filter((d) => d.tenant_id === "beta")).toHaveLength(2);
    expect(CrossTenantWriteError.prototype).toBeInstanceOf(IsolationViolationError);
    await world.resolver.close();
    await backend.close();
  });
});
