// The resolver around the guards: contexts, typed errors, user scope, freezes, moves, reloads, clients, credentials.
import { describe, expect, test } from "vitest";
import type { ConnectTarget } from "../../packages/contract/src/backend/types";
import {
  ControlStoreStaleError,
  ControlStoreUnavailableError,
  CredentialsUnavailableError,
  CrossTenantWriteError,
  InvalidConnectionMapError,
  MalformedContextError,
  MissingCredentialsError,
  ResolverClosedError,
  TenantFrozenError,
  TenantOffboardedError,
  UndeclaredCollectionError,
  UnknownTenantError,
  awsSecretsManagerCredentials,
  createResolver,
  credentialEnvNames,
  envCredentials,
  memoryControlStore,
  mongoConnector,
  staticCredentials,
} from "../../packages/resolver/src";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import type { ControlStore, TenantOverride } from "../../packages/resolver/src";
import { writeMoveOverride } from "../support/control";
import { memoryConnector, type MemoryConnector } from "../../packages/testing/src";
import { PAIRS, tenantEntry, testMap } from "./fixtures";

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("forTenant", () => {
  const resolver = createResolver({ map: testMap(), connector: memoryConnector() });

  test.each([
    ["no context", undefined, "context", "must be an object { tenantId, userId? }"],
    ["null context", null, "context", "must be an object { tenantId, userId? }"],
    ["missing tenantId", {}, "tenantId", "is missing"],
    ["null tenantId", { tenantId: null }, "tenantId", "is missing"],
    ["empty tenantId", { tenantId: "" }, "tenantId", "is empty"],
    ["numeric tenantId", { tenantId: 42 }, "tenantId", "must be a string, got number"],
    ["object tenantId", { tenantId: { $ne: "" } }, "tenantId", "must be a string, got object"],
    ["array tenantId", { tenantId: ["acme"] }, "tenantId", "must be a string, got object"],
    ["tenantId with $", { tenantId: "$acme" }, "tenantId", "contains $ or ."],
    ["tenantId with a dot", { tenantId: "ac.me" }, "tenantId", "contains $ or ."],
    ["tenantId with NUL", { tenantId: "acme\u0000" }, "tenantId", "contains NUL"],
    ["__proto__ tenantId", { tenantId: "__proto__" }, "tenantId", "must not be __proto__"],
    ["constructor tenantId", { tenantId: "constructor" }, "tenantId", "must not be constructor"],
    ["padded tenantId", { tenantId: " acme" }, "tenantId", "has leading or trailing spaces"],
    ["very long tenantId", { tenantId: "a".repeat(300) }, "tenantId", "is longer than 256 characters"],
    ["null userId", { tenantId: "acme", userId: null }, "userId", "is missing"],
    ["empty userId", { tenantId: "acme", userId: "" }, "userId", "is empty"],
    ["numeric userId", { tenantId: "acme", userId: 7 }, "userId", "must be a string, got number"],
    ["object userId", { tenantId: "acme", userId: { $exists: true } }, "userId", "must be a string, got object"],
  ])("%s → MalformedContextError", (_name, context, field, reason) => {
    const error = errorOf(() => resolver.forTenant(context as never));
    expect(error).toBeInstanceOf(MalformedContextError);
    expect(error).toMatchObject({ field, reason });
  });

  test("unknown and offboarded tenants are typed errors carrying the id", () => {
    expect(errorOf(() => resolver.forTenant({ tenantId: "nobody" }))).toEqual(new UnknownTenantError("nobody"));
    expect(errorOf(() => resolver.forTenant({ tenantId: "ACME" }))).toBeInstanceOf(UnknownTenantError);
    expect(errorOf(() => resolver.forTenant({ tenantId: "leaving" }))).toEqual(new TenantOffboardedError("leaving"));
    expect(errorOf(() => resolver.forTenant({ tenantId: "hasOwnProperty" }))).toBeInstanceOf(UnknownTenantError);
  });

  test("a getter context is read once, so it cannot pass the check with one id and route with another", () => {
    let reads = 0;
    const context = {
      get tenantId() {
        reads++;
        return reads === 1 ? "acme" : "beta";
      },
    };
    expect(resolver.forTenant(context).tenantId).toBe("acme");
  });

  test("scope.route and collection names", () => {
    expect(resolver.forTenant({ tenantId: "acme" }).route).toEqual({ stage: "pool", cluster: "shared:eu", database: "app" });
    expect(resolver.forTenant({ tenantId: "brava" }).route).toEqual({ stage: "bridge", cluster: "shared:eu", database: "app" });
    expect(resolver.forTenant({ tenantId: "sigma" }).route).toEqual({ stage: "silo", cluster: "silo:sigma", database: "app_sigma" });
    const error = errorOf(() => resolver.forTenant({ tenantId: "acme" }).collection("secrets"));
    expect(error).toBeInstanceOf(UndeclaredCollectionError);
    expect(error).toMatchObject({ collection: "secrets", declared: ["groups", "notes", "users"] });
    expect(errorOf(() => resolver.forTenant({ tenantId: "acme" }).collection("__proto__"))).toBeInstanceOf(UndeclaredCollectionError);
  });

  test("an invalid map is an InvalidConnectionMapError with every zod issue", () => {
    const map = testMap();
    (map.tenants.acme as { partition: { tenantValue: string } }).partition.tenantValue = "beta";
    const error = errorOf(() => createResolver({ map: { ...map, version: 2 }, connector: memoryConnector() }));
    expect(error).toBeInstanceOf(InvalidConnectionMapError);
    const paths = (error as InvalidConnectionMapError).issues.map((i) => i.path.join("."));
    expect(paths).toContain("version");
  });
});

