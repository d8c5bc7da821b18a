// The guards as pure functions: exact rewritten filters, updates and pipelines, and the exact refusal for each hostile input.
import { Code, ObjectId } from "mongodb";
import { describe, expect, test } from "vitest";
import { CrossTenantWriteError, IsolationViolationError, MalformedContextError, UndeclaredCollectionError } from "../../packages/resolver/src";
import { guardCollation, guardLet, guardOptions } from "../../packages/resolver/src/guard/options";
import { rewriteChangeStream, rewritePipeline } from "../../packages/resolver/src/guard/pipeline";
import type { PipelineScope } from "../../packages/resolver/src/guard/pipeline";
import { andCondition, sanitizeFilter } from "../../packages/resolver/src/guard/sanitize";
import { guardUpdate, makeTags, tagDocument } from "../../packages/resolver/src/guard/writes";

const T = makeTags("tenant_id", "acme", "user_id", undefined);
const TU = makeTags("tenant_id", "acme", "user_id", "u1");

const scope: PipelineScope = {
  method: "aggregate",
  tags: T,
  foreign: (logical) => {
    if (logical === "groups") return { physical: "t_acme__groups", tags: T };
    if (logical === "notes") throw new MalformedContextError("userId", "is required by the user-scoped collection [notes]");
    throw new UndeclaredCollectionError(logical, ["groups", "notes", "users"]);
  },
};

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IsolationViolationError) return `${error.name}:${error.reason}:${error.path}`;
    if (error instanceof Error) return error.name;
    throw error;
  }
  return "ok";
}

describe("filters", () => {
  test.each([
    [undefined, { tenant_id: "acme" }],
    [{}, { tenant_id: "acme" }],
    [{ email: "a" }, { tenant_id: "acme", email: "a" }],
    [{ tenant_id: "beta" }, { $and: [{ tenant_id: "acme" }, { tenant_id: "beta" }] }],
    [{ tenant_id: { $ne: "acme" } }, { $and: [{ tenant_id: "acme" }, { tenant_id: { $ne: "acme" } }] }],
    [{ $or: [{ tenant_id: "beta" }, {}] }, { tenant_id: "acme", $or: [{ tenant_id: "beta" }, {}] }],
    [{ email: { $ne: null } }, { tenant_id: "acme", email: { $ne: null } }],
    [{ $text: { $search: "x" } }, { tenant_id: "acme", $text: { $search: "x" } }],
  ])("%j is scoped with the tenant condition as a top-level conjunct", (filter, expected) => {
    expect(andCondition(T.condition, sanitizeFilter(filter, "find"))).toEqual(expected);
  });

  test.each([
    ["$where", { $where: "this.tenant_id != 'acme'" }, "IsolationViolationError:server-side-js:filter.$where"],
    ["$function in $expr", { $expr: { $function: { body: "return true", args: [], lang: "js" } } }, "IsolationViolationError:server-side-js:filter.$expr.$function"],
    ["$accumulator deep", { a: { $elemMatch: { $expr: { $accumulator: {} } } } }, "IsolationViolationError:server-side-js:filter.a.$elemMatch.$expr.$accumulator"],
    ["BSON Code value", { a: new Code("return 1") }, "IsolationViolationError:server-side-js:filter.a"],
    ["a function value", { a: () => true }, "IsolationViolationError:server-side-js:filter.a"],
    ["__proto__ key", JSON.parse('{"__proto__": {"tenant_id": "beta"}}') as unknown, "IsolationViolationError:forbidden-key:filter.__proto__"],
    ["constructor key", { constructor: { prototype: {} } }, "IsolationViolationError:forbidden-key:filter.constructor"],
    ["prototype key nested", { $and: [{ prototype: 1 }] }, "IsolationViolationError:forbidden-key:filter.$and[0].prototype"],
    ["an array", [{ tenant_id: "beta" }], "IsolationViolationError:malformed-argument:filter"],
    ["a string", "tenant_id", "IsolationViolationError:malformed-argument:filter"],
    ["null", null, "IsolationViolationError:malformed-argument:filter"],
    ["a Map", new Map([["tenant_id", "beta"]]), "IsolationViolationError:malformed-argument:filter"],
    ["a class instance", new (class Q { tenant_id = "beta"; })(), "IsolationViolationError:malformed-argument:filter"],
    ["a fake BSON value", { a: { _bsontype: "Code", code: "x" } }, "IsolationViolationError:server-side-js:filter.a"],
    ["a fake ObjectId", { a: { _bsontype: "ObjectId", id: "x" } }, "IsolationViolationError:malformed-argument:filter.a"],
    ["$expr without JS", { $expr: { $eq: ["$tenant_id", "beta"] } }, "ok"],
    ["operator injected through a value", { email: { $ne: "" }, tenant_id: { $exists: true } }, "ok"],
    ["ObjectId, Date and RegExp values", { _id: new ObjectId(), at: new Date(0), name: /a/i }, "ok"],
  ])("%s → %s", (_name, filter, expected) => {
    expect(reasonOf(() => sanitizeFilter(filter, "find"))).toBe(expected);
  });

  test("deeply nested filters are refused, not a stack overflow", () => {
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 100; i++) deep = { $and: [deep] };
    expect(reasonOf(() => sanitizeFilter(deep, "find"))).toMatch(/^IsolationViolationError:malformed-argument:/);
  });

  test("what is checked is what is sent: a getter is read once, into a copy", () => {
    let reads = 0;
    const filter = {
      get email() {
        reads++;
        return reads === 1 ? "a" : { $where: "1" };
      },
    };
    const copy = sanitizeFilter(filter, "find");
    expect(copy).toEqual({ email: "a" });
    expect(copy?.email).toBe("a");
    expect(reads).toBe(1);
  });
});

