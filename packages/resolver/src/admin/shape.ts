// The shape of a filter, update or pipeline for the audit trail: keys and operators kept, every value replaced by its type.

const MAX_DEPTH = 16;
const MAX_ARRAY = 16;
const MAX_KEYS = 64;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return "Date";
  if (value instanceof RegExp) return "RegExp";
  if (typeof value === "object") {
    // BSON values (ObjectId, Decimal128, Long, Binary…) name their own type; never their content.
    const bson = (value as { _bsontype?: unknown })._bsontype;
    if (typeof bson === "string") return bson;
  }
  return typeof value;
}

/**
 * What an audit record keeps of an argument: `{ email: "string", n: { $gt: "number" } }` for
 * `{ email: "a@b", n: { $gt: 3 } }`. Field names and operators stay (they say what was asked); values never do (they may
 * be personal data). Bounded: deep or wide arguments are cut with `"…"`.
 */
export function shapeOf(value: unknown, depth = 0): unknown {
  if (value === undefined) return undefined;
  if (depth >= MAX_DEPTH) return "…";
  if (Array.isArray(value)) {
    const shaped = value.slice(0, MAX_ARRAY).map((v) => shapeOf(v, depth + 1) ?? "undefined");
    return value.length > MAX_ARRAY ? [...shaped, "…"] : shaped;
  }
  const type = typeName(value);
  if (type !== "object") return type;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value as object);
  for (const key of keys.slice(0, MAX_KEYS)) {
    // A key that could not be stored as a field name (a `$` inside, a dot at the edge) is kept as it is: it is text the
    // caller wrote, not a value; `__proto__` is defined as own data, never as the prototype.
    Object.defineProperty(out, key, { value: shapeOf((value as Record<string, unknown>)[key], depth + 1) ?? "undefined", enumerable: true, writable: true, configurable: true });
  }
  if (keys.length > MAX_KEYS) out["…"] = `${keys.length - MAX_KEYS} more keys`;
  return out;
}