describe("user-scoped collections", () => {
  test("userId is required at collection(); users of one tenant cannot see each other's notes", async () => {
    const connector = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector });
    expect(errorOf(() => resolver.forTenant({ tenantId: "acme" }).collection("notes"))).toMatchObject({
      name: "MalformedContextError",
      field: "userId",
      reason: "is required by the user-scoped collection [notes]",
    });
    const u1 = resolver.forTenant({ tenantId: "acme", userId: "u1" }).collection("notes");
    const u2 = resolver.forTenant({ tenantId: "acme", userId: "u2" }).collection("notes");
    const other = resolver.forTenant({ tenantId: "beta", userId: "u1" }).collection("notes");
    await u1.insertOne({ text: "same" });
    await u2.insertOne({ text: "same" });
    await other.insertOne({ text: "same" });
    expect(await u1.find({}).toArray()).toEqual([expect.objectContaining({ tenant_id: "acme", user_id: "u1" })]);
    expect(await u1.countDocuments({ user_id: "u2" })).toBe(0);
    expect(await u1.updateMany({}, { $set: { text: "mine" } })).toMatchObject({ matchedCount: 1 });
    await expect(u1.insertOne({ text: "x", user_id: "u2" })).rejects.toBeInstanceOf(CrossTenantWriteError);
    await expect(u1.updateOne({}, { $set: { user_id: "u2" } })).rejects.toBeInstanceOf(CrossTenantWriteError);
    const raw = connector.raw("shared:eu", "app", "notes");
    expect(raw.map((d) => [d.tenant_id, d.user_id, d.text])).toEqual([
      ["acme", "u1", "mine"],
      ["acme", "u2", "same"],
      ["beta", "u1", "same"],
    ]);
    // A tenant-only scope may not $lookup into a user-scoped collection.
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await expect(users.aggregate([{ $lookup: { from: "notes", localField: "a", foreignField: "b", as: "x" } }]).toArray()).rejects.toBeInstanceOf(MalformedContextError);
    await resolver.close();
  });
});

function override(tenantId: string, revision: number, patch: Partial<TenantOverride>): TenantOverride {
  return { tenantId, writes: "open", routeTo: "current", moveId: "move-1", revision, updatedAt: "2026-11-28T00:00:00Z", ...patch };
}

