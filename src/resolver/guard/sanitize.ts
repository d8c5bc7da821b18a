// Validates and deep-copies untrusted query-language values (filters, updates, pipelines, expressions) in one pass.
// Copying is what makes the check binding: getters, proxies or later mutation cannot change what was checked.
import type { Document } from "mongodb";
import { IsolationViolationError } from "../errors";

/** Keys that could reach or replace prototypes in any JavaScript that later handles the value. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Operators that run JavaScript on the server. */
export const JS_OPERATORS: ReadonlySet<string> = new Set(["$where", "$function", "$accumulator"]);

/** BSON value types a query may carry (everything the driver exports except Code and the deprecated Symbol). */
const ALLOWED_BSON = new Set([
  "ObjectId",
  "ObjectID",
  "Decimal128",
  "Long",
  "Int32",
  "Double",
  "Timestamp",
  "Binary",
  "BSONRegExp",
  "MinKey",
  "MaxKey",
  "DBRef",
  "UUID",
]);

const MAX_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function violation(reason: IsolationViolationError["reason"], method: string, path: string, detail: string): IsolationViolationError {
  return new IsolationViolationError(reason, method, path, detail);
}

/**
 * Returns a deep copy of `value` after refusing server-side JavaScript, prototype keys, functions, fake BSON values and
 * non-plain objects. Dates, RegExps, buffers and real BSON values are kept as they are (immutable leaves).
 */
export function sanitize(value: unknown, method: string, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw violation("malformed-argument", method, path, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return value;
    case "function":
      throw violation("server-side-js", method, path, "functions are refused (they would be sent as server-side JavaScript)");
    case "symbol":
      throw violation("malformed-argument", method, path, "symbols are not query values");
    default:
      break;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- narrows `{}` (after the switch) to object
  const object = value as object;
  if (Array.isArray(object)) return object.map((item: unknown, i) => sanitize(item, method, `${path}[${i}]`, depth + 1));
  if (object instanceof Date || object instanceof RegExp || object instanceof Uint8Array) return object;
  const bsonType = (object as { _bsontype?: unknown })._bsontype;
  if (bsonType !== undefined) {
    const type = typeof bsonType === "string" ? bsonType : "unknown";
    if (type === "Code") throw violation("server-side-js", method, path, "BSON Code (server-side JavaScript) is refused");
    if (!ALLOWED_BSON.has(type) || isPlainObject(object)) throw violation("malformed-argument", method, path, `unsupported BSON value ${type}`);
    return object;
  }
  if (!isPlainObject(object)) {
    throw violation("malformed-argument", method, path, "only plain objects, arrays and BSON values are accepted");
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const at = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) throw violation("forbidden-key", method, at, `the key ${key} is refused`);
    if (JS_OPERATORS.has(key)) throw violation("server-side-js", method, at, `${key} runs JavaScript on the server and is refused`);
    out[key] = sanitize((object as Record<string, unknown>)[key], method, at, depth + 1);
  }
  return out;
}

/** Sanitizes something that must be a plain object (a filter, an update document, a stage). */
export function sanitizeObject(value: unknown, method: string, path: string): Document {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !isPlainObject(value)) {
    throw violation("malformed-argument", method, path, "must be a plain object");
  }
  return sanitize(value, method, path) as Document;
}

/** A user filter: `undefined` means "everything of this tenant"; anything else must be a plain object. */
export function sanitizeFilter(filter: unknown, method: string, path = "filter"): Document | undefined {
  if (filter === undefined) return undefined;
  const copy = sanitizeObject(filter, method, path);
  return Object.keys(copy).length === 0 ? undefined : copy;
}

/**
 * The tenant condition as a top-level conjunct; the user's filter can only narrow it. When the filter names no tag
 * field, both go side by side in one document (top-level fields are ANDed, and `$text` / `$near` stay top-level, where
 * the server wants them); otherwise `{ $and: [condition, filter] }`, so a user `tenant_id` can never replace ours.
 */
export function andCondition(condition: Readonly<Document>, filter: Document | undefined): Document {
  if (filter === undefined) return { ...condition };
  for (const field of Object.keys(condition)) if (Object.hasOwn(filter, field)) return { $and: [{ ...condition }, filter] };
  return { ...condition, ...filter };
}

/** A document to write: a plain object, copied one level deep (getters read once), no function-valued fields. */
export function copyDocument(doc: unknown, method: string, path: string): Record<string, unknown> {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || !isPlainObject(doc)) {
    throw violation("malformed-argument", method, path, "a document must be a plain object");
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    const v = (doc as Record<string, unknown>)[key];
    // A function field (notably `toBSON`) would let the serializer substitute another document after our checks.
    if (typeof v === "function") throw violation("server-side-js", method, `${path}.${key}`, "function-valued fields are refused");
    if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
