// Option guards: each method accepts the driver's documented options with their documented types; the rest is refused.
// Types follow the driver's option interfaces (FindOptions, UpdateOptions…, https://mongodb.github.io/node-mongodb-native/7.0/interfaces/FindOptions.html):
// a boolean is a boolean (the driver and the server read truthiness differently, `upsert: "yes"`), a number may be a
// BSON number and is normalised to a JavaScript number before anything compares it.
import type { Document } from "mongodb";
import { IsolationViolationError } from "../errors";
import { canonical, canonicalDocument, isDocument, numericValue, plainShell } from "./canonical";
import type { Tags } from "./writes";

function refuse(method: string, path: string, detail: string, reason: IsolationViolationError["reason"] = "malformed-argument"): never {
  throw new IsolationViolationError(reason, method, path, detail);
}

/** An option value checker: returns the canonical value to send, or throws. */
type Check = (value: unknown, method: string, path: string, tags: Tags) => unknown;

const bool: Check = (v, method, path) => (typeof v === "boolean" ? v : refuse(method, path, `must be a boolean (true or false), got ${describe(v)}`));

function integer(min: number): Check {
  return (v, method, path) => {
    const n = numericValue(v);
    if (n === undefined || !Number.isSafeInteger(n) || n < min) refuse(method, path, `must be an integer ≥ ${min}, got ${describe(v)}`);
    return n;
  };
}

const finite: Check = (v, method, path) => {
  const n = numericValue(v);
  return n !== undefined && Number.isFinite(n) ? n : refuse(method, path, `must be a number, got ${describe(v)}`);
};

const str: Check = (v, method, path) => (typeof v === "string" ? v : refuse(method, path, `must be a string, got ${describe(v)}`));

function oneOf(...values: string[]): Check {
  return (v, method, path) => (typeof v === "string" && values.includes(v) ? v : refuse(method, path, `must be one of ${values.join(", ")}, got ${describe(v)}`));
}

const doc: Check = (v, method, path) => canonicalDocument(v, method, path);
const any: Check = (v, method, path) => canonical(v, method, path);
const docOrString: Check = (v, method, path) => (typeof v === "string" ? v : canonicalDocument(v, method, path));

/** A sort: a document, a field name, `[field, dir]` pairs or a Map (the driver's `Sort`), directions normalised. */
const sort: Check = (v, method, path) => {
  const c = canonical(v, method, path);
  if (typeof c === "string" || Array.isArray(c) || isDocument(c)) return normalizeNumbers(c);
  return refuse(method, path, "must be a sort document, a field name or [field, direction] pairs");
};