describe("writes", () => {
  test.each([
    [{ email: "a" }, T, { email: "a", tenant_id: "acme" }],
    [{ email: "a", tenant_id: "acme" }, T, { email: "a", tenant_id: "acme" }],
    [{ email: "a" }, TU, { email: "a", tenant_id: "acme", user_id: "u1" }],
  ])("insert %j is tagged", (doc, tags, expected) => {
    expect(tagDocument(doc, tags, "insertOne", "doc")).toEqual(expected);
  });

  test.each([
    ["another tenant", { tenant_id: "beta" }, T, "CrossTenantWriteError:tag-write:doc.tenant_id"],
    ["a tag array", { tenant_id: ["acme", "beta"] }, T, "CrossTenantWriteError:tag-write:doc.tenant_id"],
    ["null tag", { tenant_id: null }, T, "CrossTenantWriteError:tag-write:doc.tenant_id"],
    ["another user", { user_id: "u2" }, TU, "CrossTenantWriteError:tag-write:doc.user_id"],
    ["a toBSON function", { toBSON: () => ({ tenant_id: "beta" }) }, T, "IsolationViolationError:malformed-argument:doc.toBSON"],
    ["an operator document", { $set: { a: 1 } }, T, "IsolationViolationError:malformed-argument:doc.$set"],
    ["an array", [{ a: 1 }], T, "IsolationViolationError:malformed-argument:doc"],
    ["a class instance", new Date(), T, "IsolationViolationError:malformed-argument:doc"],
  ])("insert with %s is refused", (_name, doc, tags, expected) => {
    expect(reasonOf(() => tagDocument(doc, tags, "insertOne", "doc"))).toBe(expected);
  });

  test.each([
    ["$set tenant", { $set: { tenant_id: "beta" } }, "CrossTenantWriteError:tag-write:update.$set.tenant_id"],
    ["$set dotted", { $set: { "tenant_id.x": 1 } }, "CrossTenantWriteError:tag-write:update.$set.tenant_id.x"],
    ["$unset", { $unset: { tenant_id: "" } }, "CrossTenantWriteError:tag-write:update.$unset.tenant_id"],
    ["$rename from", { $rename: { tenant_id: "t" } }, "CrossTenantWriteError:tag-write:update.$rename.tenant_id"],
    ["$rename onto", { $rename: { other: "tenant_id" } }, "CrossTenantWriteError:tag-write:update.$rename.other"],
    ["$inc", { $inc: { tenant_id: 1 } }, "CrossTenantWriteError:tag-write:update.$inc.tenant_id"],
    ["$push", { $push: { tenant_id: "beta" } }, "CrossTenantWriteError:tag-write:update.$push.tenant_id"],
    ["$currentDate", { $currentDate: { tenant_id: true } }, "CrossTenantWriteError:tag-write:update.$currentDate.tenant_id"],
    ["$setOnInsert another value", { $setOnInsert: { tenant_id: "beta" } }, "CrossTenantWriteError:tag-write:update.$setOnInsert.tenant_id"],
    ["$set same value", { $set: { tenant_id: "acme", a: 1 } }, "ok"],
    ["an unknown operator", { $evil: { a: 1 } }, "IsolationViolationError:malformed-argument:update.$evil"],
    ["a replacement passed as update", { a: 1 }, "IsolationViolationError:malformed-argument:update.a"],
    ["an empty update", {}, "IsolationViolationError:malformed-argument:update"],
    ["$where in $pull", { $pull: { a: { $where: "1" } } }, "IsolationViolationError:server-side-js:update.$pull.a.$where"],
    ["pipeline $set", [{ $set: { tenant_id: "beta" } }], "CrossTenantWriteError:tag-write:update[0].$set.tenant_id"],
    ["pipeline $addFields dotted", [{ $addFields: { "tenant_id.x": 1 } }], "CrossTenantWriteError:tag-write:update[0].$addFields.tenant_id.x"],
    ["pipeline $unset", [{ $unset: ["a", "tenant_id"] }], "CrossTenantWriteError:tag-write:update[0].$unset.tenant_id"],
    ["pipeline $project exclusion", [{ $project: { tenant_id: 0 } }], "CrossTenantWriteError:tag-write:update[0].$project.tenant_id"],
    ["pipeline $lookup", [{ $lookup: { from: "x" } }], "IsolationViolationError:forbidden-stage:update[0].$lookup"],
    ["pipeline $function", [{ $set: { a: { $function: {} } } }], "IsolationViolationError:server-side-js:update[0].$set.a.$function"],
    ["empty pipeline", [], "IsolationViolationError:malformed-argument:update"],
  ])("update %s → %s", (_name, update, expected) => {
    expect(reasonOf(() => guardUpdate(update, T, "updateOne", "update", false))).toBe(expected);
  });

  test("user-scoped updates protect user_id too; tenant-scoped ones leave user_id an ordinary field", () => {
    expect(reasonOf(() => guardUpdate({ $set: { user_id: "u2" } }, TU, "updateOne", "update", false))).toBe("CrossTenantWriteError:tag-write:update.$set.user_id");
    expect(guardUpdate({ $set: { user_id: "u2" } }, T, "updateOne", "update", false)).toEqual({ $set: { user_id: "u2" } });
  });

  test.each([
    [{ $set: { a: 1 } }, { $set: { a: 1 }, $setOnInsert: { tenant_id: "acme", user_id: "u1" } }],
    [{ $set: { a: 1 }, $setOnInsert: { b: 2 } }, { $set: { a: 1 }, $setOnInsert: { b: 2, tenant_id: "acme", user_id: "u1" } }],
    [{ $set: { tenant_id: "acme" } }, { $set: { tenant_id: "acme" }, $setOnInsert: { user_id: "u1" } }],
  ])("an upsert %j always inserts a tagged document", (update, expected) => {
    expect(guardUpdate(update, TU, "updateOne", "update", true)).toEqual(expected);
  });

  test("a pipeline update ends with a literal re-tag, so $replaceWith cannot drop or change the tags", () => {
    expect(guardUpdate([{ $replaceWith: { a: "$a" } }], TU, "updateOne", "update", false)).toEqual([
      { $replaceWith: { a: "$a" } },
      { $set: { tenant_id: { $literal: "acme" }, user_id: { $literal: "u1" } } },
    ]);
  });
});

