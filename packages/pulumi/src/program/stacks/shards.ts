// Bridge shard assignment: which bridge stack holds each bridge tenant, persisted beside the registry so it never moves.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { SLUG_PATTERN } from "@tenantry/core/registry/schema";

/**
 * Why a file and not a formula: a capped shard size and "adding a tenant never moves another" cannot both hold
 * without memory. A hash of the id has no cap (any number of ids can land in one shard); first-fit in registry order
 * moves every later tenant when an earlier one is removed or the file is reordered. So the assignment is written down:
 * existing entries are kept, new tenants fill the lowest shard with room, and `tenantry up` / `tenantry stacks assign`
 * write the result before anything is deployed. Every stack computes the same assignment from the same two files.
 */
export const ShardFile = z.strictObject({
  version: z.literal(1),
  /** Bridge tenant id → shard number (from 1). */
  bridgeShards: z.record(z.string().regex(SLUG_PATTERN, "must be a tenant id"), z.number().int().min(1, "shards count from 1")).default({}),
});
export type ShardFile = z.infer<typeof ShardFile>;

/** Thrown when the shard file cannot be read; `problems` say why. */
export class ShardFileError extends Error {
  override readonly name = "ShardFileError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
  }
}

/** `stacks/<env>.shards.yaml`, beside the registry. */
export function shardFileFor(registryFile: string, environment: string): string {
  return join(dirname(registryFile), `${environment}.shards.yaml`);
}

/** The persisted assignment; empty when the file does not exist yet. */
export function readShardFile(file: string): Map<string, number> {
  if (!existsSync(file)) return new Map();
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ShardFileError(file, [(error as Error).message]);
  }
  const parsed = ShardFile.safeParse(data ?? {});
  if (!parsed.success) throw new ShardFileError(file, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  return new Map(Object.entries(parsed.data.bridgeShards));
}

/** The file's text: sorted by shard then tenant, so diffs in review stay small. */
export function renderShardFile(assignment: ReadonlyMap<string, number>): string {
  const entries = [...assignment].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
  const header = "# Bridge tenant → bridge shard stack (<env>-bridge-<n>). Written by `tenantry stacks assign` and `tenantry up`;\n# an entry never changes while the tenant is a bridge tenant (moving it would move its resources between stacks).\n";
  return header + stringify({ version: 1, bridgeShards: Object.fromEntries(entries) });
}

export interface ShardAssignment {
  /** Bridge tenant → shard, for every tenant given. */
  shards: Map<string, number>;
  /** Tenants given a shard now (not in the persisted assignment). */
  added: string[];
  /** Persisted tenants that are no longer bridge tenants (their entry is dropped). */
  dropped: string[];
  /** Shards holding more than `size` tenants (the size was lowered): kept, never rebalanced. */
  overfull: number[];
}

/**
 * Keeps every persisted entry of a tenant still in `bridgeTenants`, and puts each new one (in the given order) into
 * the lowest-numbered shard holding fewer than `size`. Linear: the lowest shard with room only moves up while filling.
 */
export function assignShards(persisted: ReadonlyMap<string, number>, bridgeTenants: readonly string[], size: number): ShardAssignment {
  const wanted = new Set(bridgeTenants);
  const shards = new Map<string, number>();
  const load = new Map<number, number>();
  for (const [id, shard] of persisted) {
    if (!wanted.has(id)) continue;
    shards.set(id, shard);
    load.set(shard, (load.get(shard) ?? 0) + 1);
  }
  const added: string[] = [];
  let lowest = 1;
  for (const id of bridgeTenants) {
    if (shards.has(id)) continue;
    while ((load.get(lowest) ?? 0) >= size) lowest += 1;
    shards.set(id, lowest);
    load.set(lowest, (load.get(lowest) ?? 0) + 1);
    added.push(id);
  }
  const dropped = [...persisted.keys()].filter((id) => !wanted.has(id));
  const overfull = [...load].filter(([, n]) => n > size).map(([s]) => s).sort((a, b) => a - b);
  return { shards, added, dropped, overfull };
}
