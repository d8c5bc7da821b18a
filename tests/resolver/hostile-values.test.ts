// Hostile VALUES (toBSON at any depth, BSON wrappers, class instances, Proxies, getters, prototype tricks, Symbol keys)
// against the SERIALISED commands: what the backend is handed is BSON-serialised as the driver would (memory backend) or
// captured by command monitoring (real server), and the assertions read those bytes back.
// Local capture, kept small: when tests/support/wire.ts (issue 9) lands it replaces `capture` below.
import { ObjectId as OtherCopyObjectId } from "bson";
import fc from "fast-check";
import { BSON, Code, Decimal128, Double, Int32, Long, MongoClient, ObjectId } from "mongodb";
import type { CommandStartedEvent, Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BackendClient, BackendCollection, BackendDb, Connector } from "../../packages/contract/src/backend/types";
import { IsolationViolationError, createResolver } from "../../packages/resolver/src";
import type { ScopedCollection } from "../../packages/resolver/src";
import { mongoConnector } from "../../packages/resolver/src/mongo-connector";
import { memoryConnector } from "../../packages/testing/src";
import { MONGODB_URI } from "../support/backends";
import { testMap } from "./fixtures";

const A = "acme";
const B = "beta";

/** Serialises like the driver's OP_MSG (checkKeys, serializeFunctions off; undefined as null) and reads it back. */
function wire(value: Document): Document {
  return BSON.deserialize(BSON.serialize(value, { checkKeys: false, serializeFunctions: false, ignoreUndefined: false }), { promoteValues: false, promoteBuffers: false });
}

interface Sent {
  method: string;
  /** Every argument as it went over the wire. */
  args: Document;
}