describe("freezes and moves", () => {
  test("map status frozen: reads work, every write throws a retryable TenantFrozenError", async () => {
    const connector = memoryConnector();
    connector.seed("shared:eu", "app", "users", [{ _id: "f1" as never, tenant_id: "frosty", email: "a" }]);
    const resolver = createResolver({ map: testMap(), connector });
    const users = resolver.forTenant({ tenantId: "frosty" }).collection("users");
    expect(await users.countDocuments({})).toBe(1);
    const writes = [
      () => users.insertOne({}),
      () => users.insertMany([{}]),
      () => users.updateOne({}, { $set: { a: 1 } }),
      () => users.updateMany({}, { $set: { a: 1 } }),
      () => users.replaceOne({}, {}),
      () => users.deleteOne({}),
      () => users.deleteMany({}),
      () => users.findOneAndUpdate({}, { $set: { a: 1 } }),
      () => users.findOneAndReplace({}, {}),
      () => users.findOneAndDelete({}),
      () => users.bulkWrite([{ deleteOne: { filter: {} } }]),
    ];
    for (const write of writes) {
      const error = await write().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TenantFrozenError);
      expect(error).toMatchObject({ tenantId: "frosty", retryable: true, source: "map" });
    }
    expect(connector.raw("shared:eu", "app", "users")).toEqual([{ _id: "f1", tenant_id: "frosty", email: "a" }]);
    await resolver.close();
  });

  test("a control override freezes writes after refreshControl, and routeTo target moves reads and writes", async () => {
    const connector = memoryConnector();
    const store = memoryControlStore();
    const mover = tenantEntry("mover", "pool", "app");
    mover.target = { stage: "bridge", cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { users: "t_mover__users", groups: "t_mover__groups", notes: "t_mover__notes" } };
    const resolver = createResolver({ map: testMap(undefined, { mover }), connector, control: { store, refreshMs: 60_000 } });
    const scope = resolver.forTenant({ tenantId: "mover" });
    const users = scope.collection("users");
    await users.insertOne({ where: "source" });
    await store.write(override("mover", 1, { writes: "frozen" }));
    await resolver.refreshControl();
    await expect(users.insertOne({})).rejects.toMatchObject({ name: "TenantFrozenError", source: "control", retryable: true });
    expect(await users.countDocuments({})).toBe(1);
    await store.write(override("mover", 2, { writes: "open", routeTo: "target" }));
    await resolver.refreshControl();
    expect(scope.route).toEqual({ stage: "bridge", cluster: "shared:eu", database: "app" });
    expect(await users.countDocuments({})).toBe(0);
    await users.insertOne({ where: "target" });
    expect(connector.raw("shared:eu", "app", "t_mover__users").map((d) => [d.tenant_id, d.where])).toEqual([["mover", "target"]]);
    await resolver.close();
  });

  test("a lagging control read never steps an override back to an older revision", async () => {
    let answer = new Map<string, TenantOverride>([["acme", override("acme", 5, { writes: "frozen" })]]);
    const store: ControlStore = {
      readAll: () => Promise.resolve(answer),
    };
    const resolver = createResolver({ map: testMap(), connector: memoryConnector(), control: { store, refreshMs: 60_000 } });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await resolver.refreshControl();
    answer = new Map([["acme", override("acme", 4, { writes: "open" })]]);
    await resolver.refreshControl();
    await expect(users.insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);
    await resolver.close();
  });

  test("writes fail closed while the control store cannot be read; reads go on", async () => {
    const errors: unknown[] = [];
    const store: ControlStore = {
      readAll: () => Promise.reject(new Error("control store down")),
    };
    const resolver = createResolver({ map: testMap(), connector: memoryConnector(), control: { store, refreshMs: 60_000 }, onError: (e) => errors.push(e) });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    expect(await users.countDocuments({})).toBe(0);
    const error = await users.insertOne({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlStoreStaleError);
    expect(error).toMatchObject({ retryable: true, tenantId: "acme" });
    expect(errors).toEqual([new Error("control store down")]);
    await resolver.close();
  });
});

