// The one canonicalisation step: a caller's value becomes a fresh copy that serialises to exactly what is checked.
// The driver does not send our JavaScript objects, it sends their BSON serialisation, and the serialiser (bson's
// serializeInto, https://github.com/mongodb/js-bson/blob/v7.3.4/src/parser/serializer.ts) calls `toBSON`, reads
// getters, trusts `_bsontype` and a symbol tag, and follows prototypes. So every user value is copied here into plain
// objects, arrays, primitives and freshly built BSON values of the driver's own classes; anything the serialiser could
// read differently (toBSON, Proxies, class instances, foreign or forged BSON values, Code) is refused. The guards then
// inspect the copy, and the copy — never the caller's object — is what is sent.
import { types } from "node:util";
import { BSON, Binary, BSONRegExp, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from "mongodb";
import { IsolationViolationError } from "../errors";
import type { IsolationReason } from "../errors";

/** Keys that could reach or replace prototypes in any JavaScript that later handles the value. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Operators that run JavaScript on the server. */
export const JS_OPERATORS: ReadonlySet<string> = new Set(["$where", "$function", "$accumulator"]);

/** Deeper than this is refused (and never a stack overflow). */
export const MAX_DEPTH = 64;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

// The classes come from `mongodb`, i.e. the very `bson` module the driver serialises with (importing "bson" here
// could load its ESM build beside the driver's CJS one: other classes, and an exact-prototype check would then fail).
const P = {
  objectId: ObjectId.prototype,
  int32: Int32.prototype,
  double: Double.prototype,
  long: Long.prototype,
  decimal: Decimal128.prototype,
  binary: Binary.prototype,
  uuid: UUID.prototype,
  timestamp: Timestamp.prototype,
  regexp: BSONRegExp.prototype,
  minKey: MinKey.prototype,
  maxKey: MaxKey.prototype,
  dbRef: DBRef.prototype,
} as const;

/** Own keys each accepted BSON class has; an instance with any other own key (or an accessor) is refused. */
const OWN_KEYS = new Map<object, readonly string[]>([
  [P.objectId, ["i0", "i1", "i2", "i3"]],
  [P.int32, ["value"]],
  [P.double, ["value"]],
  [P.long, ["high", "low", "unsigned"]],
  [P.timestamp, ["high", "low", "unsigned"]],
  [P.decimal, ["bytes"]],
  [P.binary, ["buffer", "sub_type", "position"]],
  [P.uuid, ["buffer", "sub_type", "position"]],
  [P.regexp, ["pattern", "options"]],
  [P.minKey, []],
  [P.maxKey, []],
  [P.dbRef, ["collection", "oid", "db", "fields"]],
]);

// Intrinsics, read once: an own property on a caller's Date or RegExp cannot redirect them.
/* eslint-disable @typescript-eslint/unbound-method -- called with an explicit receiver below */
const dateTime = Date.prototype.getTime;
const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source")?.get as (this: RegExp) => string;
const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, "flags")?.get as (this: RegExp) => string;
const bytesSlice = Uint8Array.prototype.slice;
const mapEntries = Map.prototype.entries;
/* eslint-enable @typescript-eslint/unbound-method */
const isProxy = types.isProxy;

/**
 * Prototypes whose pollution with `toBSON` would change how even our own values serialise: those of primitives (which
 * `canonical` passes through), of what it creates from other types (Binary, Long, Double), and of plain documents and
 * arrays. Every other object is checked on its own chain (`"toBSON" in value`) as it is copied.
 */
const WATCHED_PROTOTYPES: readonly object[] = [
  Object.prototype,
  Array.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  BigInt.prototype,
  Binary.prototype,
  Long.prototype,
  Double.prototype,
  Object.getPrototypeOf(Int32.prototype) as object,
];

const BSON_VERSION = Symbol.for("@@mdb.bson.version");

