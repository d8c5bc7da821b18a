// Per-tenant restore from an export directory: check the files against the manifest, refuse foreign or untagged
// documents, upsert into the tenant's current placement, then verify counts and hashes against the manifest.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BSON, type Document } from "mongodb";
import type { BackendClient, BackendCollection } from "../backend/types";
import type { ConnectionMap } from "../connection-map/schema";
import { readTextFileAsync } from "../files";
import { TENANT_FIELD } from "../naming";
import { ForeignDocumentError, ManifestMismatchError, VerificationFailedError } from "./errors";
import { ExportManifest, MANIFEST_FILE, currentEndpoint } from "./export";
import { type ContentHash, HashAccumulator } from "./hash";
import { guardedDeleteMany } from "./guard";
import type { MoveEndpoint } from "./state";
import { DEFAULT_BATCH_SIZE, RAW_READ, canonicalId, hashTenantDocuments, tenantFilter, upserts } from "./transfer";

// BSON through the driver: a direct "bson" import can load a second copy whose classes differ from the driver's.
const { EJSON } = BSON;

export interface ImportOptions {
  map: ConnectionMap;
  tenantId: string;
  /** Export directory. */
  dir: string;
  connect: (endpoint: MoveEndpoint) => Promise<BackendClient>;
  /** @default 1000 */
  batchSize?: number;
  /**
   * Also delete the tenant's documents that the export does not hold, so the tenant ends up exactly as exported.
   * Without it, a tenant with newer documents fails verification and nothing is deleted. @default false
   */
  replace?: boolean;
}

export interface ImportResult {
  manifest: ExportManifest;
  /** Per logical collection: documents upserted, documents deleted (replace), the verified hash. */
  collections: Record<string, { upserted: number; deleted: number; verified: ContentHash }>;
}

async function* lines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) if (line.length > 0) yield line;
}

async function readManifest(dir: string): Promise<ExportManifest> {
  const path = join(dir, MANIFEST_FILE);
  const raw = await readTextFileAsync(path);
  if (raw === undefined) throw new ManifestMismatchError(path, "no manifest: not an export directory, or an interrupted export");
  const parsed = ExportManifest.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new ManifestMismatchError(path, `not a ${"tenantry-export/1"} manifest: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Checks one file against its manifest entry and the tenant's tag, without writing anything. */
async function checkFile(dir: string, logical: string, entry: ExportManifest["collections"][string], tenantId: string): Promise<void> {
  const path = join(dir, entry.file);
  const sha = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) sha.update(chunk as Buffer);
  } catch {
    throw new ManifestMismatchError(path, "missing file");
  }
  if (sha.digest("hex") !== entry.sha256) throw new ManifestMismatchError(path, "file bytes differ from the manifest's sha256 (altered or truncated)");
  const acc = new HashAccumulator();
  let n = 0;
  for await (const line of lines(path)) {
    n += 1;
    const doc = EJSON.parse(line, { relaxed: false }) as Document;
    if (doc[TENANT_FIELD] !== tenantId) throw new ForeignDocumentError(tenantId, logical, n, doc[TENANT_FIELD]);
    acc.add(doc);
  }
  const got = acc.result();
  if (got.count !== entry.count || got.hash !== entry.hash) {
    throw new ManifestMismatchError(path, `content differs from the manifest: ${got.count} docs hash ${got.hash.slice(0, 16)}…, manifest ${entry.count} docs hash ${entry.hash.slice(0, 16)}…`);
  }
}

/** Restores an export into the tenant's current placement and verifies it. Nothing is written unless every file checks. */
export async function importTenant(options: ImportOptions): Promise<ImportResult> {
  const { map, tenantId, dir } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const manifest = await readManifest(dir);
  if (manifest.tenant !== tenantId) throw new ManifestMismatchError(join(dir, MANIFEST_FILE), `export of tenant [${manifest.tenant}], not [${tenantId}]`);
  for (const logical of Object.keys(manifest.collections)) {
    if (!(logical in map.collections)) throw new ManifestMismatchError(join(dir, MANIFEST_FILE), `collection ${logical} is not in the connection map`);
  }
  // Every file is checked before the first write: a tampered export changes nothing.
  for (const [logical, entry] of Object.entries(manifest.collections)) await checkFile(dir, logical, entry, tenantId);

  const endpoint = currentEndpoint(map, tenantId);
  const client = await options.connect(endpoint);
  const result: ImportResult = { manifest, collections: {} };
  for (const [logical, entry] of Object.entries(manifest.collections)) {
    const physical = endpoint.route.collections[logical] as string;
    const coll = client.db(endpoint.route.database).collection(physical);
    let upserted = 0;
    let batch: Document[] = [];
    const ids = options.replace ? new Set<string>() : undefined;
    for await (const line of lines(join(dir, entry.file))) {
      const doc = EJSON.parse(line, { relaxed: false }) as Document;
      ids?.add(canonicalId(doc._id));
      batch.push(doc);
      if (batch.length >= batchSize) {
        await coll.bulkWrite(upserts(batch, tenantId), { ordered: false });
        upserted += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await coll.bulkWrite(upserts(batch, tenantId), { ordered: false });
      upserted += batch.length;
    }
    const deleted = ids ? await deleteOthers(coll, ids, { tenantId, route: endpoint.route, logical }, batchSize) : 0;
    const verified = await hashTenantDocuments(coll, tenantId, batchSize);
    if (verified.count !== entry.count || verified.hash !== entry.hash) {
      throw new VerificationFailedError(tenantId, logical, { count: entry.count, hash: entry.hash }, verified, options.replace ? "export vs restored" : "export vs restored (the tenant holds documents the export does not: --replace deletes them)");
    }
    result.collections[logical] = { upserted, deleted, verified };
  }
  return result;
}

/** Deletes the tenant's documents whose `_id` is not in `keep` (through the guard), walking `_id`s in batches. */
async function deleteOthers(coll: BackendCollection, keep: ReadonlySet<string>, scope: { tenantId: string; route: MoveEndpoint["route"]; logical: string }, batchSize: number): Promise<number> {
  const extra: unknown[] = [];
  for await (const doc of coll.find(tenantFilter(scope.tenantId), { ...RAW_READ, projection: { _id: 1 } })) {
    if (!keep.has(canonicalId(doc._id))) extra.push(doc._id);
  }
  let deleted = 0;
  for (let i = 0; i < extra.length; i += batchSize) {
    deleted += await guardedDeleteMany(coll, { ...tenantFilter(scope.tenantId), _id: { $in: extra.slice(i, i + batchSize) } } as Document, scope);
  }
  return deleted;
}
