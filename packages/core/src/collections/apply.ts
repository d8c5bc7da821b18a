// Applies the registry's collections, validators, indexes and retention to every target, or checks them: idempotent,
// additive, and what the server holds beyond the registry is reported as drift, dropped only when asked.
import type { Document } from "mongodb";
import type { BackendClient, BackendDb } from "@tenantry/contract/backend/types";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { type CollectionDeclarations, type DesiredCollection, type DesiredIndex, type DesiredValidator, desiredCollection, type Holder } from "./desired";
import { type CollectionTarget, collectionTargets } from "./targets";

export type Mode = "apply" | "check";

/** Something on the server that is not what the registry declares. */
export interface Drift {
  kind: "missing-collection" | "missing-index" | "missing-validator" | "validator-differs" | "ttl-differs" | "conflicting-index" | "undeclared-index" | "undeclared-validator";
  /** Index name, for index findings. */
  index?: string;
  detail: string;
}

/** A server error on one step; the other steps and targets still run. */
export interface Failure {
  step: "connect" | "listCollections" | "createCollection" | "collMod" | "listIndexes" | "createIndex" | "dropIndex";
  index?: string;
  /** The server's codeName (e.g. `DuplicateKey`, `CommandNotFound`), when it gave one. */
  codeName?: string;
  message: string;
}

export interface CollectionResult {
  logical: string;
  physical: string;
  /** What this run changed, e.g. `created index tenant_id_1_email_1`. */
  changes: string[];
  drift: Drift[];
  failures: Failure[];
  /** Names of the declared indexes present after the run. */
  indexes: string[];
}

export interface TargetResult {
  label: string;
  holder: Holder;
  cluster: string;
  database: string;
  collections: CollectionResult[];
  /** A failure of the whole target (it could not be reached). */
  failures: Failure[];
}

export interface CollectionsReport {
  mode: Mode;
  targets: TargetResult[];
  changes: number;
  drift: number;
  failures: number;
}

export interface ApplyOptions {
  mode: Mode;
  /** Drop indexes and validators the registry does not declare, and recreate conflicting indexes. @default false */
  dropUndeclared?: boolean;
}

export interface ApplyCollectionsOptions extends ApplyOptions {
  map: ConnectionMap;
  declarations: CollectionDeclarations;
  /** The client of one target (cached by the caller per cluster and credential). */
  connect: (target: CollectionTarget) => Promise<BackendClient>;
  /** Only this tenant's targets (a pool tenant: its shared clusters' pool collections). */
  tenantId?: string | undefined;
}

/** Applies (or checks) every target of the map; never throws for a server error, reports it. */
export async function applyCollections(options: ApplyCollectionsOptions): Promise<CollectionsReport> {
  const results: TargetResult[] = [];
  for (const target of collectionTargets(options.map, options.tenantId)) {
    let db: BackendDb;
    try {
      db = (await options.connect(target)).db(target.route.database);
    } catch (error) {
      results.push({ ...identity(target), collections: [], failures: [failure("connect", error)] });
      continue;
    }
    results.push({ ...identity(target), ...(await applyTarget(db, target.holder, target.route.collections, options.declarations, options)) });
  }
  return summarize(options.mode, results);
}

function identity(target: CollectionTarget): Omit<TargetResult, "collections" | "failures"> {
  return { label: target.label, holder: target.holder, cluster: target.route.cluster, database: target.route.database };
}

export function summarize(mode: Mode, targets: TargetResult[]): CollectionsReport {
  const all = targets.flatMap((t) => t.collections);
  return {
    mode,
    targets,
    changes: all.reduce((n, c) => n + c.changes.length, 0),
    drift: all.reduce((n, c) => n + c.drift.length, 0),
    failures: targets.reduce((n, t) => n + t.failures.length, 0) + all.reduce((n, c) => n + c.failures.length, 0),
  };
}

/**
 * One database of one holder: every declared collection (`collections` maps logical → physical names). The mover calls
 * this on a move's target before copying, so the target enforces the same unique keys as the source from batch one.
 */
export async function applyTarget(
  db: BackendDb,
  holder: Holder,
  collections: Readonly<Record<string, string>>,
  declarations: CollectionDeclarations,
  options: ApplyOptions,
): Promise<Pick<TargetResult, "collections" | "failures">> {
  const out: CollectionResult[] = [];
  for (const spec of declarations.collections) {
    const physical = collections[spec.name];
    if (physical === undefined) continue;
    out.push(await applyCollection(db, desiredCollection(declarations, spec, physical, holder), options));
  }
  return { collections: out, failures: [] };
}