/** One value through the driver's serialiser and back: exactly the bytes the driver would send, as its classes. */
function viaDriverBson(value: object, method: string, path: string): unknown {
  try {
    return BSON.deserialize(BSON.serialize({ v: value }), { promoteValues: false, promoteBuffers: false, bsonRegExp: true }).v as unknown;
  } catch {
    return refuse("malformed-argument", method, path, "a BSON value the driver's serialiser rejects");
  }
}

function refuse(reason: IsolationReason, method: string, path: string, detail: string): never {
  throw new IsolationViolationError(reason, method, path, detail);
}

/**
 * Fails closed when a prototype the serialiser consults was given `toBSON` or `_bsontype` (prototype pollution):
 * then no value, ours included, would serialise as it looks. A handful of `in` checks per call.
 */
export function assertIntactPrototypes(method: string): void {
  // Plain property reads (inline-cached): a getter planted there runs, and is refused like a value.
  const base = Object.prototype as { _bsontype?: unknown };
  let polluted = base._bsontype !== undefined || (Array.prototype as { _bsontype?: unknown })._bsontype !== undefined;
  for (let i = 0; i < WATCHED_PROTOTYPES.length && !polluted; i++) polluted = (WATCHED_PROTOTYPES[i] as { toBSON?: unknown }).toBSON !== undefined;
  if (polluted) refuse("malformed-argument", method, "", "a built-in prototype carries toBSON or _bsontype (prototype pollution); refusing every operation");
}

function refuseToBson(value: object, method: string, path: string): never {
  const own = Object.hasOwn(value, "toBSON");
  refuse("malformed-argument", method, own ? `${path}.toBSON` : path, `a value with ${own ? "" : "an inherited "}toBSON is refused (the serialiser would send what toBSON returns)`);
}

function numberField(value: unknown, method: string, path: string): number {
  if (typeof value !== "number") refuse("malformed-argument", method, path, "a BSON value with a non-numeric field");
  return value;
}

function bytesField(value: unknown, method: string, path: string): Uint8Array {
  if (!(value instanceof Uint8Array) || isProxy(value)) refuse("malformed-argument", method, path, "a BSON value with a non-byte field");
  return bytesSlice.call(value);
}