/** A connector recording every collection call's arguments as serialised BSON. */
function capturing(inner: Connector, sent: Sent[]): Connector {
  const wrap = (c: BackendCollection): BackendCollection =>
    new Proxy(c, {
      get(target, key, receiver) {
        const original = Reflect.get(target, key, receiver) as unknown;
        if (typeof original !== "function" || typeof key !== "string") return original;
        return (...args: unknown[]) => {
          sent.push({ method: key, args: wire({ args }) });
          return (original as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    needsCredentials: inner.needsCredentials,
    async connect(target) {
      const client = await inner.connect(target);
      const wrapped: BackendClient = { db: (name) => withCollections(client.db(name), (n) => wrap(client.db(name).collection(n))), close: () => client.close() };
      return wrapped;
    },
  };
}

/** A database whose collections come from `collection`, every administration method passed to `db` unchanged. */
function withCollections(db: BackendDb, collection: (name: string) => BackendCollection): BackendDb {
  return {
    databaseName: db.databaseName,
    collection,
    createCollection: (name, options) => db.createCollection(name, options),
    listCollections: (filter) => db.listCollections(filter),
    command: (command) => db.command(command),
  };
}

// ---- hostile values -------------------------------------------------------------------------------------------

class Account {
  tenant_id = B;
  name = "x";
}

/** Builders, not values: each call makes a fresh hostile object (getters and Proxies keep state). */
const hostile: fc.Arbitrary<() => unknown> = fc.constantFrom<() => unknown>(
  () => ({ toBSON: () => ({ tenant_id: B }) }),
  () => Object.assign(new Date(0), { toBSON: () => ({ $where: "true" }) }),
  () => Object.assign(/a/, { toBSON: () => B }),
  () => Object.assign(Buffer.from("x"), { toBSON: () => ({ tenant_id: B }) }),
  () => Object.assign(new ObjectId(), { toBSON: () => B }),
  () => Object.assign(new Int32(1), { toBSON: () => ({ $function: { body: "return 1", args: [], lang: "js" } }) }),
  () => Object.create({ toBSON: () => ({ tenant_id: B }) }) as unknown,
  () => new Account(),
  () => new Proxy({ name: "x" }, { get: (t, k) => (k === "tenant_id" ? B : Reflect.get(t, k)), ownKeys: () => ["name", "tenant_id"], getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }) }),
  () => {
    let reads = 0;
    return {
      get name() {
        reads++;
        return reads === 1 ? "x" : { $where: "true" };
      },
    };
  },
  () => Object.create({ tenant_id: B }) as unknown,
  () => ({ [Symbol.for("@@mdb.bson.type")]: "Code", _bsontype: "ObjectId", code: "return 1" }),
  () => ({ _bsontype: "Code", code: "return 1" }),
  () => ({ [Symbol("k")]: B, name: "x" }),
  () => new Code("return 1"),
  () => new Map([["tenant_id", B]]),
  () => () => true,
  () => Symbol("s"),
  () => Object.setPrototypeOf({ name: "x" }, Array.prototype) as unknown,
);

/** Plain values, BSON wrappers included: these must go through and arrive byte-identical. */
const benign: fc.Arbitrary<() => unknown> = fc.constantFrom<() => unknown>(
  () => "x",
  () => 1,
  () => new Int32(2),
  () => new Double(1),
  () => new Double(1.5),
  () => Long.fromNumber(3),
  () => Decimal128.fromString("1.5"),
  () => new ObjectId("64b7f0c2a1b2c3d4e5f60718"),
  () => new Date(0),
  () => /x/i,
  () => Buffer.from("ab"),
  () => null,
  () => undefined,
);

/** A value at some depth inside a plain wrapper. */
const nested = (leaf: fc.Arbitrary<() => unknown>): fc.Arbitrary<() => unknown> =>
  fc.tuple(leaf, fc.integer({ min: 0, max: 3 }), fc.constantFrom("name", "a", "tenant_id")).map(([make, depth, key]) => () => {
    let value = make();
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { [key]: value } : [value];
    return value;
  });

const value = fc.oneof(nested(hostile), nested(benign));

type Call = readonly [string, (c: ScopedCollection, v: () => unknown) => Promise<unknown>];
const calls: readonly Call[] = [
  ["find", (c, v) => c.find({ name: v() }).toArray()],
  ["find whole filter", (c, v) => c.find(v() as Document).toArray()],
  ["findOne $and", (c, v) => c.findOne({ $and: [{ name: v() }] })],
  ["countDocuments", (c, v) => c.countDocuments({ name: v() })],
  ["updateOne $set", (c, v) => c.updateOne({ name: "x" }, { $set: { name: v() } }, { upsert: true })],
  ["updateOne filter", (c, v) => c.updateOne({ name: v() }, { $set: { n: 1 } })],
  ["updateOne options", (c, v) => c.updateOne({ name: "x" }, { $set: { n: 1 } }, { upsert: v() } as Document)],
  ["replaceOne", (c, v) => c.replaceOne({ name: "x" }, { name: v() }, { upsert: true })],
  ["insertOne", (c, v) => c.insertOne({ name: v(), deep: { x: v() } })],
  ["insertOne whole", (c, v) => c.insertOne(v() as Document)],
  ["aggregate $match", (c, v) => c.aggregate([{ $match: { name: v() } }]).toArray()],
  ["deleteMany", (c, v) => c.deleteMany({ name: v() })],
  ["bulkWrite", (c, v) => c.bulkWrite([{ updateOne: { filter: { name: v() }, update: { $set: { n: v() } }, upsert: true } }] as never)],
  ["find collation", (c, v) => c.find({}, { collation: { locale: "en", strength: v() } } as Document).toArray()],
];

/** The filter of one sent operation carries `tenant_id: acme` as a top-level conjunct. */
function scoped(filter: unknown): boolean {
  if (filter === null || typeof filter !== "object") return false;
  const f = filter as Document;
  if (f.tenant_id === A) return true;
  const and = f.$and as unknown;
  return Array.isArray(and) && and.some((part) => part !== null && typeof part === "object" && (part as Document).tenant_id === A && Object.keys(part as Document).length === 1);
}

/** No server-side JavaScript anywhere in what was sent. */
function noJavaScript(node: unknown): boolean {
  if (node instanceof Code) return false;
  if (Array.isArray(node)) return node.every(noJavaScript);
  if (node !== null && typeof node === "object" && Object.getPrototypeOf(node) === Object.prototype) {
    return Object.entries(node as Document).every(([k, v]) => !["$where", "$function", "$accumulator"].includes(k) && noJavaScript(v));
  }
  return true;
}

/** Every tag written is ours: a replacement's top level, or the `$set` / `$setOnInsert` of an update (deeper `tenant_id`s are data). */
function noForeignTag(update: unknown): boolean {
  if (update === null || typeof update !== "object" || Array.isArray(update)) return true;
  const u = update as Document;
  const written = [u, u.$set, u.$setOnInsert].filter((d): d is Document => d !== null && typeof d === "object");
  return written.every((d) => !("tenant_id" in d) || d.tenant_id === A);
}

function assertSent(sent: readonly Sent[]): void {
  for (const s of sent) {
    const [first, second, third] = s.args.args as unknown[];
    expect(noJavaScript(s.args)).toBe(true);
    if (["find", "findOne", "countDocuments", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany", "findOneAndUpdate", "distinct"].includes(s.method)) {
      expect(scoped(s.method === "distinct" ? second : first)).toBe(true);
    }
    if (s.method === "aggregate") expect(scoped(((first as Document[])[0] as Document).$match)).toBe(true);
    if (s.method === "insertOne") expect((first as Document).tenant_id).toBe(A);
    if (s.method === "updateOne" || s.method === "replaceOne") expect(noForeignTag(second)).toBe(true);
    if (s.method === "bulkWrite") for (const op of first as Document[]) expect(scoped((Object.values(op)[0] as Document).filter)).toBe(true);
    void third;
  }
}

/** What was handed to the backend serialises to itself: no toBSON, getter, Proxy or wrapper changes it on the wire. */
function faithful(args: unknown[]): void {
  const relaxed = { relaxed: false } as const;
  expect(BSON.EJSON.stringify(wire({ args }), relaxed)).toBe(BSON.EJSON.stringify({ args }, relaxed));
}

describe("hostile values, serialised (memory backend)", () => {
  test("the tenant condition is at the top level, no foreign tag is written, nothing refused goes out", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...calls), value, async ([, call], v) => {
        const sent: Sent[] = [];
        const inner = memoryConnector();
        const resolver = createResolver({ map: testMap(), connector: capturing(inner, sent) });
        const a = resolver.forTenant({ tenantId: A }).collection("users");
        const error = await call(a, v).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error instanceof IsolationViolationError) expect(sent).toEqual([]);
        // Anything else must be a server-shaped error (e.g. the memory backend's own refusals), never a crash.
        else if (error !== undefined) expect(error instanceof Error && "code" in error).toBe(true);
        assertSent(sent);
        for (const d of inner.raw("shared:eu", "app", "users")) expect(d.tenant_id).toBe(A);
        await resolver.close();
      }),
      { numRuns: 400 },
    );
  });

  test("what the backend is handed is what the wire carries", async () => {
    const handed: unknown[][] = [];
    const inner = memoryConnector();
    const spy: Connector = {
      needsCredentials: false,
      async connect(target) {
        const client = await inner.connect(target);
        return {
          db: (name) =>
            withCollections(client.db(name), (n) =>
              new Proxy(client.db(name).collection(n), {
                get(t, k, r) {
                  const f = Reflect.get(t, k, r) as unknown;
                  return typeof f === "function" ? (...args: unknown[]) => (handed.push(args), (f as (...a: unknown[]) => unknown).apply(t, args)) : f;
                },
              }),
            ),
          close: () => client.close(),
        };
      },
    };
    const resolver = createResolver({ map: testMap(), connector: spy });
    const a = resolver.forTenant({ tenantId: A }).collection("users");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...calls), nested(benign), async ([, call], v) => {
        handed.length = 0;
        await call(a, v).catch(() => undefined);
        for (const args of handed) faithful(args);
      }),
      { numRuns: 200 },
    );
    await resolver.close();
  });

  test.each([
    ["an own toBSON", { name: { toBSON: () => ({ tenant_id: B }) } }, "malformed-argument", "filter.name.toBSON"],
    ["an inherited toBSON", { name: Object.create({ toBSON: () => B }) as unknown }, "malformed-argument", "filter.name"],
    ["a Proxy", { a: new Proxy({}, {}) }, "malformed-argument", "filter.a"],
    ["a class instance", { a: new Account() }, "malformed-argument", "filter.a"],
    ["a forged BSON tag", { a: { _bsontype: "ObjectId", [Symbol.for("@@mdb.bson.type")]: "Code", code: "1" } }, "malformed-argument", "filter.a"],
    ["a Symbol", { a: Symbol("x") }, "malformed-argument", "filter.a"],
    ["an Int32 with a toBSON", { a: Object.assign(new Int32(1), { toBSON: () => 2 }) }, "malformed-argument", "filter.a.toBSON"],
    ["an ObjectId with an extra own field", { a: Object.assign(new ObjectId(), { extra: 1 }) }, "malformed-argument", "filter.a"],
  ])("%s is refused with the path named", async (_name, filter, reason, path) => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const error = (await resolver.forTenant({ tenantId: A }).collection("users").findOne(filter as Document).catch((e: unknown) => e)) as IsolationViolationError;
    expect(error).toBeInstanceOf(IsolationViolationError);
    expect([error.reason, error.path]).toEqual([reason, path]);
    await resolver.close();
  });

  test("a BSON value of another copy of bson is converted by the driver's serialiser; a forged tag still ends as what it claims", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: A }).collection("users");
    const id = new OtherCopyObjectId();
    const inserted = await users.insertOne({ _id: id, name: "x" });
    expect(inserted.insertedId).toBeInstanceOf(ObjectId);
    expect(String(inserted.insertedId)).toBe(id.toHexString());
    class Forged {
      get _bsontype() {
        return "ObjectId";
      }
      get [Symbol.for("@@mdb.bson.version")]() {
        return 7;
      }
      get [Symbol.for("@@mdb.bson.type")]() {
        return "Code";
      }
      code = "return 1";
    }
    const error = (await users.findOne({ a: new Forged() }).catch((e: unknown) => e)) as IsolationViolationError;
    expect([error.reason, error.path]).toEqual(["server-side-js", "filter.a"]);
    await resolver.close();
  });

  test("a collation strength given as Int32(1) is refused like 1", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: A }).collection("users");
    for (const strength of [1, new Int32(1), new Double(1), Long.fromNumber(2)]) {
      const error = (await users.find({}, { collation: { locale: "en", strength } } as never).toArray().catch((e: unknown) => e)) as IsolationViolationError;
      expect([error.reason, error.path]).toEqual(["forbidden-option", "options.collation"]);
    }
    await resolver.close();
  });

  test("prototype pollution with toBSON refuses every operation", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: A }).collection("users");
    Object.defineProperty(String.prototype, "toBSON", { value: () => B, configurable: true });
    try {
      const error = (await users.findOne({}).catch((e: unknown) => e)) as IsolationViolationError;
      expect(error).toBeInstanceOf(IsolationViolationError);
      expect(error.message).toMatch(/prototype pollution/);
    } finally {
      delete (String.prototype as { toBSON?: unknown }).toBSON;
    }
    await resolver.close();
  });

  test("the caller's objects are never modified (no _id added, nothing spread into ours)", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: A }).collection("users");
    const doc = Object.freeze({ name: "x", nested: Object.freeze({ a: 1 }) });
    const result = await users.insertOne(doc);
    expect(doc).toEqual({ name: "x", nested: { a: 1 } });
    expect(await users.findOne({ _id: result.insertedId })).toMatchObject({ name: "x", tenant_id: A });
    await resolver.close();
  });
});

