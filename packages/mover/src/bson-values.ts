// BSON type names of values read back from the driver or an export, and the driver-identical form of parsed EJSON.
import type { Document } from "mongodb";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The BSON type name of a value as the driver reads it with `promoteValues: false` (or as an export line parses),
 * in MongoDB's own type names (`$type` aliases).
 */
export function bsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX ? "int" : "double";
    case "bigint":
      return "long";
    default:
      break;
  }
  if (value instanceof Date) return "date";
  if (value instanceof RegExp) return "regex";
  if (Array.isArray(value)) return "array";
  if (Buffer.isBuffer(value)) return "binData";
  const bsontype = (value as { _bsontype?: unknown })._bsontype;
  if (typeof bsontype === "string") {
    const names: Record<string, string> = {
      ObjectId: "objectId",
      ObjectID: "objectId",
      Int32: "int",
      Double: "double",
      Long: "long",
      Decimal128: "decimal",
      Binary: "binData",
      Timestamp: "timestamp",
      BSONRegExp: "regex",
      BSONSymbol: "symbol",
      MinKey: "minKey",
      MaxKey: "maxKey",
      Code: "javascript",
      DBRef: "object",
    };
    return names[bsontype] ?? bsontype;
  }
  return "object";
}

/**
 * A document parsed from canonical EJSON, with each `Int32` and each non-integral `Double` replaced by the JavaScript
 * number the driver serialises to exactly the same BSON (an integer in int32 range goes out as int32, any other
 * number as double: https://github.com/mongodb/js-bson#serialize). Integral doubles, longs and decimals keep their
 * wrapper, because a plain number would change their type. The bytes sent are unchanged; what changes is that a
 * backend comparing JavaScript values (the memory backend) sees the same value the application wrote.
 */
export function driverValue<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v: unknown) => driverValue(v)) as T;
  const bsontype = (value as { _bsontype?: unknown })._bsontype;
  if (bsontype === "Int32") return (value as unknown as { value: number }).value as T;
  if (bsontype === "Double") {
    const n = (value as unknown as { value: number }).value;
    return (Number.isInteger(n) || !Number.isFinite(n) ? value : n) as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Document = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, { value: driverValue((value as Document)[key]), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}
