// Backend selection for suites that run on the memory backend always and on a real MongoDB when MONGODB_URI is set.
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { Document } from "mongodb";
import type { Connector } from "../../packages/contract/src/backend/types";
import { mongoConnector } from "../../packages/resolver/src/mongo-connector";
import { memoryConnector } from "../../packages/testing/src";
import type { MemoryConnector } from "../../packages/testing/src";
import { monitoredConnector, recordingConnector, wireTap } from "./wire";
import type { WireTap } from "./wire";

/** The real server's URI, when the environment provides one. */
export const MONGODB_URI: string | undefined = process.env.MONGODB_URI;

/** One backend for one test (or one describe block). */
export interface TestBackend {
  readonly kind: "memory" | "mongodb";
  /** Pass this to `createResolver` (or the mover). */
  readonly connector: Connector;
  /** The commands sent through `connector`, for `wireCapture(backend)` (tests/support/wire.ts). */
  readonly wire: WireTap;
  /**
   * A database name unique to this backend instance, so parallel runs against one real server never share data.
   * Build the test map with it. On the memory backend it is `base` unchanged.
   */
  database(base: string): string;
  /** The documents as stored, bypassing the resolver (natural order). */
  raw(clusterKey: string, db: string, collection: string): Promise<Document[]>;
  /** Inserts fixtures directly, bypassing the resolver. */
  seed(clusterKey: string, db: string, collection: string, docs: readonly Document[]): Promise<void>;
  /** Drops what this backend created (real server) and closes its own inspection client. */
  close(): Promise<void>;
}

/** The memory backend, with its `MemoryConnector` for fault injection and client counting. */
export function memoryTestBackend(): TestBackend & { memory: MemoryConnector } {
  const memory = memoryConnector();
  const tap = wireTap();
  return {
    kind: "memory",
    connector: recordingConnector(memory, tap),
    wire: tap,
    memory,
    database: (base) => base,
    raw: async (clusterKey, db, collection) => {
      await Promise.resolve();
      return memory.raw(clusterKey, db, collection);
    },
    seed: async (clusterKey, db, collection, docs) => {
      await Promise.resolve();
      memory.seed(clusterKey, db, collection, docs);
    },
    close: async () => {
      await Promise.resolve();
      memory.reset();
    },
  };
}

/**
 * A real MongoDB at `uri`. Every cluster of the map maps to that one server, so cluster isolation is not exercised
 * there (databases are): use distinct database names per cluster in maps meant for both backends.
 */
export function mongoTestBackend(uri: string): TestBackend {
  const suffix = randomBytes(4).toString("hex");
  const created = new Set<string>();
  const inspector = new MongoClient(uri);
  const tap = wireTap();
  return {
    kind: "mongodb",
    connector: monitoredConnector(mongoConnector({ uri: () => uri, appName: "tenantry-tests", clientOptions: { monitorCommands: true } }), tap),
    wire: tap,
    database: (base) => {
      const name = `${base}_${suffix}`;
      created.add(name);
      return name;
    },
    raw: async (_clusterKey, db, collection) => inspector.db(db).collection(collection).find({}).toArray(),
    seed: async (_clusterKey, db, collection, docs) => {
      if (docs.length > 0) await inspector.db(db).collection(collection).insertMany(docs.map((d) => ({ ...d })));
    },
    close: async () => {
      for (const db of created) await inspector.db(db).dropDatabase();
      await inspector.close();
    },
  };
}

/** Both backends as `describe` cases: `for (const b of backendCases) describe.skipIf(b.skip)(b.name, ...)`. */
export const backendCases: readonly { name: string; skip: boolean; make: () => TestBackend }[] = [
  { name: "memory backend", skip: false, make: memoryTestBackend },
  {
    name: MONGODB_URI ? "real MongoDB (MONGODB_URI)" : "real MongoDB (skipped: set MONGODB_URI to run)",
    skip: !MONGODB_URI,
    make: () => mongoTestBackend(MONGODB_URI ?? ""),
  },
];

/**
 * For suites that seed thousands of documents and page through them many times (the mover's large fixtures). FerretDB
 * 1.24 on SQLite pushes neither sort nor limit down, so every keyset page is a full scan (measured: 20 pages of 100
 * took 14.9 s) and these suites would take tens of minutes there: on it (TENANTRY_TEST_SERVER=ferretdb, set by
 * scripts/test-server.sh) they are skipped with that reason unless TENANTRY_BULK_TWINS=1. On a mongod they run.
 * The crash-point, export-input and collections suites cover the mover on FerretDB with small data.
 */
const FERRETDB = process.env.TENANTRY_TEST_SERVER === "ferretdb" && process.env.TENANTRY_BULK_TWINS !== "1";
export const bulkBackendCases: readonly { name: string; skip: boolean; make: () => TestBackend }[] = backendCases.map((c) =>
  c.name.startsWith("real") && MONGODB_URI && FERRETDB
    ? { ...c, name: "real MongoDB (skipped on FerretDB: no sort/limit pushdown, every page a full scan; TENANTRY_BULK_TWINS=1 runs it)", skip: true }
    : c,
);
