// Shared fixtures of the mover suites: a connection map with a declared move, tenant documents, and a mover factory.
import { Decimal128, Double, Int32, Long, ObjectId, type Document } from "mongodb";
import type { BackendCollection } from "../../packages/contract/src/backend/types";
import type { ConnectionMap, Route } from "../../packages/contract/src/connection-map/schema";
import { ConnectionMap as ConnectionMapSchema } from "../../packages/contract/src/connection-map/schema";
import { collectionControlStore } from "../../packages/resolver/src/control/mongo-store";
import type { ControlStore } from "../../packages/contract/src/control/types";
import { endpointClients, type EndpointClients } from "../../packages/mover/src/connect";
import { canonicalEjson } from "../../packages/mover/src/hash";
import { Mover, type MoverOptions } from "../../packages/mover/src/move";
import { MONGODB_URI, type TestBackend } from "../support/backends";
import { serverFeature } from "../support/server";

export type Stage = "pool" | "bridge" | "silo";
export const LOGICAL = ["events", "notes", "orders"] as const;
export const SHARED = "shared:eu";
export const SILO = "silo:acme";
export const MOVING = "acme";
export const OTHERS = ["beta", "gamma"] as const;

/** Physical layout of one stage of acme (and the shared one of the others). */
export function route(backend: TestBackend, stage: Stage, tenantId = MOVING): Route {
  const collections = Object.fromEntries(LOGICAL.map((l) => [l, stage === "bridge" ? `t_${tenantId}__${l}` : l]));
  // A real test server maps every cluster to one server: the silo gets its own database so namespaces never collide.
  if (stage === "silo") return { stage, cluster: SILO, credential: SILO, database: backend.database("app_silo"), collections };
  return { stage, cluster: SHARED, credential: SHARED, database: backend.database("app"), collections };
}