describe("cold start of a tenant with a declared move", () => {
  const moving = (): ConnectionMap => {
    const mover = tenantEntry("mover", "pool", "app");
    mover.target = { stage: "bridge", cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { users: "t_mover__users", groups: "t_mover__groups", notes: "t_mover__notes" } };
    return testMap(undefined, { mover });
  };

  test("while no control read succeeded, reads and writes of the moving tenant fail typed and retryable within coldStartWaitMs; others read", async () => {
    let up = false;
    const cut = new Map<string, TenantOverride>();
    const store: ControlStore = { readAll: () => (up ? Promise.resolve(cut) : Promise.reject(new Error("control store unreachable"))) };
    const resolver = createResolver({ map: moving(), connector: memoryConnector(), control: { store, refreshMs: 60_000, coldStartWaitMs: 50 } });
    const users = resolver.forTenant({ tenantId: "mover" }).collection("users");
    for (const op of [() => users.countDocuments({}), () => users.find({}).toArray(), () => users.insertOne({})]) {
      const error = await op().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ControlStoreUnavailableError);
      expect(error).toMatchObject({ tenantId: "mover", reason: "cold-start", retryable: true });
    }
    expect(() => resolver.forTenant({ tenantId: "mover" }).route).toThrow(ControlStoreUnavailableError);
    // A tenant without a declared move still reads; its writes fail closed.
    expect(await resolver.forTenant({ tenantId: "acme" }).collection("users").countDocuments({})).toBe(0);
    await expect(resolver.forTenant({ tenantId: "acme" }).collection("users").insertOne({})).rejects.toBeInstanceOf(ControlStoreStaleError);
    // Once a read succeeds the cut-over is known and served from the target.
    cut.set("mover", override("mover", 3, { writes: "open", routeTo: "target" }));
    up = true;
    await resolver.refreshControl();
    expect(resolver.forTenant({ tenantId: "mover" }).route.stage).toBe("bridge");
    await users.insertOne({ where: "target" });
    expect(await users.countDocuments({})).toBe(1);
    await resolver.close();
  });

  test("a first read that hangs does not hang operations: they fail after coldStartWaitMs", async () => {
    const store: ControlStore = { readAll: () => new Promise(() => undefined) };
    const resolver = createResolver({ map: moving(), connector: memoryConnector(), control: { store, refreshMs: 60_000, coldStartWaitMs: 30 } });
    const started = Date.now();
    await expect(resolver.forTenant({ tenantId: "mover" }).collection("users").findOne({})).rejects.toMatchObject({ name: "ControlStoreUnavailableError", reason: "cold-start" });
    expect(Date.now() - started).toBeLessThan(5_000);
    await resolver.close();
  });

  test("an override naming a route the map does not have fails closed instead of guessing", async () => {
    const store = memoryControlStore([{ ...override("mover", 1, { writes: "open", routeTo: "target" }), routes: { source: "elsewhere", target: "nowhere" } }]);
    const resolver = createResolver({ map: moving(), connector: memoryConnector(), control: { store, refreshMs: 60_000 } });
    await expect(resolver.forTenant({ tenantId: "mover" }).collection("users").findOne({})).rejects.toMatchObject({ name: "ControlStoreUnavailableError", reason: "route-mismatch" });
    await resolver.close();
  });
});

describe("the map's control location", () => {
  const located = (database = "tenantry"): ConnectionMap => ({
    ...testMap(),
    control: { cluster: "shared:eu", credential: "shared:eu", database, collection: "overrides" },
  });
  /** What the mover writes: move state documents in the control collection, on its own client of the same (memory) cluster. */
  async function moverStore(connector: MemoryConnector, map: ConnectionMap): Promise<{ write: (o: TenantOverride) => Promise<void> }> {
    const { cluster, credential, database, collection } = map.control!;
    const client = await connector.connect({ clusterKey: cluster, cluster: map.clusters[cluster]!, credentialKey: credential, credentialRef: map.credentials[credential]!, credentials: undefined });
    return { write: (o) => writeMoveOverride(client.db(database).collection(collection), map, o) };
  }

  test("a freeze the mover writes there reaches resolvers polling by default or with control: { refreshMs }; control: false never sees it", async () => {
    const connector = memoryConnector();
    const map = located();
    const byDefault = createResolver({ map, connector });
    const explicit = createResolver({ map, connector, control: { refreshMs: 60_000 } });
    const off = createResolver({ map, connector, control: false });
    await (await moverStore(connector, map)).write(override("acme", 1, { writes: "frozen" }));
    for (const resolver of [byDefault, explicit]) {
      await resolver.refreshControl();
      await expect(resolver.forTenant({ tenantId: "acme" }).collection("users").insertOne({})).rejects.toMatchObject({ name: "TenantFrozenError", source: "control" });
      await resolver.forTenant({ tenantId: "beta" }).collection("users").insertOne({});
    }
    await off.forTenant({ tenantId: "acme" }).collection("users").insertOne({});
    expect(connector.raw("shared:eu", "app", "users").map((d) => d.tenant_id)).toEqual(["beta", "beta", "acme"]);
    // The control client is the shared one pool tenants use: no extra client.
    expect(byDefault.stats()).toMatchObject({ open: 1, pinned: 1 });
    await Promise.all([byDefault.close(), explicit.close(), off.close()]);
  });

  test("an explicit store wins over the map's control location", async () => {
    const connector = memoryConnector();
    const map = located();
    const store = memoryControlStore();
    await store.write(override("acme", 1, { writes: "frozen" }));
    await (await moverStore(connector, map)).write(override("beta", 1, { writes: "frozen" }));
    const resolver = createResolver({ map, connector, control: { store, refreshMs: 60_000 } });
    await expect(resolver.forTenant({ tenantId: "acme" }).collection("users").insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);
    await resolver.forTenant({ tenantId: "beta" }).collection("users").insertOne({});
    await resolver.close();
  });

  test("control without store needs a map that declares one; reload follows a moved location and refuses to drop it", async () => {
    const connector = memoryConnector();
    expect(errorOf(() => createResolver({ map: testMap(), connector, control: { refreshMs: 60_000 } }))).toBeInstanceOf(InvalidConnectionMapError);
    // A map without `control` and no control option: nothing to poll, no client opened (offline tests stay as they were).
    const plain = createResolver({ map: testMap(), connector });
    expect(connector.stats().connects).toBe(0);
    await plain.close();

    const first = located("tenantry");
    const moved = located("tenantry_next");
    await (await moverStore(connector, first)).write(override("acme", 1, { writes: "frozen" }));
    const resolver = createResolver({ map: first, connector });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await expect(users.insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);

    expect(errorOf(() => resolver.reload(testMap()))).toBeInstanceOf(InvalidConnectionMapError);
    await expect(users.insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);

    resolver.reload(moved);
    await users.insertOne({ at: "moved" });
    await (await moverStore(connector, moved)).write(override("acme", 1, { writes: "frozen" }));
    await resolver.refreshControl();
    await expect(users.insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);
    expect(connector.raw("shared:eu", "app", "users").map((d) => d.at)).toEqual(["moved"]);
    await resolver.close();
  });
});

