// Index guards: tag-prefixed keys, per-tenant partial indexes with namespaced names in pool collections, and server
// errors scrubbed of other tenants' values and index names.
import { createHash } from "node:crypto";
import type { Document } from "mongodb";
import { defaultIndexName, prefixIndexKeys } from "@tenantry/contract/connection-map/index-keys";
import { IsolationViolationError } from "../errors";
import { canonical, isDocument, numericValue } from "./canonical";
import { guardOptions } from "./options";
import { andCondition, sanitizeFilter } from "./sanitize";
import type { Tags } from "./writes";

/** The namespace of a tenant's index names in a pool collection: a hash, so names reveal no tenant id either. */
export function indexNamespace(tenantId: string): string {
  return `t_${createHash("sha256").update(tenantId).digest("hex").slice(0, 12)}_`;
}

const NAMESPACED = /\bt_[0-9a-f]{12}_([^\s"',;:}]*)/g;

/** A canonical index spec as `[field, direction]` pairs: an object, a field name, a pair, or a list of those. */
export function normalizeIndexKeys(spec: unknown, method: string): [string, unknown][] {
  const c = canonical(spec, method, "indexSpec");
  const out: [string, unknown][] = [];
  const add = (entry: unknown, at: string): void => {
    if (typeof entry === "string") out.push([entry, 1]);
    else if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string") out.push([entry[0], entry[1]]);
    else if (isDocument(entry)) for (const [k, v] of Object.entries(entry)) out.push([k, v]);
    else throw new IsolationViolationError("malformed-argument", method, at, "use an object, a field name, or [field, direction] pairs");
  };
  if (Array.isArray(c) && !(c.length === 2 && typeof c[0] === "string" && typeof c[1] !== "string")) c.forEach((e, i) => add(e, `indexSpec[${i}]`));
  else add(c, "indexSpec");
  if (out.length === 0) throw new IsolationViolationError("malformed-argument", method, "indexSpec", "an index needs at least one key");
  // A direction of 1 and Int32(1) go out byte-identical; as numbers they also name the index the same way.
  return out.map(([field, direction]) => {
    const n = numericValue(direction);
    if (n !== undefined) return [field, n];
    if (typeof direction !== "string") throw new IsolationViolationError("malformed-argument", method, `indexSpec.${field}`, "an index direction is a number or an index type name");
    return [field, direction];
  });
}

/** What createIndex sends, and the name the tenant sees. */
export interface GuardedIndex {
  keys: Document;
  options: Document;
  /** The name returned to the tenant (the physical name without its namespace). */
  visibleName: string;
}

/**
 * createIndex of a tenant. In a pool collection (shared by tenants) the index is the tenant's own: a partial index
 * whose filter carries the tenant condition (so `unique`, TTL and a caller's partial filter constrain only this
 * tenant's documents), under a name in the tenant's namespace (so names never clash with, or reveal, another tenant's).
 * createIndex therefore answers the same whether or not another tenant has a similar index.
 */
export function guardIndex(spec: unknown, options: unknown, tags: Tags, tenantCondition: Readonly<Document>, pool: boolean, tenantId: string): GuardedIndex {
  const method = "createIndex";
  const pairs = normalizeIndexKeys(spec, method);
  const opts = guardOptions(options, tags, method);
  const keys = prefixIndexKeys(
    tags.entries.map(([field]) => field),
    pairs,
  );
  const visibleName = typeof opts.name === "string" ? opts.name : defaultIndexName(keys);
  if (opts.partialFilterExpression !== undefined) opts.partialFilterExpression = sanitizeFilter(opts.partialFilterExpression, method, "options.partialFilterExpression") ?? {};
  if (!pool) return { keys, options: opts, visibleName };
  if (pairs.some(([, direction]) => direction === "text")) {
    throw new IsolationViolationError("forbidden-option", method, "indexSpec", "a collection holds one text index, shared by every tenant of a pool collection; declare it with the collection instead");
  }
  if (opts.sparse === true) {
    throw new IsolationViolationError("forbidden-option", method, "options.sparse", "pool indexes are partial indexes of the tenant; use partialFilterExpression: { field: { $exists: true } } instead of sparse");
  }
  const partial = opts.partialFilterExpression as Document | undefined;
  opts.partialFilterExpression = andCondition(tenantCondition, partial && Object.keys(partial).length > 0 ? partial : undefined);
  opts.name = `${indexNamespace(tenantId)}${visibleName}`;
  return { keys, options: opts, visibleName };
}

const DUP_KEY = /\s*dup key:.*$/s;

function scrubText(text: string, namespace: string): string {
  return text.replace(DUP_KEY, "").replace(NAMESPACED, (whole: string, visible: string) => (whole.startsWith(namespace) ? visible : "<an index of another tenant>"));
}

/** `keyPattern` / `keyValue` without the partition fields; `keyValue` only when every tag in it is this scope's. */
function scrubKeys(error: Record<string, unknown>, tags: Tags): void {
  const value = error.keyValue;
  if (isDocument(value)) {
    const ours = tags.entries.every(([field, v]) => !Object.hasOwn(value, field) || value[field] === v);
    if (ours) {
      const kept: Document = {};
      for (const [k, v] of Object.entries(value)) if (!tags.entries.some(([f]) => f === k)) kept[k] = v;
      error.keyValue = kept;
    } else {
      delete error.keyValue;
    }
  }
  const pattern = error.keyPattern;
  if (isDocument(pattern)) {
    const kept: Document = {};
    for (const [k, v] of Object.entries(pattern)) if (!tags.entries.some(([f]) => f === k)) kept[k] = v;
    error.keyPattern = kept;
  }
}

/**
 * Rewrites a server error of a pool collection in place so it names no other tenant's values or indexes: the
 * `dup key: {…}` text is removed from every message (it may quote documents of other tenants under a shared unique
 * index), namespaced index names become the tenant's own name (or an anonymous one), and `keyValue` is kept only when
 * it is this tenant's. Applies to the error, its `errorResponse`, and each bulk `writeErrors` entry.
 */
export function scrubServerError(error: unknown, tags: Tags, tenantId: string): unknown {
  if (error === null || typeof error !== "object") return error;
  const namespace = indexNamespace(tenantId);
  const seen = new Set<object>();
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== "object" || seen.has(node) || depth > 4) return;
    seen.add(node);
    const record = node as Record<string, unknown>;
    for (const key of ["message", "errmsg"]) {
      const text = record[key];
      if (typeof text === "string") {
        try {
          record[key] = scrubText(text, namespace);
        } catch {
          // A read-only message stays as it is; the wrapping error still carries the scrubbed one.
        }
      }
    }
    scrubKeys(record, tags);
    for (const key of ["errorResponse", "err", "writeErrors", "writeConcernError", "cause"]) {
      const child = record[key];
      if (Array.isArray(child)) for (const item of child) visit(item, depth + 1);
      else visit(child, depth + 1);
    }
    if (typeof record.getWriteErrors === "function") {
      for (const item of (record.getWriteErrors as () => unknown[])()) visit(item, depth + 1);
    }
  };
  visit(error, 0);
  return error;
}