/** Command monitoring on the real server: every command the driver sent, as its BSON bytes read back. */
describe.skipIf(!MONGODB_URI)(MONGODB_URI ? "hostile values, serialised (real server)" : "hostile values, serialised (real server; skipped: set MONGODB_URI to run)", () => {
  const uri = MONGODB_URI ?? "";
  const events: CommandStartedEvent[] = [];
  const db = `hostile_${new ObjectId().toHexString().slice(-8)}`;
  const inspector = new MongoClient(uri || "mongodb://unused");
  const connector = mongoConnector({ uri: () => uri, appName: "tenantry-hostile", clientOptions: { monitorCommands: true } });
  const watching: Connector = {
    needsCredentials: false,
    async connect(target) {
      const client = (await connector.connect(target)) as unknown as MongoClient;
      client.on("commandStarted", (e) => events.push(e));
      return client;
    },
  };
  const map = testMap((base) => `${db}_${base}`);
  const resolver = createResolver({ map, connector: watching });

  beforeAll(async () => {
    await inspector.connect();
  });
  afterAll(async () => {
    await resolver.close();
    for (const name of [`${db}_app`]) await inspector.db(name).dropDatabase();
    await inspector.close();
  });

  test("the tenant condition is at the top level, no foreign tag is written, nothing refused goes out", async () => {
    const a = resolver.forTenant({ tenantId: A }).collection("users");
    let observed = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...calls), value, async ([, call], v) => {
        events.length = 0;
        const error = await call(a, v).then(
          () => undefined,
          (e: unknown) => e,
        );
        const commands = events.filter((e) => !["endSessions", "hello", "isMaster", "ping"].includes(e.commandName)).map((e) => wire(e.command));
        if (error instanceof IsolationViolationError) expect(commands).toEqual([]);
        observed += commands.length;
        for (const c of commands) {
          expect(noJavaScript(c)).toBe(true);
          if (c.find !== undefined || c.count !== undefined) expect(scoped(c.filter ?? c.query)).toBe(true);
          if (c.aggregate !== undefined) expect(scoped(((c.pipeline as Document[])[0] as Document).$match)).toBe(true);
          if (c.insert !== undefined) for (const d of c.documents as Document[]) expect(d.tenant_id).toBe(A);
          if (c.update !== undefined) for (const u of c.updates as Document[]) expect([scoped(u.q), noForeignTag(u.u), typeof u.upsert === "boolean" || u.upsert === undefined]).toEqual([true, true, true]);
          if (c.delete !== undefined) for (const d of c.deletes as Document[]) expect(scoped(d.q)).toBe(true);
        }
        const stored = await inspector.db(`${db}_app`).collection("users").find({}).toArray();
        for (const d of stored) expect(d.tenant_id).toBe(A);
      }),
      { numRuns: 120 },
    );
    // The property above is about commands: make sure monitoring saw some.
    expect(observed).toBeGreaterThan(0);
  });
});
