// Isolation suite driven by the scoped collection's method list: for every method, in pool, bridge and silo, tenant A
// can do it to its own data and cannot reach B's (same emails, same join keys). Runs on a real MongoDB with MONGODB_URI.
// On the memory backend this proves what the resolver sends, judged by mingo's semantics; only the MONGODB_URI twin
// proves the server agrees (on it every cluster of the map is the one server, so cluster separation is not exercised).
import type { Document } from "mongodb";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CrossTenantWriteError, IsolationViolationError, UNSCOPABLE_METHODS } from "../../packages/resolver/src";
import { MemoryBackendUnsupportedError } from "../../packages/testing/src";
import { backendCases } from "../support/backends";
import { serverSkips } from "../support/server";
import { wireCapture } from "../support/wire";
import type { WireCapture } from "../support/wire";
import { wireViolations } from "../support/wire-checks";
import { makePair, onlyTenant } from "./harness";
import type { Pair } from "./harness";

interface MethodCase {
  /** A can do this to its own data (asserts the effect). */
  own(p: Pair): Promise<void>;
  /** A tries to reach B (asserts nothing of B is returned and B's stored documents are unchanged). */
  cross(p: Pair): Promise<void>;
  /**
   * Joins, unions and aggregation expressions, on A's own data and against B's: kept apart so that a server lacking
   * them (FerretDB 1.x: `$lookup`, `$unionWith`, `$facet`, `$expr` operators) skips only this test, with its reason.
   */
  joins?: (p: Pair) => Promise<void>;
}

const idsOf = (docs: readonly Document[]) => docs.map((d) => String(d._id)).sort();
const bId = (p: Pair) => p.seeded.b[0]?._id as unknown;
const expectOnlyA = (p: Pair, docs: readonly Document[]) => {
  for (const d of docs) expect(d.tenant_id).toBe(p.ids.a);
  const bIds = new Set(p.seeded.b.map((d) => String(d._id)));
  for (const d of docs) expect(bIds.has(String(d._id))).toBe(false);
};
const users = (p: Pair) => p.a;

