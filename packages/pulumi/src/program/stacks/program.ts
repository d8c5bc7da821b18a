// The per-tenant layout's program: works out which stack this is, wires StackReferences, builds that stack's part.
import * as pulumi from "@pulumi/pulumi";
import type { Problem } from "@tenantry/core/registry/problems";
import { buildStack, type SharedStackOutputs, type StackBuild } from "../compose";
import { planLayout, type ProgramInput } from "../layout";
import type { ProgramSettings } from "../settings";
import type { MapFacts } from "./merge";
import { partOfStack, UnknownStackError } from "./names";
import { partitionStacks, stackInputsDigest, type StackPartition, type StackPlan } from "./partition";

/** The stack being run (`readStackIdentity`, or the offline engine's values). */
export interface StackIdentity {
  stack: string;
  organization: string;
  project: string;
}

/** Stack output names of the per-tenant layout (the orchestrator, `tenantry map` and the operator read them). */
export const STACK_OUTPUTS = {
  /** Every stack: its clusters' and credentials' map facts (`MapFacts`). */
  facts: "mapFacts",
  /** The shared stack: what tenant stacks read (`SharedStackOutputs`). */
  shared: "tenantryShared",
  /** Every stack: the digest of its inputs when it last ran (`stackInputsDigest`), for change detection. */
  inputs: "tenantryInputs",
  /** The shared stack when it publishes, and the single layout: the connection map. */
  map: "connectionMap",
} as const;

/** The name a StackReference resolves: `<organization>/<project>/<stack>` (https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences). */
export function qualifiedStackName(identity: Omit<StackIdentity, "stack">, stack: string): string {
  return `${identity.organization}/${identity.project}/${stack}`;
}

/** Pulumi logical name of the StackReference to another stack of the environment. */
export function stackReferenceName(stack: string): string {
  return `stack-${stack}`;
}

export interface PerTenantStack {
  plan: StackPlan;
  partition: StackPartition;
  build: StackBuild;
  /** The stack's outputs (what `index.ts` exports). */
  outputs: Record<string, unknown>;
  /** New shard assignments not yet written to the shard file. */
  warnings: Problem[];
}

/**
 * Runs one stack of the per-tenant layout. Bridge shards read the shared stack's `tenantryShared`; the shared stack,
 * when it publishes, reads every tenant stack's `mapFacts` first (a stack without outputs yet is left out).
 */
export async function buildPerTenantStack(
  settings: ProgramSettings,
  input: ProgramInput,
  persistedShards: ReadonlyMap<string, number>,
  identity: StackIdentity,
  programVersion: string,
): Promise<PerTenantStack> {
  const environmentStack = settings.environmentStack ?? identity.stack;
  const layout = planLayout(settings, input);
  const part = partOfStack(identity.stack, environmentStack);
  const partition = partitionStacks(layout, input, persistedShards, settings, environmentStack);
  const plan = partition.stacks.find((s) => s.name === identity.stack);
  if (!plan) throw new UnknownStackError(identity.stack, environmentStack);
  const shards = partition.assignment.shards;

  let shared: pulumi.Output<SharedStackOutputs> | undefined;
  if (part.kind === "bridge-shard") {
    const ref = new pulumi.StackReference(stackReferenceName(environmentStack), { name: qualifiedStackName(identity, environmentStack) });
    shared = ref.requireOutput(STACK_OUTPUTS.shared) as pulumi.Output<SharedStackOutputs>;
  }
  let tenantFacts: MapFacts[] | undefined;
  if (part.kind === "shared" && settings.publishToSsm) {
    const refs = partition.stacks
      .filter((s) => s.kind !== "shared")
      .map((s) => new pulumi.StackReference(stackReferenceName(s.name), { name: qualifiedStackName(identity, s.name) }));
    const details = await Promise.all(refs.map((r) => r.getOutputDetails(STACK_OUTPUTS.facts)));
    tenantFacts = details.flatMap((d) => (d.value ? [d.value as MapFacts] : []));
  }

  const build = buildStack(settings, input, { part, shards, ...(shared && { shared }), ...(tenantFacts && { tenantFacts }) });
  const outputs: Record<string, unknown> = {
    [STACK_OUTPUTS.facts]: build.facts,
    [STACK_OUTPUTS.inputs]: stackInputsDigest(layout, input, settings, plan, shards, programVersion, tenantFacts),
    ...(build.sharedOutputs && { [STACK_OUTPUTS.shared]: build.sharedOutputs }),
    ...(build.connectionMap && { [STACK_OUTPUTS.map]: build.connectionMap }),
  };
  const { added } = partition.assignment;
  const warnings: Problem[] =
    added.length === 0
      ? []
      : [{ severity: "warning", path: "bridgeShards", message: `${added.length} bridge tenant(s) have no persisted shard yet (${added.slice(0, 5).join(", ")}${added.length > 5 ? ", …" : ""}): run \`tenantry stacks assign --env ${environmentStack}\` (tenantry up does it) so the assignment never changes` }];
  return { plan, partition, build, outputs, warnings };
}
