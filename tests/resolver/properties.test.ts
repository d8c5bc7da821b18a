// Property tests: for random (and hostile) filters, updates and pipelines, no result holds another tenant's document
// and no write lands untagged, foreign-tagged or on the other tenant's documents (checked on raw backend data).
import fc from "fast-check";
import type { Document } from "mongodb";
import { describe, expect, test } from "vitest";
import { createResolver } from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import { testMap } from "./fixtures";

const A = "acme";
const B = "beta";

const field = fc.constantFrom("email", "name", "n", "group", "tags", "tenant_id", "user_id", "_id", "tenant_id.x", "tags.0", "__proto__", "constructor");
const scalar = fc.oneof(
  fc.constantFrom(A, B, "same@x", "other@x", "Ann", "g1", "t1", "", null),
  fc.integer({ min: -2, max: 3 }),
  fc.boolean(),
);
const comparison = fc.oneof(
  scalar,
  fc.record({ $eq: scalar }),
  fc.record({ $ne: scalar }),
  fc.record({ $gt: scalar }),
  fc.record({ $in: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $nin: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $exists: fc.boolean() }),
  fc.record({ $not: fc.record({ $eq: scalar }) }),
  fc.record({ $regex: fc.constantFrom("^a", "e", ".*", "ta") }),
);

/** A grammar of filters: comparisons, logical operators, $expr, and hostile shapes the guards must refuse. */
const filter: fc.Arbitrary<Document> = fc.letrec<{ f: Document }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small" },
    fc.constant({}),
    fc.tuple(field, comparison).map(([k, v]) => JSON.parse(JSON.stringify({ [k]: v })) as Document),
    fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map(($or) => ({ $or })),
    fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map(($and) => ({ $and })),
    fc.array(tie("f"), { minLength: 1, maxLength: 2 }).map(($nor) => ({ $nor })),
    fc.tuple(fc.constantFrom("$tenant_id", "$email", "$n"), scalar).map(([path, v]) => ({ $expr: { $ne: [path, v] } })),
    fc.constantFrom<Document>(
      { $where: "true" },
      { $expr: { $function: { body: "return true", args: [], lang: "js" } } },
      JSON.parse('{"__proto__": {"tenant_id": "beta"}}') as Document,
      { tenant_id: { $ne: A } },
      { $or: [{ tenant_id: B }, { tenant_id: { $exists: false } }] },
      { tenant_id: B },
      { tenant_id: B, email: "new@x" },
      { $and: [{ tenant_id: B }, { user_id: "u9" }] },
      { email: "nobody@x" },
    ),
  ),
})).f;

const updateOperator = fc.constantFrom("$set", "$unset", "$inc", "$rename", "$setOnInsert", "$push", "$currentDate", "$mul", "$min");
const update: fc.Arbitrary<Document | Document[]> = fc.oneof(
  fc.constantFrom<Document>({ $setOnInsert: { tenant_id: B } }, { $set: { tenant_id: A, name: "x" } }, { $set: { name: "up" } }, { $unset: { tenant_id: "" } }),
  fc
    .array(fc.tuple(updateOperator, field, scalar), { minLength: 1, maxLength: 3 })
    .map((ops) => {
      const out: Document = {};
      for (const [op, f, v] of ops) {
        const value = op === "$rename" ? (typeof v === "string" && v ? v : "renamed") : op === "$currentDate" ? true : op === "$inc" || op === "$mul" ? 2 : op === "$unset" ? "" : v;
        out[op] = { ...(out[op] as Document | undefined), [f]: value };
      }
      return JSON.parse(JSON.stringify(out)) as Document;
    }),
  fc
    .array(
      fc.oneof(
        fc.tuple(field, scalar).map(([f, v]) => ({ $set: JSON.parse(JSON.stringify({ [f]: v })) as Document })),
        field.map((f) => ({ $unset: f })),
        fc.constantFrom<Document>(
          { $replaceWith: { email: "$email" } },
          { $replaceWith: { tenant_id: B, email: "$email" } },
          { $replaceRoot: { newRoot: { x: 1 } } },
          { $project: { email: 1 } },
          { $project: { name: 0 } },
        ),
      ),
      { minLength: 1, maxLength: 3 },
    ),
);

const stage: fc.Arbitrary<Document> = fc.oneof(
  filter.map(($match) => ({ $match })),
  fc.constantFrom<Document>(
    { $project: { email: 1, tenant_id: 1 } },
    { $group: { _id: "$tenant_id", n: { $sum: 1 } } },
    { $group: { _id: "$email", ids: { $push: "$_id" } } },
    { $sort: { n: -1 } },
    { $limit: 3 },
    { $unwind: "$tags" },
    { $lookup: { from: "users", localField: "email", foreignField: "email", as: "twins" } },
    { $lookup: { from: "groups", localField: "group", foreignField: "key", as: "g" } },
    { $lookup: { from: "groups", pipeline: [{ $match: { tenant_id: B } }], as: "g" } },
    { $unionWith: "users" },
    { $unionWith: { coll: "groups", pipeline: [{ $match: {} }] } },
    { $graphLookup: { from: "users", startWith: "$email", connectFromField: "email", connectToField: "email", as: "chain" } },
    { $facet: { all: [{ $match: {} }], twins: [{ $lookup: { from: "users", localField: "email", foreignField: "email", as: "t" } }] } },
    { $out: "stolen" },
    { $merge: { into: "users" } },
    { $documents: [{ tenant_id: B }] },
    { $lookup: { from: "secrets", localField: "a", foreignField: "b", as: "x" } },
    { $collStats: {} },
  ),
);
const pipeline = fc.array(stage, { maxLength: 4 });

