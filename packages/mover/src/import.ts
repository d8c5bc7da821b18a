// Per-tenant restore from an export directory: check the files against the manifest, refuse foreign or untagged
// documents, upsert into the tenant's current placement, then verify counts and hashes against the manifest.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BSON, type Document } from "mongodb";
import type { BackendClient, BackendCollection } from "@tenantry/contract/backend/types";
import type { ConnectionMap, Route } from "@tenantry/contract/connection-map/schema";
import { readTextFileAsync } from "@tenantry/contract/files";
import { TENANT_FIELD } from "@tenantry/contract/naming";
import { driverValue } from "./bson-values";
import { ExportFormatError, ForeignDocumentError, ManifestMismatchError, VerificationFailedError } from "./errors";
import { EXPORT_FORMAT, ExportManifest, MANIFEST_FILE, currentEndpoint, endpointOf } from "./export";
import { type ContentHash, HashAccumulator } from "./hash";
import { guardedDeleteMany } from "./guard";
import { assertNoUnfinishedMove, liveRoute, type MoveEndpoint } from "./state";
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
  /**
   * The control collection holding the tenant's move state document. When given, an import is refused while a move of
   * the tenant is unfinished (it would restore into one side while the other is live), and restores into the route
   * the application reads (the target after a finished move whose map still names the source). The CLI passes it
   * whenever the map has a control location.
   */
  moves?: BackendCollection;
}

export interface ImportResult {
  manifest: ExportManifest;
  /** Per logical collection: documents upserted, documents deleted (replace), the verified hash. */
  collections: Record<string, { upserted: number; deleted: number; verified: ContentHash }>;
}

/** The non-empty lines of a file with their 1-based line numbers. */
async function* lines(path: string): AsyncGenerator<{ line: number; text: string }> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line += 1;
    if (text.length > 0) yield { line, text };
  }
}