async function applyCollection(db: BackendDb, desired: DesiredCollection, options: ApplyOptions): Promise<CollectionResult> {
  const result: CollectionResult = { logical: desired.logical, physical: desired.physical, changes: [], drift: [], failures: [], indexes: [] };
  const apply = options.mode === "apply";
  let info: Document | undefined;
  try {
    info = (await db.listCollections({ name: desired.physical }).toArray())[0];
  } catch (error) {
    result.failures.push(failure("listCollections", error));
    return result;
  }

  if (info === undefined) {
    if (!apply) {
      result.drift.push({ kind: "missing-collection", detail: `collection ${desired.physical} does not exist (${desired.indexes.length} declared indexes${desired.validator ? ", a validator" : ""})` });
      return result;
    }
    try {
      await db.createCollection(desired.physical, desired.validator ? validatorOptions(desired.validator) : {});
      result.changes.push(`created collection${desired.validator ? " with its validator" : ""}`);
    } catch (error) {
      // NamespaceExists: created concurrently; go on with what is there. Any other failure is reported, and the
      // indexes are still applied (createIndex creates the collection): unique keys hold even where a validator cannot.
      if (codeOf(error) !== 48) result.failures.push(failure("createCollection", error));
    }
  } else {
    await reconcileValidator(db, desired, info, options, result);
  }
  await reconcileIndexes(db, desired, options, result);
  return result;
}

function validatorOptions(v: DesiredValidator): Document {
  return { validator: v.validator, validationLevel: v.validationLevel, validationAction: v.validationAction };
}

async function reconcileValidator(db: BackendDb, desired: DesiredCollection, info: Document, options: ApplyOptions, result: CollectionResult): Promise<void> {
  const current = (info.options ?? {}) as Document;
  const serverValidator = isEmpty(current.validator) ? undefined : (current.validator as Document);
  const want = desired.validator;
  const collMod = async (command: Document, change: string): Promise<boolean> => {
    try {
      await db.command({ collMod: desired.physical, ...command });
      result.changes.push(change);
      return true;
    } catch (error) {
      result.failures.push(failure("collMod", error));
      return false;
    }
  };
  if (want === undefined) {
    if (serverValidator === undefined) return;
    if (options.mode === "apply" && options.dropUndeclared === true) {
      await collMod({ validator: {}, validationLevel: "strict", validationAction: "error" }, "removed the undeclared validator");
      return;
    }
    result.drift.push({ kind: "undeclared-validator", detail: `the server holds a validator the registry does not declare: ${canonical(serverValidator)}` });
    return;
  }
  const same =
    serverValidator !== undefined &&
    canonical(serverValidator) === canonical(want.validator) &&
    (current.validationLevel ?? "strict") === want.validationLevel &&
    (current.validationAction ?? "error") === want.validationAction;
  if (same) return;
  if (options.mode === "apply") {
    await collMod(validatorOptions(want), serverValidator === undefined ? "set the validator" : "replaced the validator with the declared one");
    return;
  }
  result.drift.push(
    serverValidator === undefined
      ? { kind: "missing-validator", detail: "the declared validator is not set" }
      : { kind: "validator-differs", detail: `the server's validator differs from the declared one: ${canonical(serverValidator)}` },
  );
}

