// The offline plan of the per-tenant layout: every stack's program under the mock engine, StackReferences fed with planned outputs.
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { planLayout, type ProgramInput } from "../program/layout";
import { OFFLINE_SETTINGS, resolveSettings, type ProgramSettings } from "../program/settings";
import { mapFromFacts, type MapFacts } from "../program/stacks/merge";
import { partitionStacks, type StackPartition, type StackPlan } from "../program/stacks/partition";
import { qualifiedStackName, STACK_OUTPUTS } from "../program/stacks/program";
import type { Problem } from "@tenantry/core/registry/problems";
import type { OfflineRun, RecordedResource } from "./types";

/** One stack's offline run. */
export interface StackRun {
  plan: StackPlan;
  /** What the stack registers (StackReferences included: they are part of its state). */
  resources: RecordedResource[];
  /** Raw registrations (URNs, providers), for the equivalence tests and `stacks migrate`. */
  raw: import("./engine").RawRegistration[];
  /** The stack's outputs as planned. */
  outputs: Record<string, unknown>;
}

export interface StacksRun {
  partition: StackPartition;
  stacks: StackRun[];
  /** The map merged from every stack's facts (what `tenantry map` assembles after `tenantry up`). */
  connectionMap: ConnectionMap;
  /** Every stack's resources and warnings, as one run (the top-level `resources` of `plan --json`). */
  run: OfflineRun;
  generatedSecrets: string[];
}

const identity = async () => {
  const { MOCK_ORGANIZATION, MOCK_PROJECT } = await import("./engine.js");
  return { organization: MOCK_ORGANIZATION, project: MOCK_PROJECT };
};

/**
 * Plans every stack (or the `only` ones, with the shared stack always planned first since the others read it).
 * Order as `tenantry up` runs them: shared, tenant stacks, and a second shared pass when it publishes the map from
 * the tenant stacks' facts; the shared stack is reported from that last pass.
 */
export async function planStacksOffline(
  loaded: ProgramInput,
  partialSettings: Partial<ProgramSettings>,
  persistedShards: ReadonlyMap<string, number>,
  options: { only?: readonly string[]; stackTraceLimit?: number } = {},
): Promise<StacksRun> {
  const environment = loaded.registry.environment;
  const settings = resolveSettings({ environmentStack: environment, ...partialSettings, stackLayout: "per-tenant" }, OFFLINE_SETTINGS);
  const layout = planLayout(settings, loaded);
  const environmentStack = settings.environmentStack ?? environment;
  const partition = partitionStacks(layout, loaded, persistedShards, settings, environmentStack);
  const { underMocks, recordResources } = await import("./engine.js");
  const ids = await identity();
  const version = "offline";
  const secrets: string[] = [];
  // The shared stack's last pass reports the program's warnings (a publication pass repeats the first).
  let warnings: Problem[] = [];

  const runStack = async (plan: StackPlan, stackOutputs: Map<string, Record<string, unknown>>): Promise<StackRun> => {
    const engine = await underMocks({ stack: plan.name, awsRegion: settings.awsRegion, stackOutputs, ...(options.stackTraceLimit !== undefined && { stackTraceLimit: options.stackTraceLimit }) }, async () => {
      const { buildPerTenantStack } = await import("../program/stacks/program.js");
      const stack = await buildPerTenantStack(settings, loaded, persistedShards, { stack: plan.name, ...ids }, version);
      return { result: stack, outputs: stack.outputs };
    });
    secrets.push(...engine.generatedSecrets);
    if (plan.kind === "shared") warnings = [...engine.result.build.warnings, ...engine.result.warnings];
    return { plan, resources: recordResources(engine.raw, layout.componentTenants), raw: engine.raw, outputs: engine.outputs };
  };

  const [sharedPlan, ...tenantPlans] = partition.stacks;
  if (!sharedPlan) throw new Error("the partition always holds the shared stack");
  const wanted = options.only ? new Set(options.only) : undefined;
  let shared = await runStack(sharedPlan, new Map());
  const sharedRef = new Map([[qualifiedStackName(ids, sharedPlan.name), shared.outputs]]);
  const tenants: StackRun[] = [];
  for (const plan of tenantPlans) {
    if (wanted && !wanted.has(plan.name)) continue;
    tenants.push(await runStack(plan, sharedRef));
  }
  if (settings.publishToSsm) {
    const refs = new Map(tenants.map((t) => [qualifiedStackName(ids, t.plan.name), t.outputs]));
    shared = await runStack(sharedPlan, refs);
  }
  const stacks = [shared, ...tenants];
  const facts = stacks.map((s) => s.outputs[STACK_OUTPUTS.facts] as MapFacts);
  const { map } = mapFromFacts(layout, loaded, facts);
  return {
    partition,
    stacks,
    connectionMap: map,
    run: {
      environment,
      placements: [...loaded.placements],
      resources: stacks.flatMap((s) => s.resources),
      connectionMap: map,
      warnings: [...(loaded.warnings ?? []), ...warnings],
    },
    generatedSecrets: secrets,
  };
}
