// An environment as the stack commands see it: registry, settings from its stack file, layout, stacks and digests.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { planLayout, type Layout } from "../program/layout";
import { DEFAULT_SETTINGS, type ProgramSettings } from "../program/settings";
import { stackFileSettings } from "../program/stack-file";
import type { MapFacts } from "../program/stacks/merge";
import { partitionStacks, stackInputsDigest, type StackPartition, type StackPlan } from "../program/stacks/partition";
import { readShardFile, shardFileFor } from "../program/stacks/shards";
import { awsRegionOf } from "@tenantry/core/registry/zones";
import { loadRegistryFile, type LoadedRegistry } from "@tenantry/core/registry/load";
import type { OrchestratedStack } from "./orchestrate";

export interface EnvironmentStacks {
  loaded: LoadedRegistry;
  settings: ProgramSettings;
  layout: Layout;
  environmentStack: string;
  partition: StackPartition;
  shardFile: string;
  /** The stacks with their throttle keys, shared first. */
  stacks: OrchestratedStack[];
  /** The digest each stack's program exports, computed the same way here (`stackInputsDigest`). */
  digest: (plan: StackPlan, tenantFacts: readonly MapFacts[]) => string;
}

/** Tenantry's version: a new release re-runs every stack (its program may register other inputs). */
export function programVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Loads an environment for `up`, `preview`, `stacks …` and `map`: the registry, the settings of its stack file (as
 * the shared stack's program reads them) and the per-tenant partition with the persisted shard assignment. Commands
 * that only decide stacks (assign, migrate, manifests, map) pass OFFLINE_SETTINGS as `base`, like the offline plan.
 */
export function loadEnvironmentStacks(registryFile: string, overrides: Partial<ProgramSettings> = {}, base: ProgramSettings = DEFAULT_SETTINGS): EnvironmentStacks {
  const loaded = loadRegistryFile(registryFile);
  const environment = loaded.registry.environment;
  const settings = { ...(stackFileSettings(registryFile, environment, base) ?? base), ...overrides };
  const layout = planLayout(settings, loaded);
  const environmentStack = settings.environmentStack ?? environment;
  const shardFile = shardFileFor(registryFile, environment);
  const partition = partitionStacks(layout, loaded, readShardFile(shardFile), settings, environmentStack);
  const version = programVersion();
  const keyRegions = new Map(layout.silos.filter((s) => s.location.customerManagedKey).map((s) => [s.tenantId, awsRegionOf(s.location.region)]));
  const stacks = partition.stacks.map((plan): OrchestratedStack => {
    const region = plan.kind === "silo" ? keyRegions.get(plan.tenants[0] ?? "") : undefined;
    return { plan, ...(region && { throttleKey: `kms:${region}` }) };
  });
  return {
    loaded,
    settings,
    layout,
    environmentStack,
    partition,
    shardFile,
    stacks,
    digest: (plan, tenantFacts) => stackInputsDigest(layout, loaded, settings, plan, partition.assignment.shards, version, tenantFacts),
  };
}

/** The project directory: the nearest directory above the registry holding Pulumi.yaml. */
export function projectDirOf(registryFile: string): string {
  for (let dir = dirname(registryFile); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) return dirname(registryFile);
  }
}
