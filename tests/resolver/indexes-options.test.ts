// Options typed as the driver documents them, pool indexes per tenant with scrubbed errors, change events checked again.
import { Int32 } from "mongodb";
import type { Document, MongoServerError } from "mongodb";
import { describe, expect, test } from "vitest";
import { IsolationViolationError, createResolver } from "../../packages/resolver/src";
import { prefixIndexKeys } from "../../packages/contract/src/connection-map/index-keys";
import { indexNamespace, scrubServerError } from "../../packages/resolver/src/guard/indexes";
import { guardOptions } from "../../packages/resolver/src/guard/options";
import { makeTags } from "../../packages/resolver/src/guard/writes";
import { isOwnEvent } from "../../packages/resolver/src/scoped-collection";
import { memoryConnector } from "../../packages/testing/src";
import { testMap } from "./fixtures";

const T = makeTags("tenant_id", "acme", "user_id", undefined);

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IsolationViolationError) return `${error.reason}:${error.path}`;
    throw error;
  }
  return "ok";
}

describe("options are the driver's documented types", () => {
  test.each([
    ["updateOne", { upsert: 1 }, "malformed-argument:options.upsert"],
    ["updateOne", { upsert: "yes" }, "malformed-argument:options.upsert"],
    ["updateOne", { upsert: true }, "ok"],
    ["find", { skip: -1 }, "malformed-argument:options.skip"],
    ["find", { skip: new Int32(2), limit: -3 }, "ok"],
    ["find", { limit: 1.5 }, "malformed-argument:options.limit"],
    ["find", { upsert: true }, "forbidden-option:options.upsert"],
    ["find", { noSuchOption: 1 }, "forbidden-option:options.noSuchOption"],
    ["find", { session: {} }, "forbidden-option:options.session"],
    ["find", { raw: true }, "forbidden-option:options.raw"],
    ["insertMany", { ordered: "no" }, "malformed-argument:options.ordered"],
    ["watch", { showExpandedEvents: true }, "forbidden-option:options.showExpandedEvents"],
    ["watch", { fullDocument: "bogus" }, "malformed-argument:options.fullDocument"],
    ["find", { collation: { locale: "en", strength: new Int32(2) } }, "forbidden-option:options.collation"],
    ["find", { collation: { locale: "en", strength: 3, evil: 1 } }, "malformed-argument:options.collation.evil"],
    ["updateOne", { arrayFilters: [{ $where: "1" }] }, "server-side-js:options.arrayFilters[0].$where"],
    ["find", { readConcern: { level: "majority" }, maxTimeMS: new Int32(5), comment: "c" }, "ok"],
  ])("%s %o → %s", (method, options, expected) => {
    expect(reasonOf(() => guardOptions(options, T, method))).toBe(expected);
  });

  test("numbers are normalised before they are sent: Int32 skip goes out as 2", () => {
    expect(guardOptions({ skip: new Int32(2), sort: { a: new Int32(-1) } }, T, "find")).toEqual({ skip: 2, sort: { a: -1 } });
  });

  test("bulkWrite upsert must be a boolean too", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    const error = (await users.bulkWrite([{ updateOne: { filter: {}, update: { $set: { a: 1 } }, upsert: 1 } }] as never).catch((e: unknown) => e)) as IsolationViolationError;
    expect([error.reason, error.path]).toEqual(["malformed-argument", "operations[0].updateOne.upsert"]);
    await resolver.close();
  });
});

describe("indexes", () => {
  test("the prefix rule: partition fields first, the caller's keys after, tags never twice", () => {
    expect(prefixIndexKeys(["tenant_id", "user_id"], [["email", -1], ["tenant_id", 1]])).toEqual({ tenant_id: 1, user_id: 1, email: -1 });
  });

  function pool() {
    const memory = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector: memory });
    const users = (id: string) => resolver.forTenant({ tenantId: id }).collection("users");
    const indexes = async () => {
      const client = await memory.connect({ clusterKey: "shared:eu", credentialKey: "shared:eu", credentials: undefined } as never);
      return client.db("app").collection("users").listIndexes().toArray();
    };
    return { resolver, users, indexes };
  }

  test("a pool tenant's index is its own partial index under a namespaced name; createIndex answers the same whatever others did", async () => {
    const { resolver, users, indexes } = pool();
    const first = await users("acme").createIndex({ email: 1 }, { unique: true, partialFilterExpression: { tenant_id: "beta", active: true } });
    const alone = await users("beta").createIndex({ email: 1 }, { unique: true });
    expect([first, alone]).toEqual(["tenant_id_1_email_1", "tenant_id_1_email_1"]);
    const byName = Object.fromEntries((await indexes()).map((i: Document) => [i.name, i.partialFilterExpression]));
    expect(byName[`${indexNamespace("acme")}tenant_id_1_email_1`]).toEqual({ $and: [{ tenant_id: "acme" }, { tenant_id: "beta", active: true }] });
    expect(byName[`${indexNamespace("beta")}tenant_id_1_email_1`]).toEqual({ tenant_id: "beta" });
    // acme's odd partial filter constrains nothing of beta's: beta inserts duplicates of its own only where it asked.
    await users("beta").insertOne({ email: "x", active: true });
    const dup = (await users("beta").insertOne({ email: "x", active: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(dup.code).toBe(11000);
    expect(dup.message).not.toMatch(/t_[0-9a-f]{12}_|dup key|beta/);
    expect(dup.message).toContain("tenant_id_1_email_1");
    await resolver.close();
  });

  test("text indexes and sparse are refused in pool collections, with the reason", async () => {
    const { resolver, users } = pool();
    const text = (await users("acme").createIndex({ body: "text" }).catch((e: unknown) => e)) as IsolationViolationError;
    const sparse = (await users("acme").createIndex({ a: 1 }, { sparse: true }).catch((e: unknown) => e)) as IsolationViolationError;
    expect([text.reason, text.path, sparse.reason, sparse.path]).toEqual(["forbidden-option", "indexSpec", "forbidden-option", "options.sparse"]);
    await resolver.close();
  });

  test("server errors lose other tenants' key values and index names", () => {
    const error = {
      message: `E11000 duplicate key error collection: app.users index: ${indexNamespace("beta")}email_1 dup key: { tenant_id: "beta", email: "b@x" }`,
      code: 11000,
      keyValue: { tenant_id: "beta", email: "b@x" },
      keyPattern: { tenant_id: 1, email: 1 },
      errorResponse: { errmsg: 'dup key: { email: "b@x" }' },
    };
    scrubServerError(error, T, "acme");
    expect(error).toEqual({
      message: "E11000 duplicate key error collection: app.users index: <an index of another tenant>",
      code: 11000,
      keyPattern: { email: 1 },
      errorResponse: { errmsg: "" },
    });
  });
});

describe("change events", () => {
  test.each([
    [{ operationType: "update", fullDocument: { tenant_id: "acme" } }, true],
    [{ operationType: "update", fullDocument: { tenant_id: "beta" }, fullDocumentBeforeChange: { tenant_id: "acme" } }, false],
    [{ operationType: "delete", fullDocumentBeforeChange: { tenant_id: "acme" } }, true],
    [{ operationType: "update", fullDocument: null, fullDocumentBeforeChange: { tenant_id: "acme" } }, true],
    [{ operationType: "insert", fullDocument: { tenant_id: ["acme", "beta"] } }, false],
  ])("%j delivered: %s", (event, delivered) => {
    expect(isOwnEvent(event, T)).toBe(delivered);
  });
});