/** A fresh instance of an accepted BSON class, built from the caller's validated own data fields; numbers as bson sends them. */
function copyBson(proto: object, value: Record<string, unknown>, method: string, path: string, depth: number): unknown {
  const keys = OWN_KEYS.get(proto) as readonly string[];
  const own = Reflect.ownKeys(value);
  if (own.length !== keys.length || !keys.every((k) => own.includes(k))) {
    refuse("malformed-argument", method, path, "a BSON value with unexpected own properties (its serialisation could differ from its value)");
  }
  for (const key of keys) {
    if (!("value" in (Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor))) refuse("malformed-argument", method, path, "a BSON value with an accessor property");
  }
  switch (proto) {
    case P.objectId:
      for (const k of keys) numberField(value[k], method, path);
      return new ObjectId(value as unknown as ObjectId);
    case P.int32: {
      const n = numberField(value.value, method, path);
      if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) refuse("malformed-argument", method, path, "an Int32 outside the 32-bit range");
      // A JavaScript integer in int32 range serialises as int32: byte-identical, and comparable as a number.
      return Object.is(n, -0) ? 0 : n;
    }
    case P.double: {
      const n = numberField(value.value, method, path);
      // bson sends a JavaScript number as int32 when it is a safe int32 (not -0), else as a double: only such a
      // number stays wrapped, so the wire type stays double.
      return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? new Double(n) : n;
    }
    case P.long:
    case P.timestamp: {
      const low = numberField(value.low, method, path);
      const high = numberField(value.high, method, path);
      if (typeof value.unsigned !== "boolean") refuse("malformed-argument", method, path, "a Long with a non-boolean sign");
      return proto === P.long ? new Long(low | 0, high | 0, value.unsigned) : Timestamp.fromBits(low | 0, high | 0);
    }
    case P.decimal: {
      const bytes = bytesField(value.bytes, method, path);
      if (bytes.length !== 16) refuse("malformed-argument", method, path, "a Decimal128 that is not 16 bytes");
      return new Decimal128(bytes);
    }
    case P.binary:
    case P.uuid: {
      const bytes = bytesField(value.buffer, method, path);
      const position = numberField(value.position, method, path);
      const subType = numberField(value.sub_type, method, path);
      if (!Number.isInteger(position) || position < 0 || position > bytes.length) refuse("malformed-argument", method, path, "a Binary with an invalid length");
      if (!Number.isInteger(subType) || subType < 0 || subType > 255) refuse("malformed-argument", method, path, "a Binary with an invalid subtype");
      const data = bytes.subarray(0, position);
      if (proto === P.uuid) {
        if (subType !== Binary.SUBTYPE_UUID || data.length !== 16) refuse("malformed-argument", method, path, "a UUID that is not 16 bytes of subtype 4");
        return new UUID(data);
      }
      return new Binary(data, subType);
    }
    case P.regexp: {
      if (typeof value.pattern !== "string" || typeof value.options !== "string") refuse("malformed-argument", method, path, "a BSONRegExp with non-string fields");
      if (value.pattern.includes("\u0000")) refuse("malformed-argument", method, path, "a regular expression containing NUL");
      return new BSONRegExp(value.pattern, value.options);
    }
    case P.minKey:
      return new MinKey();
    case P.maxKey:
      return new MaxKey();
    case P.dbRef: {
      if (typeof value.collection !== "string" || (value.db !== undefined && typeof value.db !== "string")) refuse("malformed-argument", method, path, "a DBRef with non-string names");
      const oid = canonical(value.oid, method, `${path}.oid`, depth + 1) as ObjectId;
      const fields = value.fields === undefined ? undefined : canonical(value.fields, method, `${path}.fields`, depth + 1);
      if (fields !== undefined && (fields === null || typeof fields !== "object" || Array.isArray(fields))) refuse("malformed-argument", method, `${path}.fields`, "DBRef fields must be a document");
      return new DBRef(value.collection, oid, value.db, fields);
    }
    default:
      return refuse("malformed-argument", method, path, "unsupported BSON value");
  }
}

function copyObject(value: Record<string, unknown>, method: string, path: string, depth: number): Record<string, unknown> {
  // A `_bsontype` key makes the serialiser treat the object as a BSON value and dispatch on a symbol tag instead.
  if (Object.hasOwn(value, "_bsontype")) {
    const type = value._bsontype;
    refuse(type === "Code" ? "server-side-js" : "malformed-argument", method, path, `a forged BSON value (_bsontype ${typeof type === "string" ? type : "?"}) is refused`);
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const at = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) refuse("forbidden-key", method, at, `the key ${key} is refused`);
    if (JS_OPERATORS.has(key)) refuse("server-side-js", method, at, `${key} runs JavaScript on the server and is refused`);
    if (key.includes("\u0000")) refuse("malformed-argument", method, at, "a key containing NUL");
    // Read once: a getter answers here, and the copy keeps that answer.
    out[key] = canonical(value[key], method, at, depth + 1);
  }
  return out;
}

/**
 * Returns the canonical copy of `value`: what the driver will serialise, and all the guards ever look at. `undefined`
 * becomes `null` (the driver's `ignoreUndefined: false`); Int32 and non-integral Double become numbers, Buffers become
 * Binary, Maps plain objects, bigint Long — each byte-identical on the wire. Refused with IsolationViolationError
 * (`path` names the place): functions and Code (`server-side-js`), `$where`/`$function`/`$accumulator`, prototype
 * keys, symbols, Proxies, `toBSON` (own or inherited), class instances, forged, foreign or tampered BSON values.
 */
