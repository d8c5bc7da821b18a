// The per-call audit hook of tenant scopes: one event per call with its count and duration, on both backends.
import { describe, expect, test } from "vitest";
import { createResolver } from "../../packages/resolver/src";
import type { CallAuditEvent } from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import { backendCases } from "../support/backends";
import { testMap } from "./fixtures";

for (const b of backendCases) {
  describe.skipIf(b.skip)(`audit hook — ${b.name}`, () => {
    test("every call reports tenant, user, collection, operation, count and duration; failures report their error", async () => {
      const backend = b.make();
      const events: CallAuditEvent[] = [];
      const resolver = createResolver({ map: testMap((base) => backend.database(base)), connector: backend.connector, audit: (e) => events.push(e) });
      try {
        const users = resolver.forTenant({ tenantId: "brava" }).collection("users");
        const notes = resolver.forTenant({ tenantId: "acme", userId: "u7" }).collection("notes");
        await users.insertMany([{ email: "a", n: 1 }, { email: "b", n: 2 }, { email: "c", n: 3 }]);
        await notes.insertOne({ text: "hi" });
        await users.find({ n: { $gte: 2 } }).toArray();
        const cursor = users.find({});
        for await (const _doc of cursor) break;
        await users.updateMany({}, { $inc: { n: 1 } });
        await users.countDocuments({});
        await users.distinct("email", {});
        await users.findOne({ email: "zz" });
        await users.aggregate([{ $match: { n: { $gt: 2 } } }]).toArray();
        await users.deleteOne({ email: "a" });
        await expect(users.updateOne({}, { $set: { tenant_id: "other" } })).rejects.toThrow();
        const summary = events.map((e) => [e.tenantId, e.userId, e.collection, e.operation, e.count, e.error]);
        expect(summary).toEqual([
          ["brava", undefined, "users", "insertMany", 3, undefined],
          ["acme", "u7", "notes", "insertOne", 1, undefined],
          ["brava", undefined, "users", "find", 2, undefined],
          ["brava", undefined, "users", "find", 1, undefined],
          ["brava", undefined, "users", "updateMany", 3, undefined],
          ["brava", undefined, "users", "countDocuments", 3, undefined],
          ["brava", undefined, "users", "distinct", 3, undefined],
          ["brava", undefined, "users", "findOne", 0, undefined],
          ["brava", undefined, "users", "aggregate", 2, undefined],
          ["brava", undefined, "users", "deleteOne", 1, undefined],
          ["brava", undefined, "users", "updateOne", 0, "CrossTenantWriteError"],
        ]);
        for (const e of events) expect(e.durationMs).toBeGreaterThanOrEqual(0);
      } finally {
        await resolver.close();
        await backend.close();
      }
    });
  });
}

describe("audit hook — failure handling", () => {
  test("a throwing hook never fails the call: its error goes to onError", async () => {
    const errors: unknown[] = [];
    const resolver = createResolver({
      map: testMap(),
      connector: memoryConnector(),
      onError: (e) => errors.push(e),
      audit: () => {
        throw new Error("sink down");
      },
    });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await expect(users.insertOne({ email: "x" })).resolves.toMatchObject({ acknowledged: true });
    expect(await users.countDocuments({})).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(["sink down", "sink down"]);
    await resolver.close();
  });
});
