// Real-server feature gaps: a test that meets the server's own "not implemented" answer is skipped with that answer.
import { MongoClient, MongoServerError } from "mongodb";
import type { Document } from "mongodb";
import type { TestContext } from "vitest";

/**
 * Server error codes that mean "this server lacks the feature", never "the request was wrong": the codes MongoDB
 * itself uses (https://www.mongodb.com/docs/manual/reference/error-codes/) and FerretDB returns for what it has not
 * implemented (https://docs.ferretdb.io/v1.24/reference/supported-commands/).
 */
export const FEATURE_GAP_CODES: Readonly<Record<number, string>> = {
  59: "CommandNotFound",
  115: "CommandNotSupported",
  238: "NotImplemented",
  // "The $changeStream stage is only supported on replica sets": a standalone mongod has no oplog to stream.
  40573: "Location40573",
};

/** The server's own refusal of a feature it lacks. */
export interface ServerGap {
  code: number;
  codeName: string;
  message: string;
}

/** Prefix of every skip note this module writes; the skip reporter groups by it. */
export const SERVER_GAP_NOTE = "server lacks it";

/** The feature gap behind `error` (itself, its write errors or its `cause` chain), or undefined for any other error. */
export function serverGap(error: unknown, depth = 0): ServerGap | undefined {
  if (depth > 8 || error === null || typeof error !== "object") return undefined;
  if (error instanceof MongoServerError) {
    const code = typeof error.code === "number" ? error.code : undefined;
    if (code !== undefined && FEATURE_GAP_CODES[code] !== undefined) {
      return { code, codeName: error.codeName ?? FEATURE_GAP_CODES[code], message: error.message };
    }
    const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
    for (const w of Array.isArray(writeErrors) ? (writeErrors as { code?: unknown; errmsg?: unknown }[]) : []) {
      if (typeof w.code === "number" && FEATURE_GAP_CODES[w.code] !== undefined) {
        return { code: w.code, codeName: FEATURE_GAP_CODES[w.code] as string, message: typeof w.errmsg === "string" ? w.errmsg : "" };
      }
    }
  }
  return serverGap((error as { cause?: unknown }).cause, depth + 1);
}

/** The skip note for a gap: `server lacks it: NotImplemented (238): <the server's message>`. */
export function gapNote(gap: ServerGap): string {
  return `${SERVER_GAP_NOTE}: ${gap.codeName} (${gap.code}): ${gap.message}`;
}

/**
 * Wraps a test body: when it fails because the server refused a feature it lacks, the test is marked skipped with the
 * server's code, codeName and message as the note (shown by vitest and summed up by the skip reporter). Any other
 * failure — an assertion, our own IsolationViolationError, a network error — fails the test as before.
 *
 *     test("joins", serverSkips(async () => { ... }));
 */
export function serverSkips(body: (context: TestContext) => Promise<void> | void): (context: TestContext) => Promise<void> {
  return async (context) => {
    try {
      await body(context);
    } catch (error) {
      const gap = serverGap(error);
      if (gap) context.skip(gapNote(gap));
      throw error;
    }
  };
}

/** Feature probes already run (or running), by server URI and feature. */
const probes = new Map<string, Promise<ServerFeatureResult>>();

/** What a feature probe found: `ok`, or the reason the server lacks it (its error code or how it failed). */
export type ServerFeatureResult = { ok: true } | { ok: false; reason: string };

/** Features some MongoDB-protocol servers lack in a way that gives no error code (FerretDB 1.x closes the connection). */
export type ProbedFeature = "decimal128" | "partial-index" | "plain-auth" | "update-pipeline";

const PROBES: Readonly<Record<ProbedFeature, (client: MongoClient, db: string) => Promise<void>>> = {
  // FerretDB 1.24 has no Decimal128 (https://docs.ferretdb.io/v1.24/reference/supported-commands/ lists the BSON types):
  // its wire decoder panics ("invalid BSON type wirebson.Decimal128") and drops the connection without a reply.
  decimal128: async (client, db) => {
    const { Decimal128 } = await import("mongodb");
    const c = client.db(db).collection("probe");
    await c.insertOne({ d: Decimal128.fromString("1.10") });
    const back = (await c.findOne({})) as Document | null;
    if (String(back?.d) !== "1.10") throw new Error(`read back ${String(back?.d)}`);
  },
  // Updates with an aggregation pipeline (MongoDB 4.2+). FerretDB 1.24 answers TypeMismatch "BSON field
  // 'update.updates.u' is the wrong type 'array'": a gap reported under a code that also means a bad request.
  "update-pipeline": async (client, db) => {
    const c = client.db(db).collection("probe");
    await c.insertOne({ _id: 1 as never, a: 1 });
    await c.updateOne({ _id: 1 as never }, [{ $set: { b: 2 } }]);
    const back = await c.findOne({ _id: 1 as never });
    if (back?.b !== 2) throw new Error(`read back ${JSON.stringify(back)}`);
  },
  // Partial indexes (MongoDB 3.2+), which every pool index of a tenant is. FerretDB 1.24 answers "Index option
  // "partialFilterExpression" is not implemented yet".
  "partial-index": async (client, db) => {
    await client.db(db).collection("probe").createIndex({ a: 1 }, { partialFilterExpression: { a: { $exists: true } } });
  },
  // SASL PLAIN with any user: FerretDB 1.24's SQLite handler authenticates it without a user store
  // (https://docs.ferretdb.io/v1.24/security/authentication/); a mongod without LDAP refuses the mechanism.
  "plain-auth": async (_client, db) => {
    const { MongoClient: Client } = await import("mongodb");
    const url = (_client.options.hosts[0] as { toString(): string }).toString();
    const probe = new Client(`mongodb://${url}/`, { auth: { username: "tenantry-probe", password: "probe" }, authMechanism: "PLAIN", serverSelectionTimeoutMS: 5_000 });
    try {
      await probe.db(db).command({ ping: 1 });
    } finally {
      await probe.close();
    }
  },
};

/**
 * Whether the server at `uri` has `feature`, found by trying it on a scratch database (dropped afterwards) with a
 * client of its own, so a dropped connection cannot affect the suite's clients. Cached per URI and feature.
 */
export function serverFeature(uri: string, feature: ProbedFeature): Promise<ServerFeatureResult> {
  const key = `${uri}\n${feature}`;
  let found = probes.get(key);
  if (!found) {
    found = (async (): Promise<ServerFeatureResult> => {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000, retryWrites: false, retryReads: false });
      const db = `tenantry_probe_${feature}_${process.pid}`;
      try {
        await PROBES[feature](client, db);
        return { ok: true };
      } catch (error) {
        const gap = serverGap(error);
        return { ok: false, reason: gap ? gapNote(gap) : `${SERVER_GAP_NOTE}: ${feature} fails (${(error as Error).name}: ${(error as Error).message})` };
      } finally {
        await client
          .db(db)
          .dropDatabase()
          .catch(() => undefined);
        await client.close().catch(() => undefined);
      }
    })();
    probes.set(key, found);
  }
  return found;
}
