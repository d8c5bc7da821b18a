// The memory backend behaves like a MongoDB collection where Tenantry relies on it: queries, updates, indexes, isolation.
import { Decimal128, Long, MongoServerError, ObjectId } from "mongodb";
import { describe, expect, test } from "vitest";
import type { ConnectTarget } from "../../packages/contract/src/backend/types";
import { InjectedFaultError, MemoryBackendUnsupportedError, MemoryClientClosedError, memoryConnector } from "../../packages/testing/src";

function target(clusterKey = "shared:a", credentialKey = "cred"): ConnectTarget {
  return {
    clusterKey,
    credentialKey,
    cluster: { name: "a", kind: "shared", srvHost: "a.example.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "eu" },
    credentialRef: { kind: "aws-secrets-manager", secretArn: "arn:x", region: "eu-west-1" },
    credentials: undefined,
  };
}

async function setup() {
  const connector = memoryConnector();
  const client = await connector.connect(target());
  return { connector, client, coll: client.db("app").collection("users") };
}

describe("memory backend", () => {
  test("data is isolated per cluster, database and collection, and shared across clients of one cluster", async () => {
    const { connector, coll } = await setup();
    await coll.insertOne({ _id: 1 as never, n: 1 });
    const other = await connector.connect(target("shared:b"));
    const sameCluster = await connector.connect(target("shared:a", "other-cred"));
    expect(await other.db("app").collection("users").countDocuments({})).toBe(0);
    expect(await sameCluster.db("app2").collection("users").countDocuments({})).toBe(0);
    expect(await sameCluster.db("app").collection("people").countDocuments({})).toBe(0);
    expect(await sameCluster.db("app").collection("users").findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 1 });
    expect(connector.raw("shared:a", "app", "users")).toEqual([{ _id: 1, n: 1 }]);
    expect(connector.raw("shared:b", "app", "users")).toEqual([]);
  });

  test("documents are deep-cloned in and out and keep their BSON types", async () => {
    const { connector, coll } = await setup();
    const id = new ObjectId();
    const doc = { _id: id, at: new Date(0), price: Decimal128.fromString("1.50"), big: Long.fromString("9007199254740993"), tags: ["a"], nested: { x: 1 } };
    await coll.insertOne(doc);
    doc.tags.push("mutated");
    doc.nested.x = 2;
    const read = await coll.findOne({ _id: id });
    expect(read?.tags).toEqual(["a"]);
    expect(read?.nested).toEqual({ x: 1 });
    expect(read?._id).toBeInstanceOf(ObjectId);
    expect(read?.at).toBeInstanceOf(Date);
    expect(read?.price).toBeInstanceOf(Decimal128);
    expect(String(read?.price)).toBe("1.50");
    expect(read?.big).toBeInstanceOf(Long);
    expect(String(read?.big)).toBe("9007199254740993");
    (read!.tags as string[]).push("again");
    expect(connector.raw("shared:a", "app", "users")[0]?.tags).toEqual(["a"]);
  });

  test("insertOne sets a generated _id on the caller's document, like the driver", async () => {
    const { coll } = await setup();
    const doc: Record<string, unknown> = { n: 1 };
    const { insertedId } = await coll.insertOne(doc);
    expect(doc._id).toBeInstanceOf(ObjectId);
    expect(doc._id).toBe(insertedId);
  });

  test("_id is always unique and unique indexes are enforced with a driver-shaped 11000 error", async () => {
    const { coll } = await setup();
    await coll.insertOne({ _id: "x" as never, email: "a@x" });
    await expect(coll.insertOne({ _id: "x" as never })).rejects.toMatchObject({ code: 11000, name: "MongoServerError", keyValue: { _id: "x" } });
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe("email_1");
    const error = await coll.insertOne({ email: "a@x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: "a@x" } });
    await coll.insertOne({ _id: "y" as never, email: "b@x" });
    await expect(coll.updateOne({ _id: "y" as never }, { $set: { email: "a@x" } })).rejects.toMatchObject({ code: 11000 });
    expect(await coll.countDocuments({ email: "a@x" })).toBe(1);
  });

  test("creating a unique index over duplicate data fails; compound and sparse indexes follow MongoDB", async () => {
    const { coll } = await setup();
    await coll.insertMany([{ t: "A", email: "e" }, { t: "B", email: "e" }, { t: "A" }]);
    await expect(coll.createIndex({ email: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect(await coll.createIndex({ t: 1, email: 1 }, { unique: true })).toBe("t_1_email_1");
    await expect(coll.insertOne({ t: "A" })).rejects.toMatchObject({ code: 11000 }); // missing email indexes as null
    await coll.createIndex({ sku: 1 }, { unique: true, sparse: true });
    await coll.insertOne({ t: "C" });
    const names = (await coll.listIndexes().toArray()).map((i) => [i.name, i.unique ?? false]);
    expect(names).toEqual([["_id_", false], ["t_1_email_1", true], ["sku_1", true]]);
  });

  test("find: sort, skip, limit, project in any call order; async iteration", async () => {
    const { coll } = await setup();
    await coll.insertMany([5, 3, 1, 4, 2].map((n) => ({ _id: n as never, n, extra: true })));
    const docs = await coll.find({ n: { $gte: 2 } }).limit(2).project({ n: 1, _id: 0 }).skip(1).sort({ n: -1 }).toArray();
    expect(docs).toEqual([{ n: 4 }, { n: 3 }]);
    const seen: unknown[] = [];
    for await (const d of coll.find({}, { sort: { n: 1 }, projection: { _id: 1 } })) seen.push(d._id);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  test("updates: operators, pipelines, upsert with $setOnInsert and filter equality seed, immutable _id", async () => {
    const { coll } = await setup();
    await coll.insertOne({ _id: 1 as never, n: 1, items: [{ k: "a", v: 1 }, { k: "b", v: 2 }] });
    expect(await coll.updateOne({ _id: 1 as never, "items.k": "b" }, { $inc: { n: 1, "items.$.v": 10 }, $setOnInsert: { created: true } })).toEqual({
      acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null,
    });
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 2, items: [{ k: "a", v: 1 }, { k: "b", v: 12 }] });
    await coll.updateOne({ _id: 1 as never }, [{ $set: { double: { $multiply: ["$n", 2] } } }]);
    expect((await coll.findOne({ _id: 1 as never }))?.double).toBe(4);
    const up = await coll.updateOne({ tenant_id: "A", email: { $eq: "x" }, age: { $gt: 1 } }, { $set: { name: "n" }, $setOnInsert: { created: true } }, { upsert: true });
    expect(up.upsertedCount).toBe(1);
    const created = await coll.findOne({ _id: up.upsertedId as never });
    expect(created).toEqual({ _id: up.upsertedId, tenant_id: "A", email: "x", name: "n", created: true });
    await expect(coll.updateOne({ _id: 1 as never }, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 });
    await expect(coll.updateOne({ _id: 1 as never }, { n: 3 })).rejects.toThrow(/atomic operators/);
    expect(await coll.updateMany({}, { $set: { all: true } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
  });

  test("replaceOne keeps _id, refuses a different _id, upserts with the filter's _id", async () => {
    const { coll } = await setup();
    await coll.insertOne({ _id: 1 as never, a: 1 });
    await coll.replaceOne({ _id: 1 as never }, { b: 2 });
    expect(await coll.findOne({})).toEqual({ _id: 1, b: 2 });
    await expect(coll.replaceOne({ _id: 1 as never }, { _id: 9, b: 2 })).rejects.toMatchObject({ code: 66 });
    const r = await coll.replaceOne({ _id: 7 as never }, { c: 3 }, { upsert: true });
    expect(r).toMatchObject({ upsertedCount: 1, upsertedId: 7 });
  });

  test("findOneAnd* return before/after documents honouring sort and projection", async () => {
    const { coll } = await setup();
    await coll.insertMany([{ _id: 1 as never, n: 1 }, { _id: 2 as never, n: 2 }]);
    expect(await coll.findOneAndUpdate({}, { $inc: { n: 10 } }, { sort: { n: -1 } })).toEqual({ _id: 2, n: 2 });
    expect(await coll.findOneAndUpdate({ _id: 2 as never }, { $inc: { n: 1 } }, { returnDocument: "after", projection: { _id: 0 } })).toEqual({ n: 13 });
    expect(await coll.findOneAndReplace({ _id: 1 as never }, { z: 1 }, { returnDocument: "after" })).toEqual({ _id: 1, z: 1 });
    expect(await coll.findOneAndDelete({ _id: 1 as never }, {})).toEqual({ _id: 1, z: 1 });
    expect(await coll.findOneAndDelete({ _id: 1 as never }, {})).toBeNull();
  });

  test("countDocuments, distinct (unwinding arrays), deleteOne/deleteMany", async () => {
    const { coll } = await setup();
    await coll.insertMany([{ g: "a", tags: ["x", "y"] }, { g: "b", tags: ["y"] }, { g: "a" }]);
    expect(await coll.countDocuments({ g: "a" })).toBe(2);
    expect(await coll.countDocuments({}, { skip: 1, limit: 1 })).toBe(1);
    expect(await coll.distinct("tags", {}, {})).toEqual(["x", "y"]);
    expect(await coll.deleteOne({ g: "a" })).toEqual({ acknowledged: true, deletedCount: 1 });
    expect(await coll.deleteMany({})).toEqual({ acknowledged: true, deletedCount: 2 });
  });

  test("aggregate with $lookup in the same database; $out and $merge refused", async () => {
    const { client, coll } = await setup();
    await coll.insertMany([{ _id: 1 as never, g: "a" }, { _id: 2 as never, g: "b" }]);
    await client.db("app").collection("groups").insertMany([{ _id: "a" as never, label: "A" }]);
    const out = await coll.aggregate([{ $lookup: { from: "groups", localField: "g", foreignField: "_id", as: "group" } }, { $sort: { _id: 1 } }]).toArray();
    expect(out.map((d) => (d.group as unknown[]).length)).toEqual([1, 0]);
    await expect(coll.aggregate([{ $out: "copy" }]).toArray()).rejects.toBeInstanceOf(MemoryBackendUnsupportedError);
    await expect(coll.aggregate([{ $merge: { into: "copy" } }]).toArray()).rejects.toBeInstanceOf(MemoryBackendUnsupportedError);
  });

  test("bulkWrite returns the driver's BulkWriteResult", async () => {
    const { coll } = await setup();
    const result = await coll.bulkWrite([
      { insertOne: { document: { _id: 1 as never, n: 1 } } },
      { updateOne: { filter: { _id: 1 as never }, update: { $inc: { n: 1 } } } },
      { updateOne: { filter: { _id: 2 as never }, update: { $set: { n: 5 } }, upsert: true } },
      { replaceOne: { filter: { _id: 2 as never }, replacement: { n: 6 } } },
      { deleteOne: { filter: { _id: 1 as never } } },
    ]);
    expect([result.insertedCount, result.matchedCount, result.modifiedCount, result.upsertedCount, result.deletedCount]).toEqual([1, 2, 2, 1, 1]);
    expect(result.insertedIds).toEqual({ 0: 1 });
    expect(result.upsertedIds).toEqual({ 2: 2 });
    expect(result.isOk()).toBe(true);
  });

  test("watch refuses with a clear error", async () => {
    const { coll } = await setup();
    expect(() => coll.watch()).toThrow(MemoryBackendUnsupportedError);
    expect(() => coll.watch()).toThrow(/change streams/);
  });

  test("failWrite fails exactly the nth matching document write, and the write does not happen", async () => {
    const { connector, coll } = await setup();
    const cancel = connector.failWrite({ nth: 3, where: { collection: "users" } });
    await expect(coll.insertMany([{ _id: 1 as never }, { _id: 2 as never }, { _id: 3 as never }, { _id: 4 as never }])).rejects.toBeInstanceOf(InjectedFaultError);
    expect(connector.raw("shared:a", "app", "users").map((d) => d._id)).toEqual([1, 2]);
    await coll.insertOne({ _id: 3 as never });
    cancel();
    expect(connector.raw("shared:a", "app", "users")).toHaveLength(3);
  });

  test("closed clients refuse operations; stats count connects and open clients", async () => {
    const { connector, client, coll } = await setup();
    expect(connector.stats()).toEqual({ connects: 1, open: 1 });
    await client.close();
    expect(connector.stats()).toEqual({ connects: 1, open: 0 });
    await expect(coll.insertOne({})).rejects.toBeInstanceOf(MemoryClientClosedError);
  });

  test("a __proto__ key stays data and never pollutes prototypes", async () => {
    const { coll } = await setup();
    const doc = JSON.parse('{"_id": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    await coll.insertOne(doc);
    const read = await coll.findOne({ _id: 1 as never });
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(read!, "__proto__")).toBe(true);
  });

  test("$lookup with localField/foreignField and a pipeline joins by equality (any array element), then runs the pipeline", async () => {
    const { client, coll } = await setup();
    await coll.insertMany([{ _id: 1 as never, g: ["a", "b"] }, { _id: 2 as never, g: "c" }, { _id: 3 as never }]);
    await client.db("app").collection("groups").insertMany([{ key: "a", t: 1 }, { key: "b", t: 2 }, { key: "c", t: 1 }, { t: 1 }]);
    const out = await coll
      .aggregate([{ $lookup: { from: "groups", localField: "g", foreignField: "key", pipeline: [{ $match: { t: 1 } }, { $project: { _id: 0, key: 1 } }], as: "x" } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(out.map((d) => d.x)).toEqual([[{ key: "a" }], [{ key: "c" }], [{}]]);
  });

  test("seed, collectionNames, databaseNames and drop inspect and reset data directly", async () => {
    const { connector } = await setup();
    connector.seed("shared:a", "app", "b", [{ _id: 1 as never }]);
    connector.seed("shared:a", "other", "c", [{ n: 1 }]);
    expect(connector.collectionNames("shared:a", "app")).toEqual(["b"]);
    expect(connector.databaseNames("shared:a")).toEqual(["app", "other"]);
    expect(() => connector.seed("shared:a", "app", "b", [{ _id: 1 as never }])).toThrow(MongoServerError);
    connector.drop("shared:a", "app", "b");
    expect(connector.raw("shared:a", "app", "b")).toEqual([]);
  });

  test("onOperation holds an operation in flight until the test lets it go", async () => {
    const { connector, coll } = await setup();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    connector.onOperation(async (event) => {
      seen.push(event.method);
      if (event.method === "insertOne") await gate;
    });
    const pending = coll.insertOne({ _id: 1 as never });
    await new Promise((resolve) => setImmediate(resolve));
    expect(connector.raw("shared:a", "app", "users")).toEqual([]);
    release();
    await pending;
    expect(connector.raw("shared:a", "app", "users")).toEqual([{ _id: 1 }]);
    expect(seen).toEqual(["insertOne"]);
  });
});
