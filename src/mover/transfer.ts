// Tenant-filtered data transfer primitives: batched copy by _id order, content hashing, index creation, pruning.
import { BSON, type AnyBulkWriteOperation, type Document, type Filter, type IndexSpecification } from "mongodb";
import type { BackendClient, BackendCollection } from "../backend/types";
import { applyTarget, type CollectionDeclarations, type Holder } from "../collections";
import type { Route } from "../connection-map/schema";
import { TENANT_FIELD } from "../naming";
import { MoverError } from "./errors";
import { type ContentHash, HashAccumulator } from "./hash";
import { type DeleteScope, guardedDeleteMany } from "./guard";

// BSON through the driver: a direct "bson" import can load a second copy whose classes differ from the driver's.
const { EJSON } = BSON;

/**
 * Read options of every mover read: keep BSON number types (an Int32 and a Double must not both become a JS number,
 * or the content hash and the copy would lose the type). The memory backend stores values as given and ignores them.
 */
export const RAW_READ = { promoteValues: false, promoteLongs: false } as const;

/** @default 1000 documents per batch */
export const DEFAULT_BATCH_SIZE = 1000;

export interface CopyProgress {
  /** `_id` of the last document of the batch just committed. */
  lastId: unknown;
  /** Documents in that batch. */
  count: number;
}

export interface CopyOptions {
  tenantId: string;
  batchSize: number;
  /** Resume after this `_id` (the last committed checkpoint); undefined starts from the beginning. */
  after?: unknown;
  /** Called after each batch is committed on the target, before the next read: checkpoint here. */
  onBatch?: (progress: CopyProgress) => Promise<void>;
}

/** Filter of one tenant's documents. */
export function tenantFilter(tenantId: string): Document {
  return { [TENANT_FIELD]: tenantId };
}

/**
 * Copies the tenant's documents from `source` to `target` in `_id` order, in batches, each batch one unordered bulk of
 * `replaceOne` upserts keyed by `{_id, tenant_id}` — idempotent on replay, and a same-`_id` document of another tenant
 * on a shared target is a duplicate-key error instead of being overwritten. Returns documents and batches written.
 */
export async function copyTenantDocuments(source: BackendCollection, target: BackendCollection, options: CopyOptions): Promise<{ copied: number; batches: number }> {
  const { tenantId } = options;
  let copied = 0;
  let batches = 0;
  for await (const docs of tenantBatches(source, tenantId, options.batchSize, options.after)) {
    await target.bulkWrite(upserts(docs, tenantId), { ordered: false });
    copied += docs.length;
    batches += 1;
    await options.onBatch?.({ lastId: docs[docs.length - 1]?._id, count: docs.length });
  }
  return { copied, batches };
}

/**
 * The tenant's documents of one collection in `_id` order, one page per batch (`_id > last` then sort and limit, so
 * each page is an index range scan and a resumed scan starts exactly after its checkpoint).
 */
export async function* tenantBatches(source: BackendCollection, tenantId: string, batchSize: number, after?: unknown): AsyncGenerator<Document[]> {
  let last = after;
  for (;;) {
    const filter: Document = last === undefined ? tenantFilter(tenantId) : { ...tenantFilter(tenantId), _id: { $gt: last } };
    const docs = await source.find(filter, RAW_READ).sort({ _id: 1 }).limit(batchSize).toArray();
    if (docs.length === 0) return;
    for (const doc of docs) {
      // Defence in depth: the filter already says so, but a document of another tenant must never leave here.
      if (doc[TENANT_FIELD] !== tenantId) throw new MoverError(`${source.collectionName}: read a document of another tenant`);
    }
    yield docs;
    last = docs[docs.length - 1]?._id;
    if (docs.length < batchSize) return;
  }
}

/** `replaceOne` upserts keyed by `{_id, tenant_id}`: idempotent, and never overwrites another tenant's same-`_id` document. */
export function upserts(docs: readonly Document[], tenantId: string): AnyBulkWriteOperation<Document>[] {
  return docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id, [TENANT_FIELD]: tenantId }, replacement: doc, upsert: true } }));
}

/** Count and content hash of the tenant's documents in one collection (streamed, order-independent). */
export async function hashTenantDocuments(collection: BackendCollection, tenantId: string, batchSize: number): Promise<ContentHash> {
  const acc = new HashAccumulator();
  for await (const doc of collection.find(tenantFilter(tenantId), { ...RAW_READ, batchSize })) acc.add(doc);
  return acc.result();
}