describe("clients", () => {
  test("forTenant and collection() open no client; operations share one client per (cluster, credential)", async () => {
    const connector = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector });
    for (const id of ["acme", "beta", "brava", "sigma"]) resolver.forTenant({ tenantId: id, userId: "u" }).collection("users");
    expect(connector.stats().connects).toBe(0);
    await resolver.forTenant({ tenantId: "acme" }).collection("users").countDocuments({});
    await resolver.forTenant({ tenantId: "beta" }).collection("users").countDocuments({});
    expect(connector.clients().map((c) => `${c.clusterKey}/${c.credentialKey}`)).toEqual(["shared:eu/shared:eu"]);
    await resolver.forTenant({ tenantId: "brava" }).collection("users").countDocuments({});
    await resolver.forTenant({ tenantId: "sigma" }).collection("users").countDocuments({});
    expect(connector.clients().map((c) => `${c.clusterKey}/${c.credentialKey}`)).toEqual(["shared:eu/shared:eu", "shared:eu/tenant:brava", "silo:sigma/tenant:sigma"]);
    await resolver.close();
    expect(connector.stats().open).toBe(0);
  });

  test("per-tenant clients are LRU-bounded; shared ones are pinned", async () => {
    const connector = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector, maxClients: 2 });
    for (const id of ["acme", PAIRS.bridge.a, PAIRS.bridge.b, PAIRS.silo.a, PAIRS.silo.b]) {
      await resolver.forTenant({ tenantId: id }).collection("users").countDocuments({});
    }
    expect(resolver.stats()).toMatchObject({ open: 3, pinned: 1, opened: 5, closed: 2 });
    expect(connector.stats()).toEqual({ connects: 5, open: 3 });
    await resolver.close();
  });

  test("reload swaps the map; an operation in flight finishes on its client, which closes afterwards", async () => {
    const connector = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector });
    const sigma = resolver.forTenant({ tenantId: "sigma" }).collection("users");
    await sigma.insertOne({ n: 1 });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const unhook = connector.onOperation(async (event) => {
      if (event.method === "countDocuments") await gate;
    });
    const inFlight = sigma.countDocuments({});
    await new Promise((resolve) => setImmediate(resolve));
    const next = testMap();
    delete next.tenants.sigma;
    delete next.clusters["silo:sigma"];
    delete next.credentials["tenant:sigma"];
    resolver.reload(next);
    expect(connector.stats().open).toBe(1);
    release();
    expect(await inFlight).toBe(1);
    unhook();
    await new Promise((resolve) => setImmediate(resolve));
    expect(connector.clients().find((c) => c.clusterKey === "silo:sigma")?.closed).toBe(true);
    await expect(sigma.countDocuments({})).rejects.toBeInstanceOf(UnknownTenantError);
    expect(errorOf(() => resolver.reload({ version: 1 }))).toBeInstanceOf(InvalidConnectionMapError);
    expect(await resolver.forTenant({ tenantId: "acme" }).collection("users").countDocuments({})).toBe(0);
    await resolver.close();
  });

  test("after close, every operation and forTenant throw ResolverClosedError", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await resolver.close();
    await expect(users.findOne({})).rejects.toBeInstanceOf(ResolverClosedError);
    expect(errorOf(() => resolver.forTenant({ tenantId: "acme" }))).toBeInstanceOf(ResolverClosedError);
  });
});

