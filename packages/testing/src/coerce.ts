// How the server reads option values the driver passes through unchanged, so the memory backend answers the same.
// Booleans of a command are "safeBool" fields (https://github.com/mongodb/mongo/blob/r8.0.0/src/mongo/idl/basic_types.idl):
// a bool or any number (non-zero is true); any other type is a TypeMismatch error. skip and limit must be integers, skip
// non-negative (https://www.mongodb.com/docs/manual/reference/command/find/).
import { Decimal128, Double, Int32, Long } from "mongodb";
import { serverError } from "./errors";

function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Int32 || value instanceof Double) return value.value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return undefined;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return typeof value === "string" ? "string" : typeof value;
}

/** A command's boolean field as the server reads it; `undefined` and `null` mean the default. */
export function safeBool(value: unknown, field: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  const n = numeric(value);
  if (n !== undefined) return n !== 0;
  throw serverError(14, "TypeMismatch", `BSON field '${field}' is the wrong type '${typeName(value)}', expected types '[bool, long, int, decimal, double]'`);
}

/** A skip (non-negative integer) or a limit (any integer; find treats a negative limit as a single batch of |n|). */
export function count(value: unknown, field: "skip" | "limit", negativeAllowed: boolean): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = numeric(value);
  if (n === undefined || !Number.isInteger(n)) throw serverError(14, "TypeMismatch", `BSON field '${field}' is the wrong type '${typeName(value)}', expected an integer`);
  if (n < 0 && !negativeAllowed) throw serverError(51024, "Location51024", `BSON field '${field}' value must be >= 0, actual value '${n}'`);
  return n === 0 ? undefined : Math.abs(n);
}