/** One export line as the document the driver would send (typed error with file and line when it is not EJSON). */
function parseLine(path: string, line: number, text: string): Document {
  let value: unknown;
  try {
    value = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    throw new ExportFormatError(path, line, jsonColumn(error), `not canonical EJSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ExportFormatError(path, line, 1, "a line must hold one document");
  return driverValue(value as Document);
}

/** The 1-based column of a JSON.parse error ("… at position N"), 0 when the message names none. */
function jsonColumn(error: unknown): number {
  const match = /position (\d+)/.exec((error as Error).message);
  return match ? Number(match[1]) + 1 : 0;
}

/** Line and column of a character offset in a text. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

async function readManifest(dir: string): Promise<ExportManifest> {
  const path = join(dir, MANIFEST_FILE);
  const raw = await readTextFileAsync(path);
  if (raw === undefined) throw new ManifestMismatchError(path, "no manifest: not an export directory, or an interrupted export");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    const match = /position (\d+)/.exec((error as Error).message);
    const at = match ? position(raw, Number(match[1])) : { line: 0, column: 0 };
    throw new ExportFormatError(path, at.line, at.column, `not JSON: ${(error as Error).message}`);
  }
  // Checked on the raw JSON: a key such as `__proto__` would vanish (or become a prototype) once parsed into objects.
  const names = collectionNames(json);
  const odd = names.find((name) => !/^[A-Za-z0-9_]+$/.test(name) || name === "__proto__");
  if (odd !== undefined) throw new ManifestMismatchError(path, `collection ${JSON.stringify(odd)} is not a collection name`);
  const parsed = ExportManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestMismatchError(path, `not a ${EXPORT_FORMAT} manifest: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`);
  }
  return parsed.data;
}

/** The own keys of `collections` in a raw manifest, before any parsing. */
function collectionNames(json: unknown): string[] {
  if (json === null || typeof json !== "object") return [];
  const collections = (json as { collections?: unknown }).collections;
  return collections !== null && typeof collections === "object" ? Object.keys(collections) : [];
}

/**
 * Checks the manifest's collections against the map before any file is opened: each name is a declared collection
 * of the tenant's route (own keys only: `constructor` or `__proto__` are no collection), each file is that
 * collection's own file, and no declared collection is missing (an export that omits one is not the tenant's data).
 */
function checkCollections(dir: string, manifest: ExportManifest, map: ConnectionMap, route: Route): void {
  const path = join(dir, MANIFEST_FILE);
  const declared = Object.keys(map.collections).filter((logical) => Object.hasOwn(route.collections, logical));
  for (const [logical, entry] of Object.entries(manifest.collections)) {
    if (!declared.includes(logical)) {
      throw new ManifestMismatchError(path, `collection ${JSON.stringify(logical)} is not a collection of the connection map (declared: ${declared.join(", ")})`);
    }
    if (entry.file !== `${logical}.ejson`) throw new ManifestMismatchError(path, `collection ${logical} names file ${entry.file}, expected ${logical}.ejson`);
  }
  const missing = declared.filter((logical) => !Object.hasOwn(manifest.collections, logical));
  if (missing.length > 0) {
    throw new ManifestMismatchError(path, `the export lacks declared collection${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: not a whole export of the tenant (export it again with this map)`);
  }
}

/**
 * Checks one file against its manifest entry without writing anything: a regular file inside the directory, bytes
 * equal to the manifest's sha256, every line one EJSON document of the tenant, no `_id` twice, count and content
 * hash equal to the manifest's.
 */
async function checkFile(dir: string, logical: string, entry: ExportManifest["collections"][string], tenantId: string): Promise<void> {
  const path = join(dir, entry.file);
  let info;
  try {
    info = await lstat(path);
  } catch {
    throw new ManifestMismatchError(path, "missing file");
  }
  // A link could make the import read a file outside the export directory.
  if (!info.isFile()) throw new ManifestMismatchError(path, "not a regular file (links are refused: an export is a directory of plain files)");
  const sha = createHash("sha256");
  for await (const chunk of createReadStream(path)) sha.update(chunk as Buffer);
  if (sha.digest("hex") !== entry.sha256) throw new ManifestMismatchError(path, "file bytes differ from the manifest's sha256 (altered or truncated)");
  const acc = new HashAccumulator();
  const firstLine = new Map<string, number>();
  for await (const { line, text } of lines(path)) {
    const doc = parseLine(path, line, text);
    if (doc[TENANT_FIELD] !== tenantId) throw new ForeignDocumentError(tenantId, logical, line, doc[TENANT_FIELD]);
    if (doc._id === undefined) throw new ExportFormatError(path, line, 1, "document has no _id");
    const id = canonicalId(doc._id);
    const seen = firstLine.get(id);
    if (seen !== undefined) throw new ExportFormatError(path, line, 1, `duplicate _id ${id.slice(5, -1)} (first on line ${seen})`);
    firstLine.set(id, line);
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
  const endpoint = options.moves ? endpointOf(map, tenantId, liveRoute(map, tenantId, await assertNoUnfinishedMove(options.moves, tenantId))) : currentEndpoint(map, tenantId);
  checkCollections(dir, manifest, map, endpoint.route);
  // The whole export is checked before the first write: a tampered or malformed export changes nothing.
  for (const [logical, entry] of Object.entries(manifest.collections)) await checkFile(dir, logical, entry, tenantId);

  const client = await options.connect(endpoint);
  const result: ImportResult = { manifest, collections: {} };
  for (const [logical, entry] of Object.entries(manifest.collections)) {
    const physical = endpoint.route.collections[logical] as string;
    const coll = client.db(endpoint.route.database).collection(physical);
    let upserted = 0;
    let batch: Document[] = [];
    const ids = options.replace ? new Set<string>() : undefined;
    const path = join(dir, entry.file);
    for await (const { line, text } of lines(path)) {
      const doc = parseLine(path, line, text);
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
