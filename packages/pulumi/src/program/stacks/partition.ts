// Splits an environment's layout into the stacks of the per-tenant layout: which stack builds which component (pure).
import { createHash } from "node:crypto";
import type { Problem } from "@tenantry/core/registry/problems";
import type { ProgramSettings } from "../settings";
import { ProgramLayoutError, type Layout, type ProgramInput } from "../layout";
import { bridgeShardStackName, RESERVED_SILO_ID, sharedStackName, siloStackName, type StackKind, type StackPart } from "./names";
import type { MapFacts } from "./merge";
import { assignShards, type ShardAssignment } from "./shards";

/** One stack of the per-tenant layout. */
export interface StackPlan {
  name: string;
  kind: StackKind;
  part: Exclude<StackPart, { kind: "all" }>;
  /** Tenants with resources in this stack (shared: the pool tenants, which are rows of the map only). */
  tenants: string[];
}

export interface StackPartition {
  stacks: StackPlan[];
  assignment: ShardAssignment;
}

/** Bridge tenants in registry order, each once (a bridge → bridge move holds two components of one tenant). */
export function bridgeTenantsOf(layout: Layout): string[] {
  return [...new Set(layout.bridges.map((b) => b.tenantId))];
}

/**
 * The stacks of an environment: the shared stack first, then bridge shards by number, then one stack per silo tenant
 * in registry order. A tenant on its way from bridge to silo has a component in both. Throws ProgramLayoutError when
 * a silo tenant's id would take a shard's stack name.
 */
export function partitionStacks(
  layout: Layout,
  input: ProgramInput,
  persisted: ReadonlyMap<string, number>,
  settings: Pick<ProgramSettings, "bridgeShardSize">,
  environmentStack: string,
): StackPartition {
  const indexOf = new Map(input.registry.tenants.map((t, i) => [t.id, i]));
  const problems: Problem[] = [];
  const siloTenants = [...new Set(layout.silos.map((s) => s.tenantId))];
  for (const id of siloTenants) {
    if (RESERVED_SILO_ID.test(id)) {
      problems.push({ severity: "error", path: `tenants[${indexOf.get(id) ?? "?"}].id`, tenantId: id, message: `silo tenant [${id}] would get stack ${siloStackName(environmentStack, id)}, the name of a bridge shard: tenantry:stackLayout per-tenant needs another id` });
    }
  }
  if (problems.length > 0) throw new ProgramLayoutError(problems);

  const assignment = assignShards(persisted, bridgeTenantsOf(layout), settings.bridgeShardSize);
  const withComponents = new Set([...layout.bridges.map((b) => b.tenantId), ...siloTenants]);
  const shards = new Map<number, string[]>();
  for (const [id, shard] of assignment.shards) shards.set(shard, [...(shards.get(shard) ?? []), id]);

  const stacks: StackPlan[] = [
    { name: sharedStackName(environmentStack), kind: "shared", part: { kind: "shared" }, tenants: input.placements.map((p) => p.tenantId).filter((id) => !withComponents.has(id)) },
    ...[...shards.keys()].sort((a, b) => a - b).map((shard): StackPlan => ({
      name: bridgeShardStackName(environmentStack, shard),
      kind: "bridge-shard",
      part: { kind: "bridge-shard", shard },
      tenants: shards.get(shard) ?? [],
    })),
    ...siloTenants.map((tenantId): StackPlan => ({ name: siloStackName(environmentStack, tenantId), kind: "silo", part: { kind: "silo", tenantId }, tenants: [tenantId] })),
  ];
  return { stacks, assignment };
}

/** The plans of one part of a layout: what `buildTenantry` registers for that stack. */
export function layoutPart(layout: Layout, part: StackPart, shards: ReadonlyMap<string, number>): Pick<Layout, "sharedProjects" | "sharedClusters" | "bridges" | "silos"> {
  const shared = part.kind === "all" || part.kind === "shared";
  return {
    sharedProjects: shared ? layout.sharedProjects : [],
    sharedClusters: shared ? layout.sharedClusters : [],
    bridges: layout.bridges.filter((b) => part.kind === "all" || (part.kind === "bridge-shard" && shards.get(b.tenantId) === part.shard)),
    silos: layout.silos.filter((s) => part.kind === "all" || (part.kind === "silo" && s.tenantId === part.tenantId)),
  };
}

/**
 * A digest of everything a stack's program reads: its part of the layout, the registry sections its components use
 * and the settings. Equal digests mean an update would register the same inputs (the program is deterministic), so
 * the orchestrator skips the stack. What the shared stack publishes (every placement, the tenant stacks' facts) is part
 * of its digest only when it publishes. `programVersion` makes a new Tenantry release re-run every stack.
 */
export function stackInputsDigest(
  layout: Layout,
  input: ProgramInput,
  settings: ProgramSettings,
  plan: StackPlan,
  shards: ReadonlyMap<string, number>,
  programVersion: string,
  /** The tenant stacks' facts the shared stack publishes from (when it publishes). */
  tenantFacts?: readonly MapFacts[],
): string {
  const part = layoutPart(layout, plan.part, shards);
  const { registry } = input;
  const publishes = plan.kind === "shared" && settings.publishToSsm;
  // Where the registry is read from and which stack is the environment's say nothing about what is registered.
  const { environmentStack: _stack, registryPath: _path, ...rest } = settings;
  const relevant = {
    programVersion,
    settings: rest,
    ctx: layout.ctx,
    part,
    controlCluster: plan.kind === "shared" ? layout.controlCluster : undefined,
    collections: plan.kind === "bridge-shard" ? registry.collections : undefined,
    network: registry.network,
    contacts: plan.kind === "silo" ? registry.contacts : undefined,
    placements: publishes ? input.placements : undefined,
    collectionsOfMap: publishes ? registry.collections : undefined,
    // Sorted by stack so the digest does not depend on the order the stacks reported in.
    tenantFacts: publishes ? [...(tenantFacts ?? [])].map((f) => JSON.stringify(f)).sort() : undefined,
  };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
}
