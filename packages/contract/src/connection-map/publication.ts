// The published form of the connection map (SSM parameters, format 2): an index read first and K shards of tenants.
// Pure and Pulumi-free, so the program writes it and the resolver's loader reads it with one definition.
import type { ConnectionMap } from "./schema";

/** Publication format written into the index (`publication.format`). */
export const PUBLICATION_FORMAT = 2;
/** Average tenants per shard: a bridge or silo slice is ≈ 1 KB, so a shard stays well under the 8 KB Advanced limit. */
export const TENANTS_PER_SHARD = 8;
/** Standard-tier parameters hold at most 4096 characters, Advanced 8192 (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html). */
export const STANDARD_TIER_MAX = 4096;
export const ADVANCED_TIER_MAX = 8192;

/** How many shards a map of `tenants` tenants is published in: fixed by the count alone (never by an Output value). */
export function shardCount(tenants: number): number {
  return Math.max(1, Math.ceil(tenants / TENANTS_PER_SHARD));
}

/** FNV-1a 32-bit over the UTF-8 bytes (http://www.isthe.com/chongo/tech/comp/fnv/): cheap, stable in every language. */
export function fnv1a32(text: string): number {
  let h = 2166136261;
  for (const byte of Buffer.from(text, "utf8")) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h;
}

/** The shard holding a tenant. */
export function shardOf(tenantId: string, shards: number): number {
  return fnv1a32(tenantId) % shards;
}

/** Parameter names under the map prefix. */
export const publicationNames = {
  index: (prefix: string) => `${prefix}/index`,
  shard: (prefix: string, n: number) => `${prefix}/shards/${n}`,
  shardsPath: (prefix: string) => `${prefix}/shards/`,
};

export interface PublishedIndex {
  version: ConnectionMap["version"];
  environment: string;
  collections: ConnectionMap["collections"];
  control?: NonNullable<ConnectionMap["control"]>;
  clusters?: ConnectionMap["clusters"];
  credentials?: ConnectionMap["credentials"];
  publication: { format: typeof PUBLICATION_FORMAT; shards: number; hash: "fnv1a32" };
}

export interface PublishedShard {
  version: ConnectionMap["version"];
  environment: string;
  shard: number;
  tenants: ConnectionMap["tenants"];
  clusters: ConnectionMap["clusters"];
  credentials: ConnectionMap["credentials"];
}

/** The index: what every tenant shares (with the control location's cluster and credential) and the shard count. */
export function publishedIndex(map: ConnectionMap, shards: number): PublishedIndex {
  const { version, environment, collections, control } = map;
  const publication = { format: PUBLICATION_FORMAT, shards, hash: "fnv1a32" } as const;
  if (!control) return { version, environment, collections, publication };
  return {
    version,
    environment,
    collections,
    control,
    clusters: pick(map.clusters, [control.cluster]),
    credentials: pick(map.credentials, [control.credential]),
    publication,
  };
}

function pick<T>(record: Record<string, T>, keys: Iterable<string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of keys) {
    const v = record[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Every shard in one pass over the tenants (linear): each holds its tenants and the clusters and credentials they route to. */
export function publishedShards(map: ConnectionMap, shards: number): PublishedShard[] {
  type Group = { tenants: ConnectionMap["tenants"]; clusters: Set<string>; credentials: Set<string> };
  const groups: Group[] = Array.from({ length: shards }, () => ({ tenants: {}, clusters: new Set<string>(), credentials: new Set<string>() }));
  for (const [id, tenant] of Object.entries(map.tenants)) {
    const g = groups[shardOf(id, shards)];
    if (!g) continue;
    g.tenants[id] = tenant;
    for (const route of tenant.target ? [tenant, tenant.target] : [tenant]) {
      g.clusters.add(route.cluster);
      g.credentials.add(route.credential);
    }
  }
  return groups.map((g, shard) => ({
    version: map.version,
    environment: map.environment,
    shard,
    tenants: g.tenants,
    clusters: pick(map.clusters, g.clusters),
    credentials: pick(map.credentials, g.credentials),
  }));
}

/** Reassembles a map from the index and every shard (a reader's inverse of publication); throws when a shard is missing. */
export function mapFromPublication(index: PublishedIndex, shards: readonly PublishedShard[]): unknown {
  const seen = new Set(shards.map((s) => s.shard));
  for (let n = 0; n < index.publication.shards; n++) if (!seen.has(n)) throw new Error(`published map: shard ${n} of ${index.publication.shards} is missing`);
  const merged = {
    version: index.version,
    environment: index.environment,
    collections: index.collections,
    clusters: { ...index.clusters },
    credentials: { ...index.credentials },
    tenants: {} as ConnectionMap["tenants"],
    ...(index.control ? { control: index.control } : {}),
  };
  for (const s of shards) {
    Object.assign(merged.clusters, s.clusters);
    Object.assign(merged.credentials, s.credentials);
    Object.assign(merged.tenants, s.tenants);
  }
  return merged;
}

/** The parameter tier a value needs, or undefined when it fits no tier. */
export function tierFor(value: string): "Standard" | "Advanced" | undefined {
  if (value.length <= STANDARD_TIER_MAX) return "Standard";
  return value.length <= ADVANCED_TIER_MAX ? "Advanced" : undefined;
}
