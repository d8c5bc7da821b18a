// Canonical content hash of documents and collections: what the mover and export/import compare.
import { createHash } from "node:crypto";
import { BSON, type Document } from "mongodb";

// BSON through the driver: a direct "bson" import can load a second copy whose classes differ from the driver's.
const { EJSON } = BSON;

const MOD = 1n << 256n;

/** Recursively sorts object keys so two documents equal up to field order hash the same. Arrays keep their order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  // BSON values (ObjectId, Int32, Decimal128, Binary, Date, ...) serialise themselves; only plain objects are sorted.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * Canonical EJSON of a document for hashing: keys sorted recursively, canonical mode (`relaxed: false`) so every
 * number keeps its BSON type (Int32, Double, Int64 and Decimal128 differ). Read documents with
 * `promoteValues: false` so the driver does not turn an Int32 and a Double into the same JS number.
 */
export function canonicalEjson(doc: Document): string {
  return EJSON.stringify(sortKeys(doc), { relaxed: false });
}

/** One document as written to an export file: canonical mode, field order as stored (so a restore is byte-identical). */
export function exportLine(doc: Document): string {
  return EJSON.stringify(doc, { relaxed: false });
}

/** sha256 of a document's canonical EJSON, as a bigint. */
export function documentDigest(doc: Document): bigint {
  return BigInt(`0x${createHash("sha256").update(canonicalEjson(doc)).digest("hex")}`);
}

/** Count and order-independent hash of a set of documents. */
export interface ContentHash {
  /** Number of documents. */
  count: number;
  /** Sum of the documents' sha256 digests mod 2^256, 64 hex digits (a sum, not XOR: XOR would cancel duplicates). */
  hash: string;
}

/** Accumulates a ContentHash one document (or batch) at a time, in any order. */
export class HashAccumulator {
  private sum = 0n;
  private n = 0;

  add(doc: Document): void {
    this.sum = (this.sum + documentDigest(doc)) % MOD;
    this.n += 1;
  }

  addAll(docs: Iterable<Document>): void {
    for (const doc of docs) this.add(doc);
  }

  result(): ContentHash {
    return { count: this.n, hash: this.sum.toString(16).padStart(64, "0") };
  }
}

/** ContentHash of an in-memory list of documents. */
export function contentHash(docs: Iterable<Document>): ContentHash {
  const acc = new HashAccumulator();
  acc.addAll(docs);
  return acc.result();
}

/** True when two content hashes describe the same documents. */
export function sameContent(a: ContentHash, b: ContentHash): boolean {
  return a.count === b.count && a.hash === b.hash;
}