/** BSON numbers inside a small option document (sort directions, index keys) become JavaScript numbers. */
function normalizeNumbers(value: unknown): unknown {
  const n = numericValue(value);
  if (n !== undefined) return n;
  if (Array.isArray(value)) return value.map(normalizeNumbers);
  if (isDocument(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = normalizeNumbers(value[key]);
    return out;
  }
  return value;
}

const readConcern: Check = (v, method, path) => {
  const c = canonicalDocument(v, method, path);
  for (const key of Object.keys(c)) if (key !== "level") refuse(method, `${path}.${key}`, "readConcern accepts only level");
  if (c.level !== undefined) oneOf("local", "available", "majority", "linearizable", "snapshot")(c.level, method, `${path}.level`, undefined as never);
  return c;
};

const writeConcern: Check = (v, method, path) => {
  const c = canonicalDocument(v, method, path);
  const out: Document = {};
  for (const key of Object.keys(c)) {
    const at = `${path}.${key}`;
    if (key === "w") out.w = typeof c.w === "string" ? c.w : integer(0)(c.w, method, at, undefined as never);
    else if (key === "j" || key === "journal") out[key] = bool(c[key], method, at, undefined as never);
    else if (key === "wtimeout" || key === "wtimeoutMS") out[key] = integer(0)(c[key], method, at, undefined as never);
    else refuse(method, at, "writeConcern accepts w, j, journal, wtimeoutMS");
  }
  return out;
};

/**
 * A collation may change how `tenant_id = "acme"` matches: strength 1 or 2 ignore case and accents, `alternate:
 * "shifted"` ignores punctuation, `numericOrdering` equates "t01" and "t1". Those are refused; others are fine.
 * Numbers are compared after normalisation: `new Int32(1)` is strength 1 (it goes out byte-identical to `1`).
 */
export function guardCollation(collation: unknown, method: string, path: string): Document | undefined {
  if (collation === undefined) return undefined;
  const c = canonicalDocument(collation, method, path);
  const types: Record<string, Check> = {
    locale: str,
    caseLevel: bool,
    caseFirst: oneOf("upper", "lower", "off"),
    strength: integer(1),
    numericOrdering: bool,
    alternate: oneOf("non-ignorable", "shifted"),
    maxVariable: oneOf("punct", "space"),
    backwards: bool,
    normalization: bool,
  };
  const out: Document = {};
  for (const key of Object.keys(c)) {
    const check = types[key];
    if (!check) refuse(method, `${path}.${key}`, `unknown collation field ${key}`);
    out[key] = check(c[key], method, `${path}.${key}`, undefined as never);
  }
  const strength = out.strength as number | undefined;
  const why =
    strength !== undefined && strength < 3
      ? `strength ${strength} ignores case or accents`
      : out.alternate === "shifted"
        ? 'alternate "shifted" ignores punctuation and spaces'
        : out.numericOrdering === true
          ? "numericOrdering compares digits as numbers"
          : undefined;
  if (why) refuse(method, path, `${why}, which could make the tenant condition match another tenant's id`, "forbidden-option");
  if (strength !== undefined && strength > 5) refuse(method, `${path}.strength`, "must be 1 to 5");
  return out;
}

/** `let` variables: expressions without JavaScript, none named like a tag field (no look-alike of the tenant condition). */
export function guardLet(value: unknown, tags: Tags, method: string, path: string): Document | undefined {
  if (value === undefined) return undefined;
  const vars = canonicalDocument(value, method, path);
  for (const name of Object.keys(vars)) {
    if (tags.entries.some(([field]) => field.toLowerCase() === name.toLowerCase()) || /^(tenant_id|user_id)$/i.test(name)) {
      refuse(method, `${path}.${name}`, `a variable named ${name} is refused (it shadows a partition field)`, "forbidden-option");
    }
  }
  return vars;
}

/** `arrayFilters` of an update: a list of filter documents. */
export function guardArrayFilters(value: unknown, method: string, path: string): Document[] | undefined {
  if (value === undefined) return undefined;
  const c = canonical(value, method, path);
  if (!Array.isArray(c)) refuse(method, path, "must be an array of filter documents");
  for (const [i, f] of c.entries()) if (!isDocument(f)) refuse(method, `${path}[${i}]`, "must be a filter document");
  return c as Document[];
}

const collation: Check = (v, method, path) => guardCollation(v, method, path);
const letVars: Check = (v, method, path, tags) => guardLet(v, tags, method, path);
const arrayFilters: Check = (v, method, path) => guardArrayFilters(v, method, path);

/** Options refused outright, and why (even where the driver documents them). */
const REFUSED: Readonly<Record<string, string>> = {
  bypassDocumentValidation: "bypassDocumentValidation would skip the collection's validator, which may enforce the tags",
  explain: "explain output describes the whole collection (documents and keys examined), other tenants included",
  serializeFunctions: "serializeFunctions would send JavaScript functions to the server",
  includeResultMetadata: "includeResultMetadata is not supported by scoped collections (they return the document)",
  session: "sessions belong to a client, which a tenant scope does not hand out",
  raw: "raw results are BSON buffers the resolver cannot check",
  dbName: "the database is the tenant's route, not an option",
  authdb: "authentication is the resolver's",
  showExpandedEvents: "expanded change events describe the collection's indexes and options, other tenants' included",
  ignoreUndefined: "undefined is always sent as null (the driver's default), so what is checked is what is sent",
  checkKeys: "keys are checked by the resolver",
  forceServerObjectId: "the resolver assigns _id client-side, like the driver's default",
};

const COMMON: Readonly<Record<string, Check>> = { comment: any, maxTimeMS: integer(0), timeoutMS: integer(0), readConcern, readPreference: oneOf("primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest") };
const WRITE: Readonly<Record<string, Check>> = { writeConcern };
const FIND: Readonly<Record<string, Check>> = { sort, projection: doc, skip: integer(0), limit: integer(Number.MIN_SAFE_INTEGER), hint: docOrString, batchSize: integer(0), collation, allowDiskUse: bool, let: letVars, noCursorTimeout: bool, allowPartialResults: bool, singleBatch: bool };

/** Every option each method accepts, and its type. */
const ACCEPTED: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  insertOne: { ...COMMON, ...WRITE },
  insertMany: { ...COMMON, ...WRITE, ordered: bool },
  bulkWrite: { ...COMMON, ...WRITE, ordered: bool, let: letVars },
  find: { ...COMMON, ...FIND },
  findOne: { ...COMMON, ...FIND },
  updateOne: { ...COMMON, ...WRITE, upsert: bool, arrayFilters, collation, hint: docOrString, let: letVars, sort },
  updateMany: { ...COMMON, ...WRITE, upsert: bool, arrayFilters, collation, hint: docOrString, let: letVars },
  replaceOne: { ...COMMON, ...WRITE, upsert: bool, collation, hint: docOrString, let: letVars, sort },
  deleteOne: { ...COMMON, ...WRITE, collation, hint: docOrString, let: letVars },
  deleteMany: { ...COMMON, ...WRITE, collation, hint: docOrString, let: letVars },
  countDocuments: { ...COMMON, skip: integer(0), limit: integer(0), collation, hint: docOrString },
  distinct: { ...COMMON, collation, hint: docOrString },
  aggregate: { ...COMMON, allowDiskUse: bool, batchSize: integer(0), collation, hint: docOrString, let: letVars },
  findOneAndUpdate: { ...COMMON, ...WRITE, upsert: bool, arrayFilters, collation, hint: docOrString, let: letVars, sort, projection: doc, returnDocument: oneOf("before", "after") },
  findOneAndReplace: { ...COMMON, ...WRITE, upsert: bool, collation, hint: docOrString, let: letVars, sort, projection: doc, returnDocument: oneOf("before", "after") },
  findOneAndDelete: { ...COMMON, ...WRITE, collation, hint: docOrString, let: letVars, sort, projection: doc },
  createIndex: {
    ...COMMON,
    unique: bool,
    sparse: bool,
    hidden: bool,
    background: bool,
    name: str,
    partialFilterExpression: doc,
    expireAfterSeconds: integer(0),
    collation,
    weights: doc,
    default_language: str,
    language_override: str,
    wildcardProjection: doc,
    bits: integer(1),
    min: finite,
    max: finite,
  },
  watch: {
    ...COMMON,
    fullDocument: oneOf("default", "updateLookup", "whenAvailable", "required"),
    fullDocumentBeforeChange: oneOf("off", "whenAvailable", "required"),
    maxAwaitTimeMS: integer(0),
    batchSize: integer(0),
    collation,
    resumeAfter: doc,
    startAfter: doc,
    startAtOperationTime: any,
  },
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? `${typeof value} ${String(value)}` : typeof value;
}

/**
 * The options of one call as a fresh canonical object: every key known for `method` and of the documented type, none
 * of the refused ones (a refused boolean option may be `false`). `undefined` values are absent, as in the driver.
 */
export function guardOptions(options: unknown, tags: Tags, method: string): Document {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) refuse(method, "options", "must be an object");
  const accepted = ACCEPTED[method];
  if (!accepted) refuse(method, "options", `no options are accepted by ${method}`);
  // Each value is read once and canonicalised by its check; a Proxy, class instance or toBSON is refused here too.
  const given = plainShell(options, method, "options");
  const out: Document = {};
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (value === undefined) continue;
    const at = `options.${key}`;
    const why = REFUSED[key];
    if (why !== undefined) {
      if (value === false) continue;
      refuse(method, at, why, key === "serializeFunctions" ? "server-side-js" : "forbidden-option");
    }
    const check = accepted[key];
    if (!check) refuse(method, at, `unknown option ${key} for ${method} (accepted: ${Object.keys(accepted).join(", ")})`, "forbidden-option");
    out[key] = check(value, method, at, tags);
  }
  return out;
}