export function canonical(value: unknown, method: string, path: string, depth = 0): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return value;
    case "undefined":
      return null;
    case "bigint":
      return Long.fromBigInt(value);
    case "function":
      return refuse("server-side-js", method, path, "functions are refused (they would be sent as server-side JavaScript, or silently dropped)");
    case "symbol":
      return refuse("malformed-argument", method, path, "symbols are not BSON values (the serialiser would silently drop the field)");
    default:
      break;
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) refuse("malformed-argument", method, path, `nested deeper than ${MAX_DEPTH} levels`);
  const object = value as Record<string, unknown>;
  // A Proxy can answer each read (ours, the serialiser's) differently, and lie about its prototype.
  if (isProxy(object)) refuse("malformed-argument", method, path, "Proxies are refused (pass a plain object)");
  if ("toBSON" in object) refuseToBson(object, method, path);
  const proto = Object.getPrototypeOf(object) as object | null;
  if (proto === Object.prototype || proto === null) return copyObject(object, method, path, depth);
  if (proto === Array.prototype) {
    const array = object as unknown as unknown[];
    const out = new Array<unknown>(array.length);
    for (let i = 0; i < array.length; i++) out[i] = canonical(array[i], method, `${path}[${i}]`, depth + 1);
    return out;
  }
  if (OWN_KEYS.has(proto)) return copyBson(proto, object, method, path, depth);
  if (proto === Date.prototype) return new Date(dateTime.call(object as unknown as Date));
  if (proto === RegExp.prototype) {
    const source = regexpSource.call(object as unknown as RegExp);
    if (source.includes("\u0000")) refuse("malformed-argument", method, path, "a regular expression containing NUL");
    return new RegExp(source, regexpFlags.call(object as unknown as RegExp));
  }
  if (proto === Buffer.prototype || proto === Uint8Array.prototype) return new Binary(bytesSlice.call(object as unknown as Uint8Array));
  if (proto === Map.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of mapEntries.call(object as unknown as Map<unknown, unknown>)) {
      if (typeof key !== "string") refuse("malformed-argument", method, path, "a Map with a non-string key");
      const at = `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) refuse("forbidden-key", method, at, `the key ${key} is refused`);
      if (JS_OPERATORS.has(key)) refuse("server-side-js", method, at, `${key} runs JavaScript on the server and is refused`);
      out[key] = canonical(item, method, at, depth + 1);
    }
    return out;
  }
  const tag = (object as { _bsontype?: unknown })._bsontype;
  if (tag === "Code") refuse("server-side-js", method, path, "BSON Code (server-side JavaScript) is refused");
  // A BSON value of another copy of bson 7 (an ESM import beside the driver's CJS one): converted by the driver's own
  // serialiser, and the result is canonicalised like any value (a forged tag comes back as what it claims, e.g. Code).
  if (typeof tag === "string" && (object as Record<symbol, unknown>)[BSON_VERSION] === 7) return canonical(viaDriverBson(object, method, path), method, path, depth + 1);
  if (typeof tag === "string") refuse("malformed-argument", method, path, `unsupported BSON value ${tag} (not one of the driver's own value classes)`);
  return refuse("malformed-argument", method, path, "only plain objects, arrays, primitives, Dates, RegExps, Buffers and BSON values are accepted");
}

/** Checks that `value` itself is a plain object the serialiser reads as it looks (its fields are not copied yet). */
export function plainShell(value: unknown, method: string, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) refuse("malformed-argument", method, path, "must be a plain object");
  if (isProxy(value)) refuse("malformed-argument", method, path, "Proxies are refused (pass a plain object)");
  if ("toBSON" in value) refuseToBson(value, method, path);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    if ((value as { _bsontype?: unknown })._bsontype === "Code") refuse("server-side-js", method, path, "BSON Code (server-side JavaScript) is refused");
    refuse("malformed-argument", method, path, "must be a plain object");
  }
  return value as Record<string, unknown>;
}

/** The canonical copy of something that must be a document (a filter, an update, a stage, a document to write). */
export function canonicalDocument(value: unknown, method: string, path: string): Record<string, unknown> {
  return copyObject(plainShell(value, method, path), method, path, 0);
}

/** True for what `canonical` returns as a document: a plain record (not an array, not a BSON value, not a Date). */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** A canonical number of any BSON numeric type as a JavaScript number (Long and Decimal128 included), else undefined. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Double || value instanceof Int32) return value.value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return undefined;
}