/**
 * Deletes the tenant's documents in `keep`'s twin `prune` that `keep` does not have (rollback after cut-over: the
 * source must end up equal to the target). Walks `prune` by `_id` in batches; deletes go through the guard.
 */
export async function pruneAbsent(prune: BackendCollection, keep: BackendCollection, scope: DeleteScope, batchSize: number): Promise<number> {
  const { tenantId } = scope;
  let after: unknown;
  let deleted = 0;
  for (;;) {
    const filter: Document = after === undefined ? tenantFilter(tenantId) : { ...tenantFilter(tenantId), _id: { $gt: after } };
    const ids = (await prune.find(filter, { ...RAW_READ, projection: { _id: 1 } }).sort({ _id: 1 }).limit(batchSize).toArray()).map((d) => d._id as unknown);
    if (ids.length === 0) break;
    const present = await keep.find({ ...tenantFilter(tenantId), _id: { $in: ids } } as Filter<Document>, { ...RAW_READ, projection: { _id: 1 } }).toArray();
    const presentKeys = new Set(present.map((d) => idKey(d._id)));
    const missing = ids.filter((id) => !presentKeys.has(idKey(id)));
    if (missing.length > 0) deleted += await guardedDeleteMany(prune, { ...tenantFilter(tenantId), _id: { $in: missing } } as Filter<Document>, scope);
    after = ids[ids.length - 1];
    if (ids.length < batchSize) break;
  }
  return deleted;
}

function idKey(id: unknown): string {
  return JSON.stringify(canonicalId(id));
}

/** A stable string form of an `_id` for comparison and for the journal's checkpoints. */
export function canonicalId(id: unknown): string {
  // EJSON in canonical mode keeps the type: the string "1" and the Int32 1 are different ids.
  return EJSON.stringify({ v: id }, { relaxed: false });
}

/** Inverse of canonicalId. */
export function parseCanonicalId(text: string): unknown {
  return (EJSON.parse(text, { relaxed: false }) as { v: unknown }).v;
}

/**
 * Gives a move's target the registry's collections, validators, indexes and retention (`tenantry collections apply`
 * for one route) before any document is written, so it enforces the same unique keys as the source from the first
 * batch. Returns the declared index names per logical collection; a target that cannot hold them gets no copy.
 */
export async function prepareTarget(client: BackendClient, route: Route, tenantId: string, declarations: CollectionDeclarations): Promise<Record<string, string[]>> {
  const holder: Holder = route.stage === "pool" ? { stage: "pool" } : { stage: route.stage, tenantId };
  const { collections } = await applyTarget(client.db(route.database), holder, route.collections, declarations, { mode: "apply" });
  const failed = collections.flatMap((c) => c.failures.map((f) => `${c.physical}: ${f.step}${f.index === undefined ? "" : ` ${f.index}`}: ${f.codeName ?? "error"}: ${f.message}`));
  if (failed.length > 0) throw new MoverError(`the target of tenant [${tenantId}] cannot hold the declared collections: ${failed.join("; ")}`);
  return Object.fromEntries(collections.map((c) => [c.logical, c.indexes]));
}

/** Index options copied when mirroring the source's indexes (the rest are server-managed). */
const MIRRORED_OPTIONS = ["unique", "sparse", "partialFilterExpression", "expireAfterSeconds", "collation", "weights", "default_language", "language_override", "2dsphereIndexVersion", "hidden"];

/**
 * Mirrors the source collection's indexes on the target before any document is written (moves without registry
 * declarations; with them, `prepareTarget`). createIndex is idempotent, so a resumed copy simply repeats it.
 */
export async function ensureIndexes(source: BackendCollection, target: BackendCollection): Promise<string[]> {
  const created: string[] = [];
  let indexes: Document[];
  try {
    indexes = await source.listIndexes().toArray();
  } catch (error) {
    // NamespaceNotFound: the source collection does not exist (the tenant has no documents there), nothing to mirror.
    if ((error as { code?: unknown }).code === 26) return created;
    throw error;
  }
  for (const index of indexes) {
    if (index.name === "_id_") continue;
    const options: Document = { name: index.name as string };
    for (const key of MIRRORED_OPTIONS) if (index[key] !== undefined) options[key] = index[key] as unknown;
    created.push(await target.createIndex(index.key as IndexSpecification, options));
  }
  return created;
}