async function world() {
  const connector = memoryConnector();
  const resolver = createResolver({ map: testMap(), connector });
  const a = resolver.forTenant({ tenantId: A }).collection("users");
  const b = resolver.forTenant({ tenantId: B }).collection("users");
  for (const [coll, label] of [[a, "A"], [b, "B"]] as const) {
    await coll.insertMany([
      { email: "same@x", name: "Ann", n: 1, group: "g1", tags: ["t1", "t2"] },
      { email: "other@x", name: "Bob", n: 2, group: "g2", tags: ["t2"] },
    ]);
    await resolver.forTenant({ tenantId: coll === a ? A : B }).collection("groups").insertOne({ key: "g1", label });
  }
  const raw = () => connector.raw("shared:eu", "app", "users");
  const bBefore = raw().filter((d) => d.tenant_id === B);
  return { resolver, a: a, raw, bBefore, bIds: bBefore.map((d) => String(d._id)) };
}

/** No B document id anywhere in the output, and no `beta` unless the input itself carried that literal. */
function assertNoB(output: unknown, input: unknown, bIds: readonly string[]): void {
  const text = JSON.stringify(output) ?? "";
  for (const id of bIds) expect(text).not.toContain(id);
  if (!JSON.stringify(input).includes(B)) expect(text).not.toContain(`"${B}"`);
}

function assertStoredInvariant(raw: Document[], bBefore: Document[]): void {
  for (const d of raw) {
    expect(typeof d.tenant_id).toBe("string");
    expect([A, B]).toContain(d.tenant_id);
  }
  expect(raw.filter((d) => d.tenant_id === B)).toEqual(bBefore);
}

const settle = async (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);

describe("properties", () => {
  test("reads (find, findOne, countDocuments, distinct) never return another tenant's document", async () => {
    await fc.assert(
      fc.asyncProperty(filter, async (f) => {
        const w = await world();
        const found = (await settle(w.a.find(f).toArray())) as Document[] | undefined;
        for (const d of found ?? []) expect(d.tenant_id).toBe(A);
        assertNoB(found, f, w.bIds);
        assertNoB(await settle(w.a.findOne(f)), f, w.bIds);
        const count = (await settle(w.a.countDocuments(f))) as number | undefined;
        if (count !== undefined) expect(count).toBeLessThanOrEqual(2);
        assertNoB(await settle(w.a.distinct("_id", f)), f, w.bIds);
        await w.resolver.close();
      }),
      { numRuns: 150 },
    );
  });

  test("aggregations never return another tenant's document", async () => {
    await fc.assert(
      fc.asyncProperty(pipeline, async (p) => {
        const w = await world();
        const out = await settle(w.a.aggregate(p).toArray());
        assertNoB(out, p, w.bIds);
        assertStoredInvariant(w.raw(), w.bBefore);
        await w.resolver.close();
      }),
      { numRuns: 150 },
    );
  });

  test("writes never land untagged or foreign-tagged, and never touch the other tenant", async () => {
    const write = fc.oneof(
      fc.tuple(filter, update, fc.boolean()).map(([f, u, upsert]) => ["updateOne", f, u, upsert] as const),
      fc.tuple(filter, update, fc.boolean()).map(([f, u, upsert]) => ["updateMany", f, u, upsert] as const),
      fc.tuple(filter, update, fc.boolean()).map(([f, u, upsert]) => ["findOneAndUpdate", f, u, upsert] as const),
      fc.tuple(filter, fc.dictionary(field, scalar, { maxKeys: 3 }), fc.boolean()).map(([f, r, upsert]) => ["replaceOne", f, r, upsert] as const),
      fc.tuple(fc.constant({}), fc.dictionary(field, scalar, { maxKeys: 3 }), fc.constant(false)).map(([f, d]) => ["insertOne", f, d, false] as const),
      filter.map((f) => ["deleteMany", f, undefined, false] as const),
      fc.tuple(filter, update, fc.boolean()).map(([f, u, upsert]) => ["bulkWrite", f, u, upsert] as const),
    );
    await fc.assert(
      fc.asyncProperty(write, async ([method, f, arg, upsert]) => {
        const w = await world();
        const a = w.a;
        const input = JSON.parse(JSON.stringify(arg ?? {})) as Document;
        const calls: Record<string, () => Promise<unknown>> = {
          updateOne: () => a.updateOne(f, input, { upsert }),
          updateMany: () => a.updateMany(f, input, { upsert }),
          findOneAndUpdate: () => a.findOneAndUpdate(f, input, { upsert, returnDocument: "after" }),
          replaceOne: () => a.replaceOne(f, input, { upsert }),
          insertOne: () => a.insertOne(input),
          deleteMany: () => a.deleteMany(f),
          bulkWrite: () => a.bulkWrite([{ updateMany: { filter: f, update: input, upsert } }, { deleteOne: { filter: f } }]),
        };
        const result = await settle((calls[method] as () => Promise<unknown>)());
        assertNoB(result, [f, input], w.bIds);
        assertStoredInvariant(w.raw(), w.bBefore);
        await w.resolver.close();
      }),
      { numRuns: 300 },
    );
  });
});