describe("credentials", () => {
  const ref = { kind: "aws-secrets-manager" as const, secretArn: "arn:s", region: "eu-west-1" };

  test("static and environment credentials", async () => {
    expect(await staticCredentials({ "shared:eu": { username: "u", password: "p" } }).get("shared:eu", ref)).toEqual({ username: "u", password: "p" });
    await expect(staticCredentials({}).get("x", ref)).rejects.toBeInstanceOf(CredentialsUnavailableError);
    expect(credentialEnvNames("shared:app-eu")).toEqual({ username: "TENANTRY_CREDENTIALS_SHARED_APP_EU_USERNAME", password: "TENANTRY_CREDENTIALS_SHARED_APP_EU_PASSWORD" });
    const env = { TENANTRY_CREDENTIALS_SHARED_EU_USERNAME: "u", TENANTRY_CREDENTIALS_SHARED_EU_PASSWORD: "p" };
    expect(await envCredentials(env).get("shared:eu", ref)).toEqual({ username: "u", password: "p" });
    await expect(envCredentials({}).get("shared:eu", ref)).rejects.toThrow(/TENANTRY_CREDENTIALS_SHARED_EU_USERNAME/);
  });

  test("Secrets Manager: cached per secret, failures not cached, secret text never in errors", async () => {
    const reads: string[] = [];
    let text: string | undefined = "not json s3cr3t";
    const provider = awsSecretsManagerCredentials({
      reader: { getSecretString: (arn) => (reads.push(arn), Promise.resolve(text)) },
    });
    const error = await provider.get("k", ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(String((error as Error).message)).not.toContain("s3cr3t");
    text = JSON.stringify({ username: "u", password: "p" });
    expect(await provider.get("k", ref)).toEqual({ username: "u", password: "p" });
    expect(await provider.get("k", ref)).toEqual({ username: "u", password: "p" });
    expect(reads).toEqual(["arn:s", "arn:s"]);
  });

  test("the driver connector refuses to connect without credentials, before any network", async () => {
    const target: ConnectTarget = {
      clusterKey: "shared:eu",
      credentialKey: "shared:eu",
      cluster: { name: "app-eu", kind: "shared", srvHost: "app-eu.abcde.mongodb.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "eu" },
      credentialRef: ref,
      credentials: undefined,
    };
    expect(mongoConnector().needsCredentials).toBe(true);
    await expect(mongoConnector().connect(target)).rejects.toBeInstanceOf(MissingCredentialsError);
  });

  test("the resolver resolves credentials once per client through the provider", async () => {
    const asked: string[] = [];
    const inner = memoryConnector();
    const connector = { needsCredentials: true, connect: (t: ConnectTarget) => (asked.push(`${t.credentialKey}:${t.credentials?.username}`), inner.connect(t)) };
    const resolver = createResolver({ map: testMap(), connector, credentials: staticCredentials({ "shared:eu": { username: "app", password: "pw" } }) });
    const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
    await users.countDocuments({});
    await users.countDocuments({});
    expect(asked).toEqual(["shared:eu:app"]);
    await expect(resolver.forTenant({ tenantId: "sigma" }).collection("users").countDocuments({})).rejects.toBeInstanceOf(CredentialsUnavailableError);
    await resolver.close();
  });
});

describe("client pool under pressure", () => {
  test("when every other per-tenant client is busy, a new one is still usable (temporary overflow, then back to the cap)", async () => {
    const connector = memoryConnector();
    const resolver = createResolver({ map: testMap(), connector, maxClients: 1 });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const unhook = connector.onOperation(async (event) => {
      if (event.clusterKey === "silo:sigma") await gate;
    });
    const busy = resolver.forTenant({ tenantId: "sigma" }).collection("users").countDocuments({});
    await new Promise((resolve) => setImmediate(resolve));
    expect(await resolver.forTenant({ tenantId: "sierra" }).collection("users").countDocuments({})).toBe(0);
    release();
    expect(await busy).toBe(0);
    unhook();
    await resolver.forTenant({ tenantId: "brava" }).collection("users").countDocuments({});
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolver.stats()).toMatchObject({ open: 1, opened: 3 });
    await resolver.close();
  });
});
