// Crash-point exploration: the mover dies before or after EVERY write it makes (state document CAS, data batch,
// delete, index) on every path (pool → bridge → silo, within a stage) and in a rollback from every state; a second
// mover then resumes or rolls back. After each run: the application (a real resolver) reads exactly the documents it
// wrote and was acknowledged for, exactly one route is live, and `move status` agrees with the state document.
import type { Document } from "mongodb";
import { describe, expect, test } from "vitest";
import type { BackendClient, BackendCollection, BackendDb, Connector } from "../../packages/contract/src/backend/types";
import { ConnectionMap, type Route } from "../../packages/contract/src/connection-map/schema";
import { endpointClients } from "../../packages/mover/src/connect";
import { canonicalEjson } from "../../packages/mover/src/hash";
import { Mover, type MoverOptions } from "../../packages/mover/src/move";
import { ROLLBACK_FROM, type MoveRecord, type MoveState } from "../../packages/mover/src/state";
import { createResolver, type Resolver } from "../../packages/resolver/src";
import { backendCases, type TestBackend } from "../support/backends";

const T = "acme";
const LOGICAL = ["events", "notes", "orders"] as const;
const SIZES: Record<string, number> = { events: 2, notes: 4, orders: 7 };
const BATCH = 3;
const LEASE_MS = 60_000;

/** The process died here: it makes no further call (every later call of its clients throws this too). */
class Crash extends Error {}

const WRITES = new Set(["insertOne", "insertMany", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany", "bulkWrite", "findOneAndUpdate", "findOneAndReplace", "findOneAndDelete", "createIndex"]);

/** A connector whose clients die at write number `at` (1-based, counted over every collection), before or after it. */
function crashing(inner: Connector, plan: { at: number; when: "before" | "after" } | undefined): { connector: Connector; writes: () => number } {
  let writes = 0;
  let dead = false;
  const wrapCollection = (c: BackendCollection): BackendCollection =>
    new Proxy(c, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (dead) throw new Crash("dead");
          if (!WRITES.has(String(prop))) return (value as (...a: unknown[]) => unknown).apply(target, args);
          writes += 1;
          const mine = plan !== undefined && writes === plan.at;
          if (mine && plan.when === "before") {
            dead = true;
            throw new Crash(`before write ${writes} (${String(prop)} ${c.collectionName})`);
          }
          const result = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!mine) return result;
          return result.then(() => {
            dead = true;
            throw new Crash(`after write ${writes} (${String(prop)} ${c.collectionName})`);
          });
        };
      },
    });
  // Collection administration (a move with registry declarations) passes through: the crash points are data and control writes.
  const wrapDb = (db: BackendDb): BackendDb => ({
    databaseName: db.databaseName,
    collection: (n) => wrapCollection(db.collection(n)),
    createCollection: (n, o) => db.createCollection(n, o),
    listCollections: (f) => db.listCollections(f),
    command: (c) => db.command(c),
  });
  const wrapClient = (client: BackendClient): BackendClient => ({ db: (name) => wrapDb(client.db(name)), close: () => client.close() });
  return { connector: { needsCredentials: inner.needsCredentials, connect: async (t) => wrapClient(await inner.connect(t)) }, writes: () => writes };
}

type Path = { name: string; source: (b: TestBackend) => Route; target: (b: TestBackend) => Route; memoryOnly?: boolean };
const names = (prefix: string) => Object.fromEntries(LOGICAL.map((l) => [l, `${prefix}${l}`]));
const POOL = (b: TestBackend): Route => ({ stage: "pool", cluster: "shared:eu", credential: "shared:eu", database: b.database("app"), collections: names("") });
const BRIDGE = (b: TestBackend): Route => ({ stage: "bridge", cluster: "shared:eu", credential: "bridge:acme", database: b.database("app"), collections: names("t_acme__") });
const BRIDGE2 = (b: TestBackend): Route => ({ stage: "bridge", cluster: "shared:eu2", credential: "bridge:acme#g2", database: b.database("app"), collections: names("t_acme__") });
const SILO = (b: TestBackend): Route => ({ stage: "silo", cluster: "silo:acme", credential: "silo:acme", database: b.database("app_silo"), collections: names("") });
const PATHS: Path[] = [
  { name: "pool → bridge", source: POOL, target: BRIDGE },
  { name: "bridge → silo", source: BRIDGE, target: SILO },
  { name: "pool → silo", source: POOL, target: SILO },
  // On one real server both shared clusters are the same server: the same namespace, refused; memory only.
  { name: "bridge → bridge (within a stage, another cluster)", source: BRIDGE, target: BRIDGE2, memoryOnly: true },
];