describe("pipelines", () => {
  test.each([
    ["empty", [], [{ $match: { tenant_id: "acme" } }]],
    ["a leading $match joins the tenant's", [{ $match: { tenant_id: "beta" } }], [{ $match: { $and: [{ tenant_id: "acme" }, { tenant_id: "beta" }] } }]],
    ["a leading $text match stays first", [{ $match: { $text: { $search: "x" } } }, { $limit: 1 }], [{ $match: { tenant_id: "acme", $text: { $search: "x" } } }, { $limit: 1 }]],
    [
      "$lookup equality form",
      [{ $lookup: { from: "groups", localField: "g", foreignField: "key", as: "x" } }],
      [{ $match: { tenant_id: "acme" } }, { $lookup: { from: "t_acme__groups", localField: "g", foreignField: "key", as: "x", pipeline: [{ $match: { tenant_id: "acme" } }] } }],
    ],
    [
      "$lookup sub-pipeline",
      [{ $lookup: { from: "groups", let: { k: "$g" }, pipeline: [{ $match: { $expr: { $eq: ["$key", "$$k"] } } }], as: "x" } }],
      [
        { $match: { tenant_id: "acme" } },
        { $lookup: { from: "t_acme__groups", let: { k: "$g" }, pipeline: [{ $match: { tenant_id: "acme", $expr: { $eq: ["$key", "$$k"] } } }], as: "x" } },
      ],
    ],
    [
      "$graphLookup",
      [{ $graphLookup: { from: "groups", startWith: "$g", connectFromField: "k", connectToField: "k", as: "x", restrictSearchWithMatch: { a: 1 } } }],
      [
        { $match: { tenant_id: "acme" } },
        { $graphLookup: { from: "t_acme__groups", startWith: "$g", connectFromField: "k", connectToField: "k", as: "x", restrictSearchWithMatch: { tenant_id: "acme", a: 1 } } },
      ],
    ],
    ["$unionWith string", [{ $unionWith: "groups" }], [{ $match: { tenant_id: "acme" } }, { $unionWith: { coll: "t_acme__groups", pipeline: [{ $match: { tenant_id: "acme" } }] } }]],
    [
      "$geoNear keeps first place with the condition inside",
      [{ $geoNear: { near: [0, 0], distanceField: "d", query: { a: 1 } } }],
      [{ $geoNear: { near: [0, 0], distanceField: "d", query: { tenant_id: "acme", a: 1 } } }, { $match: { tenant_id: "acme" } }],
    ],
    [
      "$vectorSearch gets a tenant filter",
      [{ $vectorSearch: { index: "v", path: "e", queryVector: [1], limit: 5, numCandidates: 50 } }],
      [{ $vectorSearch: { index: "v", path: "e", queryVector: [1], limit: 5, numCandidates: 50, filter: { tenant_id: "acme" } } }, { $match: { tenant_id: "acme" } }],
    ],
    [
      "$facet sub-pipelines are checked, not re-matched",
      [{ $facet: { a: [{ $count: "n" }], b: [{ $lookup: { from: "groups", localField: "g", foreignField: "k", as: "x" } }] } }],
      [
        { $match: { tenant_id: "acme" } },
        { $facet: { a: [{ $count: "n" }], b: [{ $lookup: { from: "t_acme__groups", localField: "g", foreignField: "k", as: "x", pipeline: [{ $match: { tenant_id: "acme" } }] } }] } },
      ],
    ],
  ])("%s", (_name, pipeline, expected) => {
    expect(rewritePipeline(pipeline, scope, "pipeline")).toEqual(expected);
  });

  test.each([
    ["$out", [{ $out: "x" }], "IsolationViolationError:forbidden-stage:pipeline[0].$out"],
    ["$merge", [{ $merge: { into: "x" } }], "IsolationViolationError:forbidden-stage:pipeline[0].$merge"],
    ["$documents", [{ $documents: [{ tenant_id: "acme" }] }], "IsolationViolationError:forbidden-stage:pipeline[0].$documents"],
    ["$collStats", [{ $collStats: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$collStats"],
    ["$indexStats", [{ $indexStats: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$indexStats"],
    ["$currentOp", [{ $currentOp: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$currentOp"],
    ["$listSessions", [{ $listSessions: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$listSessions"],
    ["$planCacheStats", [{ $planCacheStats: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$planCacheStats"],
    ["$changeStream", [{ $changeStream: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$changeStream"],
    ["$listSearchIndexes", [{ $listSearchIndexes: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$listSearchIndexes"],
    ["$search", [{ $search: { text: { query: "a", path: "b" } } }], "IsolationViolationError:forbidden-stage:pipeline[0].$search"],
    ["an unknown stage", [{ $newStage: {} }], "IsolationViolationError:forbidden-stage:pipeline[0].$newStage"],
    ["$geoNear not first", [{ $match: {} }, { $geoNear: {} }], "IsolationViolationError:forbidden-stage:pipeline[1].$geoNear"],
    ["$lookup of an undeclared collection", [{ $lookup: { from: "secrets", as: "x" } }], "UndeclaredCollectionError"],
    ["$lookup into another database", [{ $lookup: { from: { db: "admin", coll: "system.users" }, as: "x" } }], "IsolationViolationError:forbidden-stage:pipeline[0].$lookup.from"],
    ["$lookup of a user collection without user", [{ $lookup: { from: "notes", as: "x" } }], "MalformedContextError"],
    ["$lookup let shadowing the tenant field", [{ $lookup: { from: "groups", let: { tenant_id: "beta" }, pipeline: [], as: "x" } }], "IsolationViolationError:forbidden-option:pipeline[0].$lookup.let.tenant_id"],
    ["$out inside $lookup", [{ $lookup: { from: "groups", pipeline: [{ $out: "x" }], as: "x" } }], "IsolationViolationError:forbidden-stage:pipeline[0].$lookup.pipeline[0].$out"],
    ["$unionWith $documents only", [{ $unionWith: { pipeline: [{ $documents: [] }] } }], "IsolationViolationError:forbidden-stage:pipeline[0].$unionWith.coll"],
    ["$accumulator in $group", [{ $group: { _id: null, x: { $accumulator: {} } } }], "IsolationViolationError:server-side-js:pipeline[0].$group.x.$accumulator"],
    ["two operators in a stage", [{ $match: {}, $limit: 1 }], "IsolationViolationError:malformed-argument:pipeline[0]"],
  ])("%s is refused", (_name, pipeline, expected) => {
    expect(reasonOf(() => rewritePipeline(pipeline, scope, "pipeline"))).toBe(expected);
  });

  test("a change stream matches the tagged pre- or post-image first", () => {
    const after = { "fullDocument.tenant_id": "acme", "fullDocument.user_id": "u1" };
    const before = { "fullDocumentBeforeChange.tenant_id": "acme", "fullDocumentBeforeChange.user_id": "u1" };
    expect(rewriteChangeStream([{ $match: { operationType: "insert" } }], { ...scope, tags: TU }, "pipeline")).toEqual([
      {
        $match: {
          $or: [after, before],
          $and: [{ $or: [{ fullDocument: null }, after] }, { $or: [{ fullDocumentBeforeChange: null }, before] }],
        },
      },
      { $match: { operationType: "insert" } },
    ]);
    expect(reasonOf(() => rewriteChangeStream([{ $group: { _id: 1 } }], scope, "pipeline"))).toBe("IsolationViolationError:forbidden-stage:pipeline[0].$group");
  });
});

describe("options", () => {
  test.each([
    ["bypassDocumentValidation", { bypassDocumentValidation: true }, "IsolationViolationError:forbidden-option:options.bypassDocumentValidation"],
    ["explain", { explain: "executionStats" }, "IsolationViolationError:forbidden-option:options.explain"],
    ["serializeFunctions", { serializeFunctions: true }, "IsolationViolationError:server-side-js:options.serializeFunctions"],
    ["includeResultMetadata", { includeResultMetadata: true }, "IsolationViolationError:forbidden-option:options.includeResultMetadata"],
    ["collation strength 2", { collation: { locale: "en", strength: 2 } }, "IsolationViolationError:forbidden-option:options.collation"],
    ["collation shifted", { collation: { locale: "en", alternate: "shifted" } }, "IsolationViolationError:forbidden-option:options.collation"],
    ["collation numericOrdering", { collation: { locale: "en", numericOrdering: true } }, "IsolationViolationError:forbidden-option:options.collation"],
    ["let tenant_id", { let: { tenant_id: "beta" } }, "IsolationViolationError:forbidden-option:options.let.tenant_id"],
    ["let USER_ID", { let: { USER_ID: "x" } }, "IsolationViolationError:forbidden-option:options.let.USER_ID"],
    ["let with $function", { let: { v: { $function: {} } } }, "IsolationViolationError:server-side-js:options.let.v.$function"],
    ["projection with $function", { projection: { a: { $function: {} } } }, "IsolationViolationError:server-side-js:options.projection.a.$function"],
    ["arrayFilters on find", { arrayFilters: [{ a: 1 }] }, "IsolationViolationError:forbidden-option:options.arrayFilters"],
    ["hint, comment, maxTimeMS, strength-3 collation", { hint: { a: 1 }, comment: "c", maxTimeMS: 5, collation: { locale: "fr", strength: 3 } }, "ok"],
    ["bypassDocumentValidation false", { bypassDocumentValidation: false }, "ok"],
  ])("%s → %s", (_name, options, expected) => {
    expect(reasonOf(() => guardOptions(options, T, "find"))).toBe(expected);
  });

  test("collation and let helpers return copies", () => {
    const collation = { locale: "en" };
    expect(guardCollation(collation, "find", "c")).not.toBe(collation);
    expect(guardLet({ v: 1 }, T, "aggregate", "let")).toEqual({ v: 1 });
  });

  test("CrossTenantWriteError is an IsolationViolationError with reason tag-write", () => {
    const error = new CrossTenantWriteError("insertOne", "doc.tenant_id", "tenant_id");
    expect(error).toBeInstanceOf(IsolationViolationError);
    expect([error.reason, error.field, error.message]).toEqual([
      "tag-write",
      "tenant_id",
      "insertOne: doc.tenant_id: tenant_id must be this scope's value (or absent); refusing to write another value",
    ]);
  });
});