async function reconcileIndexes(db: BackendDb, desired: DesiredCollection, options: ApplyOptions, result: CollectionResult): Promise<void> {
  const coll = db.collection(desired.physical);
  const apply = options.mode === "apply";
  const drop = apply && options.dropUndeclared === true;
  let server: Document[];
  try {
    server = (await coll.listIndexes().toArray()).filter((i) => i.name !== "_id_");
  } catch (error) {
    // NamespaceNotFound in check mode is reported as a missing collection already; anything else is a failure.
    if (codeOf(error) !== 26) result.failures.push(failure("listIndexes", error));
    server = [];
  }
  const claimed = new Set<string>();

  const dropIndex = async (name: string, why: string): Promise<boolean> => {
    try {
      await coll.dropIndex(name);
      result.changes.push(`dropped ${why} index ${name}`);
      return true;
    } catch (error) {
      result.failures.push(failure("dropIndex", error, name));
      return false;
    }
  };
  const create = async (index: DesiredIndex): Promise<void> => {
    try {
      await coll.createIndex(index.key, { name: index.name, ...(index.unique && { unique: true }), ...(index.expireAfterSeconds !== undefined && { expireAfterSeconds: index.expireAfterSeconds }) });
      result.changes.push(`created index ${index.name}`);
      result.indexes.push(index.name);
    } catch (error) {
      result.failures.push(failure("createIndex", error, index.name));
    }
  };

  for (const index of desired.indexes) {
    const byName = server.find((s) => s.name === index.name);
    const byKey = server.find((s) => s.name !== index.name && sameKey(index.key, s.key as Document));
    const conflict = byName !== undefined && (!sameKey(index.key, byName.key as Document) || Boolean(byName.unique) !== index.unique) ? byName : byKey;
    if (conflict !== undefined) {
      claimed.add(conflict.name as string);
      const detail = `index ${String(conflict.name)} (${describe(conflict)}) stands where the registry declares ${index.name} (${describe(index)})`;
      if (drop && (await dropIndex(conflict.name as string, "conflicting"))) await create(index);
      else result.drift.push({ kind: "conflicting-index", index: index.name, detail });
      continue;
    }
    if (byName === undefined) {
      if (apply) await create(index);
      else result.drift.push({ kind: "missing-index", index: index.name, detail: `index ${index.name} (${describe(index)}) does not exist` });
      continue;
    }
    claimed.add(index.name);
    const ttl = typeof byName.expireAfterSeconds === "number" ? byName.expireAfterSeconds : undefined;
    if (ttl !== index.expireAfterSeconds && index.expireAfterSeconds !== undefined && ttl !== undefined) {
      if (apply) {
        try {
          await db.command({ collMod: desired.physical, index: { name: index.name, expireAfterSeconds: index.expireAfterSeconds } });
          result.changes.push(`changed the retention of ${index.name} to ${index.expireAfterSeconds / 86_400} days`);
          result.indexes.push(index.name);
        } catch (error) {
          result.failures.push(failure("collMod", error, index.name));
        }
      } else {
        result.drift.push({ kind: "ttl-differs", index: index.name, detail: `index ${index.name} expires after ${ttl}s, the registry says ${index.expireAfterSeconds}s` });
      }
      continue;
    }
    if (ttl !== index.expireAfterSeconds) {
      // A TTL where none is declared or the reverse: the definitions differ, treated as a conflict.
      const detail = `index ${index.name} (${describe(byName)}) differs from the declared one (${describe(index)})`;
      if (drop && (await dropIndex(index.name, "conflicting"))) await create(index);
      else result.drift.push({ kind: "conflicting-index", index: index.name, detail });
      continue;
    }
    result.indexes.push(index.name);
  }

  for (const s of server) {
    const name = s.name as string;
    if (claimed.has(name) || desired.indexes.some((d) => d.name === name)) continue;
    if (drop) await dropIndex(name, "undeclared");
    else result.drift.push({ kind: "undeclared-index", index: name, detail: `index ${name} (${describe(s)}) is not declared in the registry` });
  }
}

/** Same keys in the same order; directions compared as numbers or strings (the server may answer 1 as a double). */
function sameKey(declared: Document, server: Document | undefined): boolean {
  if (server === undefined) return false;
  // Text indexes are listed as { _fts: "text", _ftsx: 1 } whatever their fields (https://www.mongodb.com/docs/manual/core/indexes/index-types/index-text/).
  if (Object.values(declared).includes("text")) return server._fts === "text";
  const a = Object.entries(declared);
  const b = Object.entries(server);
  return a.length === b.length && a.every(([field, dir], i) => b[i]?.[0] === field && String(b[i]?.[1]) === String(dir));
}

function describe(index: Document): string {
  // Key order is part of an index: printed as is, never sorted.
  const parts = [`keys ${JSON.stringify(index.key)}`];
  if (index.unique === true) parts.push("unique");
  if (typeof index.expireAfterSeconds === "number") parts.push(`expireAfterSeconds ${index.expireAfterSeconds}`);
  return parts.join(", ");
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);
}

/** JSON with object keys sorted: validators compare equal whatever order the server returns their keys in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Document).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function failure(step: Failure["step"], error: unknown, index?: string): Failure {
  const e = error as { codeName?: unknown; message?: unknown } | null;
  return {
    step,
    ...(index !== undefined && { index }),
    ...(typeof e?.codeName === "string" && { codeName: e.codeName }),
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}