function mapOf(b: TestBackend, source: Route, target: Route | undefined): ConnectionMap {
  const cluster = (name: string, kind: "shared" | "silo") => ({ name, kind, srvHost: `${name}.example.net`, region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "EU" });
  const secret = (k: string) => ({ kind: "aws-secrets-manager" as const, secretArn: `arn:aws:secretsmanager:eu-central-1:1:secret:${k}`, region: "eu-central-1" });
  const partition = (t: string) => ({ tenantField: "tenant_id" as const, tenantValue: t, userField: "user_id" as const });
  return ConnectionMap.parse({
    version: 1,
    environment: "crash",
    clusters: { "shared:eu": cluster("eu", "shared"), "shared:eu2": cluster("eu2", "shared"), "silo:acme": cluster("t-acme", "silo") },
    credentials: Object.fromEntries(["shared:eu", "bridge:acme", "bridge:acme#g2", "silo:acme"].map((k) => [k, secret(k)])),
    collections: { events: { scope: "tenant" }, notes: { scope: "user" }, orders: { scope: "tenant" } },
    tenants: {
      [T]: { ...source, status: "active", residency: "EU", partition: partition(T), ...(target ? { target } : {}) },
      beta: { ...POOL(b), status: "active", residency: "EU", partition: partition("beta") },
    },
    control: { cluster: "shared:eu", credential: "shared:eu", database: b.database("tenantry"), collection: "overrides" },
  });
}

/** What the application wrote and was acknowledged for, per logical collection, by canonical `_id`. */
type Model = Record<string, Map<string, Document>>;

const canon = (docs: Document[]) => docs.map((d) => canonicalEjson(d)).sort();

interface World {
  backend: TestBackend;
  moving: ConnectionMap;
  after: ConnectionMap;
  app: Resolver;
  model: Model;
  clock: { now: Date };
  store: BackendCollection;
  writes: number;
  mover(connector: Connector, owner: string, extra?: Partial<MoverOptions>): Mover;
  close(): Promise<void>;
}

async function world(make: () => TestBackend, path: Path): Promise<World> {
  const backend = make();
  const source = path.source(backend);
  const target = path.target(backend);
  const moving = mapOf(backend, source, target);
  const after = mapOf(backend, target, undefined);
  const model: Model = {};
  for (const logical of LOGICAL) {
    const docs = Array.from({ length: SIZES[logical]! }, (_, i) => ({ _id: `${logical}-${i}`, tenant_id: T, user_id: "u1", n: i, s: "x".repeat(i) }));
    model[logical] = new Map(docs.map((d) => [d._id, d]));
    await backend.seed(source.cluster, source.database, source.collections[logical]!, docs);
    const other = POOL(backend);
    await backend.seed(other.cluster, other.database, other.collections[logical]!, [{ _id: `beta-${logical}`, tenant_id: "beta", user_id: "u1", n: 1 }]);
  }
  const control = moving.control!;
  const controlClient = await backend.connector.connect({ clusterKey: control.cluster, cluster: moving.clusters[control.cluster]!, credentialKey: control.credential, credentialRef: moving.credentials[control.credential]!, credentials: undefined });
  const store = controlClient.db(control.database).collection(control.collection);
  const app = createResolver({ map: moving, connector: backend.connector, control: { refreshMs: 3_600_000, failClosedAfterMs: 1e12 } });
  const clock = { now: new Date("2026-11-28T12:00:00Z") };
  const opened: { close(): Promise<void> }[] = [];
  const w: World = {
    backend,
    moving,
    after,
    app,
    model,
    clock,
    store,
    writes: 0,
    mover(connector, owner, extra = {}) {
      const clients = endpointClients(connector);
      opened.push(clients);
      const controlEndpoint = { route: { ...POOL(backend), database: control.database }, cluster: moving.clusters[control.cluster]!, credentialRef: moving.credentials[control.credential]! };
      const lazy = clients.connect(controlEndpoint).then((c) => c.db(control.database).collection(control.collection));
      // The mover's own client of the control collection (through the same, possibly crashing, connector).
      const storeOf = new Proxy({} as BackendCollection, {
        get: (_t, prop) => {
          if (prop === "collectionName") return control.collection;
          if (prop === "dbName") return control.database;
          return (...args: unknown[]) => {
            const call = lazy.then((c) => (c[prop as keyof BackendCollection] as (...a: unknown[]) => unknown).apply(c, args));
            // find() returns a cursor synchronously; the store only uses findOne / writes, all promises.
            return call;
          };
        },
      });
      return new Mover({
        map: moving,
        connect: (e) => clients.connect(e),
        store: storeOf,
        actor: "crash-test",
        owner,
        batchSize: BATCH,
        leaseMs: LEASE_MS,
        leaseMarginMs: 20_000,
        clockSkewMs: 5_000,
        freezeBoundMs: 1_000,
        retentionDays: 1,
        now: () => clock.now,
        // The freeze bound passes: every resolver has refreshed by then.
        sleep: async (ms) => {
          clock.now = new Date(clock.now.getTime() + ms);
          await app.refreshControl();
        },
        ...extra,
      });
    },
    async close() {
      await app.close();
      for (const c of opened) await c.close();
      await controlClient.close();
      await backend.close();
    },
  };
  return w;
}