/** Every method of the scoped collection, and what proves it is scoped. Adding a method without a row fails a test. */
const METHODS: Record<string, MethodCase> = {
  insertOne: {
    own: async (p) => {
      const res = await users(p).insertOne({ email: "new@x" });
      const stored = (await p.rawA()).find((d) => String(d._id) === String(res.insertedId));
      expect(stored).toMatchObject({ email: "new@x", tenant_id: p.ids.a });
    },
    cross: async (p) => {
      await expect(users(p).insertOne({ email: "new@x", tenant_id: p.ids.b })).rejects.toBeInstanceOf(CrossTenantWriteError);
      await expect(users(p).insertOne({ email: "new@x", tenant_id: [p.ids.a, p.ids.b] })).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  insertMany: {
    own: async (p) => {
      const res = await users(p).insertMany([{ email: "m1@x" }, { email: "m2@x", tenant_id: p.ids.a }]);
      expect(res.insertedCount).toBe(2);
      expect(onlyTenant(await p.rawA(), p.ids.a).map((d) => d.email)).toEqual(expect.arrayContaining(["m1@x", "m2@x"]));
    },
    cross: async (p) => {
      const before = (await p.rawA()).length;
      await expect(users(p).insertMany([{ email: "m1@x" }, { email: "m2@x", tenant_id: p.ids.b }])).rejects.toBeInstanceOf(CrossTenantWriteError);
      expect((await p.rawA()).length).toBe(before); // refused before anything was sent
    },
  },
  find: {
    own: async (p) => {
      const docs = await users(p).find({ email: "same@x" }).toArray();
      expect(docs).toHaveLength(1);
      expectOnlyA(p, docs);
      const sorted = await users(p).find({}).sort({ n: -1 }).limit(1).project({ name: 1, tenant_id: 1 }).toArray();
      expect(sorted).toEqual([{ _id: p.seeded.a[1]?._id, name: "Bob", tenant_id: p.ids.a }]);
      const iterated: Document[] = [];
      for await (const d of users(p).find({}, { sort: { n: 1 } })) iterated.push(d);
      expect(iterated.map((d) => d.n)).toEqual([1, 2]);
    },
    cross: async (p) => {
      expect(await users(p).find({ tenant_id: p.ids.b }).toArray()).toEqual([]);
      expect(await users(p).find({ _id: bId(p) as never }).toArray()).toEqual([]);
      const or = await users(p).find({ $or: [{ tenant_id: p.ids.b }, { email: "same@x" }] }).toArray();
      expect(or).toHaveLength(1);
      expectOnlyA(p, or);
      expectOnlyA(p, await users(p).find({ tenant_id: { $ne: "nobody" } }).toArray());
      expectOnlyA(p, await users(p).find({ $nor: [{ tenant_id: p.ids.a }] }).toArray());
    },
    joins: async (p) => {
      expectOnlyA(p, await users(p).find({ $expr: { $ne: ["$tenant_id", p.ids.a] } }).toArray());
    },
  },
  findOne: {
    own: async (p) => expect(await users(p).findOne({ email: "same@x" })).toMatchObject({ tenant_id: p.ids.a, name: "Ann" }),
    cross: async (p) => {
      expect(await users(p).findOne({ _id: bId(p) as never })).toBeNull();
      expect(await users(p).findOne({ tenant_id: p.ids.b })).toBeNull();
    },
  },
  updateOne: {
    own: async (p) => {
      expect(await users(p).updateOne({ email: "same@x" }, { $set: { name: "Ann2" } })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(onlyTenant(await p.rawA(), p.ids.a).find((d) => d.email === "same@x")?.name).toBe("Ann2");
      const up = await users(p).updateOne({ email: "ups@x", tenant_id: p.ids.b }, { $set: { name: "U" } }, { upsert: true });
      expect(up.upsertedCount).toBe(1);
      expect((await p.rawA()).find((d) => String(d._id) === String(up.upsertedId))?.tenant_id).toBe(p.ids.a);
    },
    cross: async (p) => {
      expect(await users(p).updateOne({ _id: bId(p) as never }, { $set: { name: "hacked" } })).toMatchObject({ matchedCount: 0 });
      await expect(users(p).updateOne({ email: "same@x" }, { $set: { tenant_id: p.ids.b } })).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  updateMany: {
    own: async (p) => {
      expect(await users(p).updateMany({}, { $inc: { n: 10 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    },
    cross: async (p) => {
      expect(await users(p).updateMany({ $or: [{}, { tenant_id: p.ids.b }] }, { $set: { name: "all" } })).toMatchObject({ matchedCount: 2 });
      await expect(users(p).updateMany({}, [{ $set: { tenant_id: p.ids.b } }])).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  replaceOne: {
    own: async (p) => {
      expect(await users(p).replaceOne({ email: "same@x" }, { email: "same@x", name: "R" })).toMatchObject({ modifiedCount: 1 });
      expect(onlyTenant(await p.rawA(), p.ids.a).find((d) => d.email === "same@x")).toMatchObject({ name: "R", tenant_id: p.ids.a });
    },
    cross: async (p) => {
      expect(await users(p).replaceOne({ _id: bId(p) as never }, { name: "R" })).toMatchObject({ matchedCount: 0 });
      await expect(users(p).replaceOne({ email: "same@x" }, { name: "R", tenant_id: p.ids.b })).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  deleteOne: {
    own: async (p) => {
      expect(await users(p).deleteOne({ email: "same@x" })).toMatchObject({ deletedCount: 1 });
    },
    cross: async (p) => {
      expect(await users(p).deleteOne({ _id: bId(p) as never })).toMatchObject({ deletedCount: 0 });
    },
  },
  deleteMany: {
    own: async (p) => {
      expect(await users(p).deleteMany({ n: { $gte: 1 } })).toMatchObject({ deletedCount: 2 });
      expect(onlyTenant(await p.rawA(), p.ids.a)).toEqual([]);
    },
    cross: async (p) => {
      expect(await users(p).deleteMany({ tenant_id: p.ids.b })).toMatchObject({ deletedCount: 0 });
      expect(await users(p).deleteMany({})).toMatchObject({ deletedCount: 2 });
    },
  },
  countDocuments: {
    own: async (p) => expect(await users(p).countDocuments({})).toBe(2),
    cross: async (p) => {
      expect(await users(p).countDocuments({ tenant_id: p.ids.b })).toBe(0);
      expect(await users(p).countDocuments({ email: "same@x" })).toBe(1);
    },
  },
  distinct: {
    own: async (p) => expect((await users(p).distinct("email")).sort()).toEqual(["other@x", "same@x"]),
    cross: async (p) => {
      expect(await users(p).distinct("tenant_id")).toEqual([p.ids.a]);
      expect(await users(p).distinct("email", { tenant_id: p.ids.b })).toEqual([]);
    },
  },
  aggregate: {
    own: async (p) => {
      const grouped = await users(p).aggregate([{ $group: { _id: "$tenant_id", total: { $sum: "$n" } } }]).toArray();
      expect(grouped).toEqual([{ _id: p.ids.a, total: 3 }]);
    },
    cross: async (p) => {
      expect(await users(p).aggregate([{ $match: { tenant_id: p.ids.b } }]).toArray()).toEqual([]);
      // Our refusals first: they never reach the server, so they hold on any server.
      await expect(users(p).aggregate([{ $out: "stolen" }]).toArray()).rejects.toMatchObject({ reason: "forbidden-stage" });
      await expect(users(p).aggregate([{ $lookup: { from: "secrets", localField: "a", foreignField: "b", as: "x" } }]).toArray()).rejects.toMatchObject({
        name: "UndeclaredCollectionError",
      });
    },
    joins: async (p) => {
      const joined = await users(p)
        .aggregate([{ $lookup: { from: "groups", localField: "group", foreignField: "key", as: "g" } }, { $sort: { n: 1 } }])
        .toArray();
      expect(joined.map((d) => (d.g as Document[]).map((g) => g.label))).toEqual([["A-g1"], ["A-g2"]]);
      const self = await users(p).aggregate([{ $lookup: { from: "users", localField: "email", foreignField: "email", as: "twins" } }]).toArray();
      for (const d of self) expectOnlyA(p, d.twins as Document[]);
      const union = await users(p).aggregate([{ $unionWith: "users" }]).toArray();
      expect(union).toHaveLength(4); // A's two documents, twice
      expectOnlyA(p, union);
      const unionPipeline = await users(p).aggregate([{ $unionWith: { coll: "groups", pipeline: [{ $match: { label: { $regex: "^B" } } }] } }]).toArray();
      expect(unionPipeline).toHaveLength(2);
      const graph = await users(p)
        .aggregate([{ $graphLookup: { from: "groups", startWith: "$group", connectFromField: "key", connectToField: "key", as: "g" } }])
        .toArray();
      for (const d of graph) for (const g of d.g as Document[]) expect(g.tenant_id).toBe(p.ids.a);
      const sub = await users(p)
        .aggregate([{ $lookup: { from: "groups", let: { k: "$group" }, pipeline: [{ $match: { $expr: { $eq: ["$key", "$$k"] } } }], as: "g" } }])
        .toArray();
      for (const d of sub) for (const g of d.g as Document[]) expect(g.tenant_id).toBe(p.ids.a);
      const facet = await users(p).aggregate([{ $facet: { all: [{ $count: "n" }] } }]).toArray();
      expect(facet).toEqual([{ all: [{ n: 2 }] }]);
    },
  },
  findOneAndUpdate: {
    own: async (p) => {
      const after = await users(p).findOneAndUpdate({ email: "same@x" }, { $set: { name: "F" } }, { returnDocument: "after" });
      expect(after).toMatchObject({ name: "F", tenant_id: p.ids.a });
    },
    cross: async (p) => {
      expect(await users(p).findOneAndUpdate({ _id: bId(p) as never }, { $set: { name: "x" } })).toBeNull();
      await expect(users(p).findOneAndUpdate({}, { $rename: { name: "tenant_id" } })).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  findOneAndReplace: {
    own: async (p) => {
      const before = await users(p).findOneAndReplace({ email: "same@x" }, { email: "same@x", name: "FR" });
      expect(before).toMatchObject({ name: "Ann" });
      expect(onlyTenant(await p.rawA(), p.ids.a).find((d) => d.name === "FR")?.tenant_id).toBe(p.ids.a);
    },
    cross: async (p) => {
      expect(await users(p).findOneAndReplace({ _id: bId(p) as never }, { name: "x" })).toBeNull();
    },
  },
  findOneAndDelete: {
    own: async (p) => expect(await users(p).findOneAndDelete({ email: "same@x" })).toMatchObject({ tenant_id: p.ids.a }),
    cross: async (p) => {
      expect(await users(p).findOneAndDelete({ _id: bId(p) as never })).toBeNull();
      expect(await users(p).findOneAndDelete({ tenant_id: p.ids.b })).toBeNull();
    },
  },
  bulkWrite: {
    own: async (p) => {
      const res = await users(p).bulkWrite([
        { insertOne: { document: { email: "bw@x" } } },
        { updateOne: { filter: { email: "same@x" }, update: { $set: { name: "BW" } } } },
        { updateOne: { filter: { email: "bwu@x" }, update: { $set: { name: "U" } }, upsert: true } },
        { deleteOne: { filter: { email: "other@x" } } },
      ]);
      expect([res.insertedCount, res.modifiedCount, res.upsertedCount, res.deletedCount]).toEqual([1, 1, 1, 1]);
      for (const d of onlyTenant(await p.rawA(), p.ids.a)) expect(d.tenant_id).toBe(p.ids.a);
      expect(onlyTenant(await p.rawA(), p.ids.a)).toHaveLength(3);
    },
    cross: async (p) => {
      const res = await users(p).bulkWrite([
        { updateMany: { filter: {}, update: { $set: { name: "bulk" } } } },
        { deleteOne: { filter: { _id: bId(p) as never } } },
        { replaceOne: { filter: { _id: bId(p) as never }, replacement: { name: "r" } } },
      ]);
      expect([res.matchedCount, res.deletedCount]).toEqual([2, 0]);
      await expect(users(p).bulkWrite([{ insertOne: { document: { tenant_id: p.ids.b } } }])).rejects.toBeInstanceOf(CrossTenantWriteError);
      await expect(users(p).bulkWrite([{ updateOne: { filter: {}, update: { $unset: { tenant_id: "" } } } }])).rejects.toBeInstanceOf(CrossTenantWriteError);
    },
  },
  createIndex: {
    own: async (p) => {
      expect(await users(p).createIndex({ email: 1 }, { unique: true })).toBe("tenant_id_1_email_1");
      await expect(users(p).insertOne({ email: "same@x" })).rejects.toMatchObject({ code: 11000 });
    },
    cross: async (p) => {
      // B holds the same emails as A: a unique index per tenant builds anyway, and B's documents stay as they were.
      expect(await users(p).createIndex({ email: 1, name: 1 }, { unique: true })).toBe("tenant_id_1_email_1_name_1");
      await expect(users(p).insertOne({ email: "same@x", name: "Ann" })).rejects.toMatchObject({ code: 11000 });
    },
  },
  watch: {
    own: async (p) => {
      const stream = users(p).watch([{ $match: { operationType: "insert" } }]);
      try {
        if (p.backend.kind === "memory") {
          await expect(stream.next()).rejects.toBeInstanceOf(MemoryBackendUnsupportedError);
          return;
        }
        // The stream opens on the first next(); insert until an event arrives (the first insert may precede the open).
        let event: Document | null | undefined;
        const next = stream.next().then((e) => (event = e as Document | null));
        for (let i = 0; i < 50 && event === undefined; i++) {
          await Promise.race([next, new Promise((r) => setTimeout(r, 100))]);
          if (event === undefined) await users(p).insertOne({ email: `watch${i}@x` });
        }
        await next;
        expect(event).toMatchObject({ operationType: "insert", fullDocument: { tenant_id: p.ids.a } });
      } finally {
        await stream.close();
      }
    },
    cross: async (p) => {
      // The scoping of the change stream pipeline itself is asserted exactly in guards.test.ts; here: refused stages.
      const stream = users(p).watch([{ $lookup: { from: "users", localField: "a", foreignField: "b", as: "x" } }]);
      await expect(stream.next()).rejects.toMatchObject({ reason: "forbidden-stage" });
    },
  },
};

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(`isolation on ${backendCase.name}`, () => {
    for (const stage of ["pool", "bridge", "silo"] as const) {
      describe(`${stage} tenants`, () => {
        let p: Pair;
        let wire: WireCapture;
        beforeEach(async () => {
          p = await makePair(backendCase.make(), stage);
          wire = wireCapture(p.backend); // after seeding: from here on, only A's operations are sent
        });
        afterEach(async () => {
          wire.stop();
          await p.close();
        });
        /** What went on the wire for A: the tenant condition on top of every filter and pipeline, A's tag on every write. */
        const expectWireScopedToA = () => expect(wireViolations(wire.commands(), { tenant_id: p.ids.a })).toEqual([]);

        describe.each(Object.keys(METHODS))("%s", (method) => {
          const row = METHODS[method] as MethodCase;
          test(
            "A can do this to its own data",
            serverSkips(async () => {
              const bBefore = onlyTenant(await p.rawB(), p.ids.b);
              await row.own(p);
              expect(onlyTenant(await p.rawB(), p.ids.b)).toEqual(bBefore);
              expect(wire.commands().length).toBeGreaterThan(0);
              expectWireScopedToA();
            }),
          );
          test(
            "A cannot reach B's data",
            serverSkips(async () => {
              const bBefore = onlyTenant(await p.rawB(), p.ids.b);
              await row.cross(p);
              const bAfter = onlyTenant(await p.rawB(), p.ids.b);
              expect(bAfter).toEqual(bBefore);
              expect(idsOf(bAfter)).toEqual(idsOf(p.seeded.b));
              // Nothing untagged or foreign-tagged landed in A's physical collection either.
              for (const d of await p.rawA()) expect([p.ids.a, p.ids.b]).toContain(d.tenant_id);
              expectWireScopedToA();
            }),
          );
          if (row.joins) {
            const joins = row.joins;
            test(
              "A reaches only its own data through joins, unions and expressions",
              serverSkips(async () => {
                const bBefore = onlyTenant(await p.rawB(), p.ids.b);
                await joins(p);
                expect(onlyTenant(await p.rawB(), p.ids.b)).toEqual(bBefore);
                expect(wire.commands().length).toBeGreaterThan(0);
                expectWireScopedToA();
              }),
            );
          }
        });

        test.each(Object.keys(UNSCOPABLE_METHODS))("%s is refused as unscopable", (method) => {
          const fn = (p.a as unknown as Record<string, () => unknown>)[method] as () => unknown;
          expect(() => fn.call(p.a)).toThrow(IsolationViolationError);
          expect(() => fn.call(p.a)).toThrow(expect.objectContaining({ reason: "unscopable-operation" }) as Error);
          expect(wire.commands()).toEqual([]);
        });
      });
    }
  });
}

describe("the method table", () => {
  test("covers exactly the scoped collection's methods (a new method fails here until it has a row)", async () => {
    const backend = backendCases[0]!.make();
    const p = await makePair(backend, "pool");
    const proto = Object.getPrototypeOf(p.a) as object;
    const methods = Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor" && n !== "collectionName");
    expect(methods.sort()).toEqual([...Object.keys(METHODS), ...Object.keys(UNSCOPABLE_METHODS)].sort());
    await p.close();
  });

  test("a scoped collection exposes no own state: no client, db, raw collection, not even a symbol", async () => {
    const p = await makePair(backendCases[0]!.make(), "pool");
    expect(Object.getOwnPropertyNames(p.a)).toEqual([]);
    expect(Object.getOwnPropertySymbols(p.a)).toEqual([]);
    expect(Object.getOwnPropertySymbols(Object.getPrototypeOf(p.a) as object)).toEqual([]);
    expect(JSON.stringify(p.a)).toBe("{}");
    expect(p.a.collectionName).toBe("users");
    const scope = p.resolver.forTenant({ tenantId: p.ids.a });
    expect(Object.keys(scope).sort()).toEqual(["tenantId", "userId"]);
    await p.close();
  });
});
