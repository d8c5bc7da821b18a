// Value helpers of the memory backend: deep clone that keeps BSON types, and stable keys for index and distinct equality.
// BSON comes through the driver: importing "bson" directly can load a second copy (ESM beside the driver's CJS) whose
// ObjectId is another class, and then equality between the two silently fails.
import { BSON, ObjectId } from "mongodb";
import type { Document } from "mongodb";

const { EJSON, deserialize, serialize } = BSON;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** Assigns an own property; `__proto__` as a key must stay data, never become the object's prototype. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Deep-clones a value: plain objects and arrays recursively, Dates and BSON values (ObjectId, Decimal128, Long...) by type. */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v: unknown) => cloneValue(v)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as T;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  // ObjectIds are on every document: the copy constructor instead of a BSON round trip (same class, same bytes).
  if (value instanceof ObjectId) return new ObjectId(value) as T;
  if ("_bsontype" in value) {
    // A BSON round trip with promoteValues off returns the same wrapper class (Int32 stays Int32, Long stays Long).
    return deserialize(serialize({ v: value }), { promoteValues: false, promoteBuffers: false }).v as T;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) defineOwn(out, key, cloneValue((value as Record<string, unknown>)[key]));
  return out as T;
}

export function cloneDoc(doc: Document): Document {
  return cloneValue(doc);
}

/** A string that is equal for two values exactly when MongoDB would index them as equal (type-tagged, order-sensitive). */
export function valueKey(value: unknown): string {
  if (value === undefined) return "null";
  return EJSON.stringify({ v: value }, { relaxed: false });
}

/** Reads a dotted path; arrays on the way yield every element's value (the multikey rule). */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const parts = path.split(".");
  let current: unknown[] = [doc];
  for (const part of parts) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== "object") continue;
      if (Array.isArray(item)) {
        const index = Number(part);
        if (Number.isInteger(index) && String(index) === part) {
          if (index < item.length) next.push(item[index]);
        } else {
          for (const element of item) {
            if (element !== null && typeof element === "object" && !Array.isArray(element) && Object.hasOwn(element, part)) {
              next.push((element as Record<string, unknown>)[part]);
            }
          }
        }
      } else if (Object.hasOwn(item, part)) {
        next.push((item as Record<string, unknown>)[part]);
      }
    }
    current = next;
  }
  return current;
}