/** The application writes (after refreshing): an insert, an update, a delete; each acknowledged one enters the model. */
async function appWrites(w: World, tag: string): Promise<void> {
  // After finish the operator has deployed the new map (pulumi up): the application runs it.
  const record = (await w.store.findOne({ _id: T as never })) as MoveRecord | null;
  if (record && (record.state === "finished" || record.state === "cleaned")) w.app.reload(w.after);
  await w.app.refreshControl();
  const scope = w.app.forTenant({ tenantId: T, userId: "u1" });
  const attempt = async (logical: string, op: () => Promise<unknown>, apply: (m: Map<string, Document>) => void) => {
    try {
      const res = (await op()) as { matchedCount?: number; deletedCount?: number };
      // Acknowledged and effective: an update or delete that matched nothing changed nothing.
      if (res.matchedCount === 0 || res.deletedCount === 0) return;
      apply(w.model[logical]!);
    } catch {
      // Refused (frozen, control unavailable): not acknowledged, so not expected anywhere.
    }
  };
  const doc = { _id: `app-${tag}`, tenant_id: T, user_id: "u1", n: -1, s: tag };
  await attempt("orders", () => scope.collection<Document>("orders").insertOne({ ...doc } as Document), (m) => m.set(doc._id, doc));
  const victim = [...w.model.events!.keys()][0];
  if (victim !== undefined) {
    await attempt("events", () => scope.collection<Document>("events").updateOne({ _id: victim } as Document, { $set: { s: `updated-${tag}` } }), (m) => m.set(victim, { ...m.get(victim)!, s: `updated-${tag}` }));
  }
  const gone = [...w.model.notes!.keys()][0];
  if (gone !== undefined) await attempt("notes", () => scope.collection<Document>("notes").deleteOne({ _id: gone } as Document), (m) => m.delete(gone));
}

const LIVE_ON_TARGET: readonly MoveState[] = ["cutover", "finished", "cleaned"];

/** The three invariants, after a run. */
async function checkInvariants(w: World, path: Path): Promise<void> {
  const record = (await w.store.findOne({ _id: T as never })) as MoveRecord | null;
  if (record && (record.state === "finished" || record.state === "cleaned")) w.app.reload(w.after);
  await w.app.refreshControl();
  const scope = w.app.forTenant({ tenantId: T, userId: "u1" });
  // 1. What the application reads equals what it wrote and was acknowledged for.
  for (const logical of LOGICAL) {
    const read = await scope.collection(logical).find({}).toArray();
    expect(canon(read), logical).toEqual(canon([...w.model[logical]!.values()]));
  }
  // 2. Exactly one live route, the one the state document names; a finished-off side holds nothing of the tenant.
  const onTarget = record !== null && (LIVE_ON_TARGET.includes(record.state) || record.route?.to === "target");
  expect(scope.route.stage).toBe((onTarget ? path.target(w.backend) : path.source(w.backend)).stage);
  expect(scope.route.cluster).toBe((onTarget ? path.target(w.backend) : path.source(w.backend)).cluster);
  const dead = record?.state === "rolled-back" ? path.target(w.backend) : record?.state === "cleaned" ? path.source(w.backend) : undefined;
  if (dead) {
    for (const logical of LOGICAL) expect((await w.backend.raw(dead.cluster, dead.database, dead.collections[logical]!)).filter((d) => d.tenant_id === T), `${logical} on the dead side`).toEqual([]);
  }
  // The other tenant is untouched.
  const pool = POOL(w.backend);
  for (const logical of LOGICAL) expect((await w.backend.raw(pool.cluster, pool.database, logical)).filter((d) => d.tenant_id === "beta")).toHaveLength(1);
  // 3. `move status` is the state document.
  const status = await w.mover(w.backend.connector, "status").status(T);
  expect(status.record).toEqual(record);
  expect(status.entries).toEqual(record?.log ?? []);
}

type Script = (w: World, m: Mover) => Promise<unknown>;

