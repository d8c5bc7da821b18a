// The memory backend reads option values as the server does: safeBool truthiness, TypeMismatch, negative skip, $sample.
import { Int32 } from "mongodb";
import type { MongoServerError } from "mongodb";
import { describe, expect, test } from "vitest";
import { memoryConnector } from "../../packages/testing/src";

async function collection() {
  const memory = memoryConnector();
  const client = await memory.connect({ clusterKey: "c", credentialKey: "c", credentials: undefined } as never);
  const users = client.db("app").collection("users");
  await users.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
  return users;
}

const codeOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => "ok", (e: unknown) => `${(e as MongoServerError).code}:${(e as MongoServerError).codeName}`);

describe("memory backend option coercion", () => {
  test.each([
    [true, 1],
    [1, 1],
    [new Int32(1), 1],
    [0, 0],
    [false, 0],
  ])("upsert %o upserts like the server (safeBool) → %i upserted", async (upsert, upserted) => {
    const users = await collection();
    const result = await users.updateOne({ n: 99 }, { $set: { x: 1 } }, { upsert } as never);
    expect(result.upsertedCount).toBe(upserted);
  });

  test.each([["yes"], [{}], [[true]]])("upsert %j is a TypeMismatch, never a silent upsert", async (upsert) => {
    const users = await collection();
    expect(await codeOf(users.updateOne({ n: 99 }, { $set: { x: 1 } }, { upsert } as never))).toBe("14:TypeMismatch");
    expect((await users.find({ n: 99 }).toArray()).length).toBe(0);
  });

  test("a negative skip fails as on the server; a negative limit is a single batch of |n|", async () => {
    const users = await collection();
    expect(await codeOf(users.find({}, { skip: -1 }).toArray())).toBe("51024:Location51024");
    expect(await codeOf(users.countDocuments({}, { skip: -1 }))).toBe("51024:Location51024");
    expect((await users.find({}, { limit: -2 }).toArray()).length).toBe(2);
  });

  test("$sample draws without replacement: never one document twice, all of them when size exceeds the count", async () => {
    const users = await collection();
    for (let i = 0; i < 20; i++) {
      const docs = await users.aggregate([{ $sample: { size: 10 } }]).toArray();
      expect(docs.length).toBe(3);
      expect(new Set(docs.map((d) => String(d._id))).size).toBe(3);
    }
    expect(await codeOf(users.aggregate([{ $sample: { size: -1 } }]).toArray())).toBe("28747:Location28747");
  });

  test("indexes with one key pattern may coexist when their partial filters differ, never under two names otherwise", async () => {
    const users = await collection();
    expect(await users.createIndex({ n: 1 }, { name: "a", partialFilterExpression: { t: "a" } })).toBe("a");
    expect(await users.createIndex({ n: 1 }, { name: "b", partialFilterExpression: { t: "b" } })).toBe("b");
    expect(await codeOf(users.createIndex({ n: 1 }, { name: "c", partialFilterExpression: { t: "b" } }))).toBe("85:IndexOptionsConflict");
  });
});
