// Per-tenant logical export: `<dir>/<logical>.ejson` (one canonical-mode EJSON document per line, `_id` order) plus
// `manifest.json` with counts and content hashes. Also the per-tenant backup a shared cluster's snapshots cannot give.
import { createHash } from "node:crypto";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { z } from "zod";
import type { BackendClient, BackendCollection } from "@tenantry/contract/backend/types";
import type { ConnectionMap, Route } from "@tenantry/contract/connection-map/schema";
import { bsonTypeName } from "./bson-values";
import { ExportIncompleteError, UnknownMoveTenantError } from "./errors";
import { HashAccumulator, exportLine } from "./hash";
import type { MoveEndpoint } from "./state";
import { DEFAULT_BATCH_SIZE, tenantBatches, tenantFilter } from "./transfer";

export const EXPORT_FORMAT = "tenantry-export/1";
export const MANIFEST_FILE = "manifest.json";

function toolVersion(): string {
  try {
    return (createRequire(__filename)("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export const ManifestCollection = z.strictObject({
  /** File name inside the export directory. */
  file: z.string().regex(/^[A-Za-z0-9_]+\.ejson$/),
  count: z.number().int().nonnegative(),
  /** Content hash (sum of canonical EJSON sha256 digests mod 2^256). */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** sha256 of the file's bytes: a changed byte anywhere is caught before anything is parsed. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const ExportManifest = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  tenant: z.string().min(1),
  environment: z.string().min(1),
  /** Where the documents were read from. */
  source: z.strictObject({ stage: z.enum(["pool", "bridge", "silo"]), cluster: z.string(), database: z.string() }),
  createdAt: z.string(),
  tool: z.strictObject({ name: z.literal("tenantry"), version: z.string() }),
  collections: z.record(z.string(), ManifestCollection),
});
export type ExportManifest = z.infer<typeof ExportManifest>;

export interface ExportOptions {
  map: ConnectionMap;
  tenantId: string;
  /** Output directory (created; existing files of the same names are replaced). */
  dir: string;
  connect: (endpoint: MoveEndpoint) => Promise<BackendClient>;
  /** @default 1000 */
  batchSize?: number;
  now?: () => Date;
}

/** The tenant's current route as a MoveEndpoint (exports and imports always use the map's current route). */
export function currentEndpoint(map: ConnectionMap, tenantId: string): MoveEndpoint {
  const entry = Object.hasOwn(map.tenants, tenantId) ? map.tenants[tenantId] : undefined;
  if (!entry) throw new UnknownMoveTenantError(tenantId);
  return endpointOf(map, tenantId, entry);
}

/** One of the tenant's routes (its current one, or its move's target) as a MoveEndpoint. */
export function endpointOf(map: ConnectionMap, tenantId: string, route: Route): MoveEndpoint {
  const cluster = map.clusters[route.cluster];
  const credentialRef = map.credentials[route.credential];
  if (!cluster || !credentialRef) throw new UnknownMoveTenantError(tenantId);
  const { stage, cluster: clusterKey, credential, database, collections } = route;
  return { route: { stage, cluster: clusterKey, credential, database, collections: { ...collections } }, cluster, credentialRef };
}

/** The BSON types of the tenant's `_id`s: those the scan saw, plus the types of the smallest and largest `_id` (a sort crosses types). */
async function idTypesOf(coll: BackendCollection, tenantId: string, seen: ReadonlySet<string>): Promise<string[]> {
  const types = new Set(seen);
  for (const direction of [1, -1] as const) {
    const [first] = await coll.find(tenantFilter(tenantId), { projection: { _id: 1 }, promoteValues: false }).sort({ _id: direction }).limit(1).toArray();
    if (first) types.add(bsonTypeName(first._id));
  }
  return [...types].sort();
}

/** Writes the export and returns its manifest. Each file is written under a temporary name and renamed when complete. */
export async function exportTenant(options: ExportOptions): Promise<ExportManifest> {
  const { map, tenantId, dir } = options;
  const endpoint = currentEndpoint(map, tenantId);
  const client = await options.connect(endpoint);
  await mkdir(dir, { recursive: true });
  const collections: ExportManifest["collections"] = {};
  for (const logical of Object.keys(map.collections).sort()) {
    const physical = endpoint.route.collections[logical];
    if (physical === undefined) continue;
    const coll = client.db(endpoint.route.database).collection(physical);
    const file = `${logical}.ejson`;
    const partial = join(dir, `${file}.partial`);
    const handle = await open(partial, "w");
    const acc = new HashAccumulator();
    const sha = createHash("sha256");
    const idTypes = new Set<string>();
    try {
      for await (const docs of tenantBatches(coll, tenantId, options.batchSize ?? DEFAULT_BATCH_SIZE)) {
        const text = docs.map((d) => `${exportLine(d)}\n`).join("");
        acc.addAll(docs);
        for (const d of docs) idTypes.add(bsonTypeName(d._id));
        sha.update(text);
        await handle.write(text);
      }
    } finally {
      await handle.close();
    }
    const { count, hash } = acc.result();
    // A range scan by `_id` stays inside one BSON type on a server, so `_id`s of mixed types would end the scan early:
    // the count proves the export whole, or it is refused (no manifest, so it can never be imported).
    const counted = await coll.countDocuments(tenantFilter(tenantId));
    if (counted !== count) {
      await rm(partial, { force: true });
      throw new ExportIncompleteError(tenantId, logical, count, counted, await idTypesOf(coll, tenantId, idTypes));
    }
    await rename(partial, join(dir, file));
    collections[logical] = { file, count, hash, sha256: sha.digest("hex") };
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    tenant: tenantId,
    environment: map.environment,
    source: { stage: endpoint.route.stage, cluster: endpoint.route.cluster, database: endpoint.route.database },
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    tool: { name: "tenantry", version: toolVersion() },
    collections,
  };
  // The manifest last: a directory without one is an interrupted export, and import refuses it.
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