/** Forward: start through cut-over (the app writes on the target then), finish on the new map, clean up. */
const forward: Script = async (w, m) => {
  await m.start(T, { cutover: true });
  await appWrites(w, "after-cutover");
  await new Mover({ ...(m as unknown as { options: MoverOptions }).options, map: w.after }).finish(T);
  w.clock.now = new Date(w.clock.now.getTime() + 2 * 86_400_000);
  await m.cleanup(T);
};

/** Drives the move to its end with a healthy second mover: resume forward (goal cleaned) or roll back. */
async function recover(w: World, goal: "cleaned" | "rolled-back"): Promise<void> {
  // The dead mover's lease runs out (plus the clock skew allowance) before anyone takes over.
  w.clock.now = new Date(w.clock.now.getTime() + LEASE_MS + 5_001);
  const second = w.mover(w.backend.connector, "second");
  for (let i = 0; i < 10; i += 1) {
    const record = (await w.store.findOne({ _id: T as never })) as MoveRecord | null;
    const state = record?.state ?? "none";
    // Past the cut-over a finished move has no way back: its end is clean-up.
    if (goal === "rolled-back" && (state === "finished" || state === "cleaned")) goal = "cleaned";
    if (state === goal) return;
    if (goal === "rolled-back" && (ROLLBACK_FROM as readonly string[]).includes(state)) {
      await second.rollback(T);
    } else if (state === "none" || state === "rolled-back") {
      await second.start(T, { cutover: true });
    } else if (state === "cutover") {
      await appWrites(w, `recovery-${i}`);
      await w.mover(w.backend.connector, "second", { map: w.after }).finish(T);
    } else if (state === "finished") {
      w.clock.now = new Date(w.clock.now.getTime() + 2 * 86_400_000);
      await second.cleanup(T);
    } else {
      await second.resume(T, { cutover: true });
    }
  }
  throw new Error(`recovery did not reach ${goal}`);
}

/** Runs `script` once without a crash to count its writes, then once per crash point. */
async function explore(make: () => TestBackend, path: Path, prepare: (w: World) => Promise<void>, script: Script, goals: ("cleaned" | "rolled-back")[]): Promise<number> {
  const clean = await world(make, path);
  await prepare(clean);
  const counter = crashing(clean.backend.connector, undefined);
  await script(clean, clean.mover(counter.connector, "dying"));
  await checkInvariants(clean, path);
  await clean.close();
  const total = counter.writes();
  let runs = 0;
  for (let at = 1; at <= total; at += 1) {
    for (const when of ["before", "after"] as const) {
      for (const goal of goals) {
        const w = await world(make, path);
        try {
          await prepare(w);
          const dying = crashing(w.backend.connector, { at, when });
          await expect(script(w, w.mover(dying.connector, "dying"))).rejects.toThrow(Crash);
          await appWrites(w, `crash-${at}-${when}`);
          await recover(w, goal);
          await appWrites(w, "end");
          await checkInvariants(w, path);
          runs += 1;
        } catch (error) {
          throw new Error(`${path.name}: crash ${when} write ${at} of ${total}, recovery to ${goal}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        } finally {
          await w.close();
        }
      }
    }
  }
  return runs;
}

const nothing = () => Promise.resolve();

for (const backendCase of backendCases) {
  const real = backendCase.name !== "memory backend";
  describe.skipIf(backendCase.skip)(backendCase.name, { timeout: real ? 1_800_000 : 300_000 }, () => {
    // On the real server (FerretDB: every page a full scan) one path of each kind; on memory all of them.
    const paths = real ? PATHS.filter((p) => p.name === "pool → silo") : PATHS;
    test.each(paths.map((p) => [p.name, p] as const))("%s: a crash before / after every write, then resume or roll back", async (_name, path) => {
      const runs = await explore(backendCase.make, path, nothing, forward, real ? ["cleaned"] : ["cleaned", "rolled-back"]);
      expect(runs).toBeGreaterThan(60);
    });

    const FROM: MoveState[] = real ? ["cutover"] : ["declared", "frozen", "copying", "copied", "verified", "cutover"];
    test.each(FROM)("rollback from %s (pool → silo): a crash before / after every write of the rollback, then roll back again", async (from) => {
      const path = PATHS[2]!;
      // A healthy mover stops at `from` (a hook that throws after recording it, then the lease is given back).
      const prepare = async (w: World) => {
        class Stop extends Error {}
        const m = w.mover(w.backend.connector, "first", { hooks: { afterStep: (s) => { if (s === from) throw new Stop(); } } });
        await expect(m.start(T, { cutover: true })).rejects.toThrow(Stop);
        if (from === "cutover") await appWrites(w, "on-target");
      };
      const runs = await explore(backendCase.make, path, prepare, (_w, m) => m.rollback(T), ["rolled-back"]);
      expect(runs).toBeGreaterThan(0);
    });
  });
}