export function makeMap(backend: TestBackend, from: Stage, to: Stage | undefined): ConnectionMap {
  const entry = (tenantId: string, r: Route, target?: Route) => ({
    ...r,
    status: "active" as const,
    residency: "EU",
    partition: { tenantField: "tenant_id" as const, tenantValue: tenantId, userField: "user_id" as const },
    ...(target ? { target } : {}),
  });
  const map: ConnectionMap = {
    version: 1,
    environment: "test",
    clusters: {
      [SHARED]: { name: "app-eu", kind: "shared", srvHost: "app-eu.example.mongodb.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "EU" },
      [SILO]: { name: "t-acme", kind: "silo", srvHost: "t-acme.example.mongodb.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "EU" },
    },
    credentials: {
      [SHARED]: { kind: "aws-secrets-manager", secretArn: "arn:aws:secretsmanager:eu-central-1:1:secret:shared", region: "eu-central-1" },
      [SILO]: { kind: "aws-secrets-manager", secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:acme", region: "eu-west-1" },
    },
    collections: { events: { scope: "tenant" }, notes: { scope: "user" }, orders: { scope: "tenant" } },
    tenants: {
      [MOVING]: entry(MOVING, route(backend, from), to ? route(backend, to) : undefined),
      ...Object.fromEntries(OTHERS.map((t) => [t, entry(t, route(backend, "pool", t))])),
    },
    // Where `openSession` (the CLI) writes overrides and the journal, and resolvers poll by default.
    control: { cluster: SHARED, credential: SHARED, database: backend.database("tenantry"), collection: "overrides" },
  };
  return ConnectionMapSchema.parse(map);
}

/**
 * Deterministic documents of one tenant in one collection, with every numeric BSON type and nested values.
 * `decimal128: false` leaves out the Decimal128 field, for servers without that type (FerretDB 1.x drops the
 * connection on it: see decimalSupport).
 */
export function docsOf(tenantId: string, logical: string, n: number, options: { decimal128?: boolean } = {}): Document[] {
  const decimal = options.decimal128 !== false;
  const salt = `${tenantId}:${logical}`.split("").reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 0xffffff, 7);
  return Array.from({ length: n }, (_, i) => ({
    _id: new ObjectId(`${salt.toString(16).padStart(6, "0")}${"0".repeat(10)}${i.toString(16).padStart(8, "0")}`),
    tenant_id: tenantId,
    user_id: `u${i % 7}`,
    seq: new Int32(i),
    amount: new Double(i + 0.5),
    whole: new Double(i),
    big: Long.fromNumber(i * 1_000_003),
    ...(decimal ? { price: Decimal128.fromString(`${i}.10`) } : {}),
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    meta: { tags: [`t${i % 3}`, "x"], nested: { b: i % 2 === 0, a: null } },
  }));
}

const docsOfAll = docsOf;

export const SIZES: Record<string, number> = { events: 300, notes: 1200, orders: 2500 };
export const OTHER_SIZE = 400;

/** Whether the backend stores Decimal128 (probed once on a real server; FerretDB 1.24 lacks it). */
export async function decimalSupport(backend: TestBackend): Promise<boolean> {
  if (backend.kind === "memory" || !MONGODB_URI) return true;
  decimalProbe ??= serverFeature(MONGODB_URI, "decimal128").then((r) => r.ok);
  return decimalProbe;
}
let decimalProbe: Promise<boolean> | undefined;

/** Seeds acme at its source stage and the other tenants in the pool collections. */
export async function seed(backend: TestBackend, from: Stage): Promise<void> {
  const decimal128 = await decimalSupport(backend);
  const docsOf = (t: string, l: string, n: number) => docsOfAll(t, l, n, { decimal128 });
  const src = route(backend, from);
  for (const logical of LOGICAL) {
    await backend.seed(src.cluster, src.database, src.collections[logical] as string, docsOf(MOVING, logical, SIZES[logical] ?? 0));
    for (const t of OTHERS) {
      const r = route(backend, "pool", t);
      await backend.seed(r.cluster, r.database, r.collections[logical] as string, docsOf(t, logical, OTHER_SIZE));
    }
  }
}

/** Canonical EJSON of every document of a namespace, sorted: equal strings mean byte-identical documents. */
export async function snapshot(backend: TestBackend, cluster: string, db: string, coll: string, filter?: (d: Document) => boolean): Promise<string[]> {
  const docs = await backend.raw(cluster, db, coll);
  return docs.filter(filter ?? (() => true)).map((d) => canonicalEjson(d)).sort();
}

/** Every other tenant's documents, everywhere they could be (the shared pool collections). */
export async function othersSnapshot(backend: TestBackend): Promise<string[]> {
  const out: string[] = [];
  const pool = route(backend, "pool");
  for (const logical of LOGICAL) out.push(...(await snapshot(backend, SHARED, pool.database, logical, (d) => d.tenant_id !== MOVING)));
  return out;
}

/** Canonical EJSON of acme's documents at a stage, per logical collection. */
export async function tenantSnapshot(backend: TestBackend, stage: Stage): Promise<Record<string, string[]>> {
  const r = route(backend, stage);
  const out: Record<string, string[]> = {};
  for (const logical of LOGICAL) out[logical] = await snapshot(backend, r.cluster, r.database, r.collections[logical] as string, (d) => d.tenant_id === MOVING);
  return out;
}

export interface Harness {
  backend: TestBackend;
  map: ConnectionMap;
  /** The resolvers' view of the control collection. */
  control: ControlStore;
  clients: EndpointClients;
  sleeps: number[];
  clock: { now: Date };
  /** The control collection (the map's `control` location): the moves' state documents. */
  store: BackendCollection;
  /** Earlier moves' state documents. */
  history: BackendCollection;
  mover(extra?: Partial<MoverOptions>): Mover;
  close(): Promise<void>;
}

/** A mover wired to a backend: state documents at the map's control location, a fake clock and sleep. */
export async function harness(backend: TestBackend, from: Stage, to: Stage): Promise<Harness> {
  const map = makeMap(backend, from, to);
  const clients = endpointClients(backend.connector);
  const controlEndpoint = { route: route(backend, "pool"), cluster: map.clusters[SHARED]!, credentialRef: map.credentials[SHARED]! };
  const controlClient = await clients.connect(controlEndpoint);
  const controlDb = controlClient.db(map.control!.database);
  const store = controlDb.collection(map.control!.collection);
  const history = controlDb.collection("tenantry_moves");
  const control = collectionControlStore(store);
  const sleeps: number[] = [];
  const clock = { now: new Date("2026-11-28T12:00:00Z") };
  const sleep = (ms: number) => {
    sleeps.push(ms);
    clock.now = new Date(clock.now.getTime() + ms);
    return Promise.resolve();
  };
  let n = 0;
  return {
    backend,
    map,
    control,
    clients,
    sleeps,
    clock,
    store,
    history,
    mover: (extra = {}) =>
      new Mover({
        map,
        connect: (e) => clients.connect(e),
        store,
        history,
        actor: "tester",
        owner: `tester-${++n}`,
        batchSize: 500,
        freezeBoundMs: 10_000,
        now: () => clock.now,
        sleep,
        ...extra,
      }),
    close: async () => {
      await clients.close();
      await backend.close();
    },
  };
}
