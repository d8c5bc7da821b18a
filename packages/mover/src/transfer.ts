// Tenant-filtered data transfer primitives: batched copy by _id order, content hashing, index creation, pruning.
import { BSON, type AnyBulkWriteOperation, type Document, type IndexSpecification } from "mongodb";
import type { BackendClient, BackendCollection } from "@tenantry/contract/backend/types";
import { applyTarget, type CollectionDeclarations, type Holder } from "@tenantry/core/collections/index";
import type { Route } from "@tenantry/contract/connection-map/schema";
import { TENANT_FIELD } from "@tenantry/contract/naming";
import { MoverError } from "./errors";
import { type ContentHash, HashAccumulator, documentDigest } from "./hash";
import { type DeleteScope, guardedDeleteEach } from "./guard";

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
  /** Called right before each batch is written (the mover's lease fence). */
  guard?: () => Promise<void>;
}

/** The lease fence of a data write; a no-op outside a move (import). */
export type Guard = () => Promise<void>;
const NO_GUARD: Guard = () => Promise.resolve();

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
  const guard = options.guard ?? NO_GUARD;
  for await (const docs of tenantBatches(source, tenantId, options.batchSize, options.after)) {
    await guard();
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

/** Every `_id` of the tenant's documents with its content digest, read in one cursor (all BSON types of `_id`). */
async function digestsOf(coll: BackendCollection, tenantId: string, batchSize: number, withContent: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const options = withContent ? { ...RAW_READ, batchSize } : { ...RAW_READ, batchSize, projection: { _id: 1 } };
  for await (const doc of coll.find(tenantFilter(tenantId), options)) out.set(idKey(doc._id), withContent ? documentDigest(doc).toString(16) : "");
  return out;
}

/** Guarded point deletes of the tenant's documents by `_id` (one bulk of `deleteOne`s: an index lookup each). */
async function deleteIds(coll: BackendCollection, ids: readonly unknown[], scope: DeleteScope, guard: Guard): Promise<number> {
  if (ids.length === 0) return 0;
  await guard();
  return guardedDeleteEach(coll, ids, scope);
}

/**
 * Makes the tenant's documents in `to` equal those in `from` (rollback after cut-over: the source takes the target's
 * state). One pass over each side: `to`'s ids and contents are read once, then `from` is streamed and only differences
 * are written — upserts of documents `to` lacks or has otherwise, point deletes (through the guard) of documents only
 * `to` has: the caller has proven those were deleted on `from`. Linear in the documents; memory: one digest per document.
 */
export async function syncTenantDocuments(from: BackendCollection, to: BackendCollection, scope: DeleteScope, batchSize: number, guard: Guard = NO_GUARD): Promise<{ written: number; deleted: number }> {
  const { tenantId } = scope;
  const have = await digestsOf(to, tenantId, batchSize, true);
  let written = 0;
  let pending: Document[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await guard();
    await to.bulkWrite(upserts(pending, tenantId), { ordered: false });
    written += pending.length;
    pending = [];
  };
  for await (const doc of from.find(tenantFilter(tenantId), { ...RAW_READ, batchSize })) {
    const key = idKey(doc._id);
    const digest = have.get(key);
    have.delete(key);
    if (digest === documentDigest(doc).toString(16)) continue;
    pending.push(doc);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  let deleted = 0;
  const gone = [...have.keys()].map((k) => parseCanonicalId(JSON.parse(k) as string));
  for (let i = 0; i < gone.length; i += batchSize) deleted += await deleteIds(to, gone.slice(i, i + batchSize), scope, guard);
  return { written, deleted };
}

/**
 * Deletes the tenant's documents of `prune` whose `_id` `keep` also has (copies proven present on the other side);
 * documents only `prune` has are kept and counted. Reads each side's ids once; point deletes through the guard.
 */
export async function deleteCopiesPresentIn(prune: BackendCollection, keep: BackendCollection, scope: DeleteScope, batchSize: number, guard: Guard = NO_GUARD): Promise<{ deleted: number; kept: number }> {
  const present = await digestsOf(keep, scope.tenantId, batchSize, false);
  const mine = await digestsOf(prune, scope.tenantId, batchSize, false);
  const ids = [...mine.keys()].filter((k) => present.has(k)).map((k) => parseCanonicalId(JSON.parse(k) as string));
  let deleted = 0;
  for (let i = 0; i < ids.length; i += batchSize) deleted += await deleteIds(prune, ids.slice(i, i + batchSize), scope, guard);
  return { deleted, kept: mine.size - ids.length };
}

/** Deletes every document of the tenant in `coll`, a page of `_id`s at a time (each page fenced, point deletes). */
export async function deleteTenantDocuments(coll: BackendCollection, scope: DeleteScope, batchSize: number, guard: Guard = NO_GUARD): Promise<number> {
  let deleted = 0;
  for (;;) {
    // Always the first page (no `_id > last`): what was deleted is gone, and no BSON type of `_id` is skipped.
    const ids = (await coll.find(tenantFilter(scope.tenantId), { ...RAW_READ, projection: { _id: 1 } }).limit(batchSize).toArray()).map((d) => d._id as unknown);
    if (ids.length === 0) return deleted;
    const n = await deleteIds(coll, ids, scope, guard);
    if (n === 0) throw new MoverError(`${coll.collectionName}: deleting the tenant's documents made no progress`);
    deleted += n;
  }
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
 * batch; the cut-over runs it again. Returns the declared index names per logical collection; a target that cannot
 * hold them gets no copy.
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
 * Mirrors the source collection's indexes on the target (the registry's declarations come from `prepareTarget`), also
 * those created during the move: the cut-over runs this again. createIndex is idempotent.
 */
export async function ensureIndexes(source: BackendCollection, target: BackendCollection): Promise<string[]> {
  const created: string[] = [];
  // An index the target already has with the same key pattern (a registry spec, an earlier run) is not created again:
  // a second name for the same key is an IndexOptionsConflict.
  const have = new Set((await indexesOf(target)).map((i) => JSON.stringify(i.key)));
  for (const index of await indexesOf(source)) {
    if (index.name === "_id_" || have.has(JSON.stringify(index.key))) continue;
    const options: Document = { name: index.name as string };
    for (const key of MIRRORED_OPTIONS) if (index[key] !== undefined) options[key] = index[key] as unknown;
    created.push(await target.createIndex(index.key as IndexSpecification, options));
  }
  return created;
}

/** `key` and `unique` of an index, as one comparable string. */
function indexSignature(key: unknown, unique: unknown): string {
  return `${JSON.stringify(key)}${unique === true ? " unique" : ""}`;
}

async function indexesOf(coll: BackendCollection): Promise<Document[]> {
  try {
    return await coll.listIndexes().toArray();
  } catch (error) {
    if ((error as { code?: unknown }).code === 26) return [];
    throw error;
  }
}

/**
 * The indexes the target lacks: every index of the source (by key pattern and `unique`) and every index `declared`
 * (the registry's, by name, as `prepareTarget` reported them). Empty when the target has them all.
 */
export async function missingIndexes(source: BackendCollection, target: BackendCollection, declared: readonly string[] = []): Promise<string[]> {
  const targetIndexes = await indexesOf(target);
  const have = new Set([...targetIndexes.map((i) => indexSignature(i.key, i.unique)), ...targetIndexes.map((i) => `name:${String(i.name)}`)]);
  const want = [
    ...(await indexesOf(source)).filter((i) => i.name !== "_id_").map((i) => indexSignature(i.key, i.unique)),
    ...declared.map((name) => `name:${name}`),
  ];
  return [...new Set(want)].filter((w) => !have.has(w));
}
