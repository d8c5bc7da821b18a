// Per-tenant stacks: onboarding one silo tenant (stacks touched, resources, plan time) at 1/4 and full scale, and the whole environment per stack vs single.
import { performance } from "node:perf_hooks";
import { runOfflineDetailed, underMocks, MOCK_ORGANIZATION, MOCK_PROJECT } from "../packages/pulumi/src/plan/engine";
import { planStacksOffline } from "../packages/pulumi/src/plan/stacks";
import { planLayout, type ProgramInput } from "../packages/pulumi/src/program/layout";
import { OFFLINE_SETTINGS, resolveSettings, type ProgramSettings } from "../packages/pulumi/src/program/settings";
import { partitionStacks, stackInputsDigest } from "../packages/pulumi/src/program/stacks/partition";
import { buildPerTenantStack } from "../packages/pulumi/src/program/stacks/program";
import { placeTenants } from "../packages/core/src/placement/place";
import { Registry } from "../packages/core/src/registry/schema";
import { syntheticInput } from "./program-fixture";
import type { BenchResult } from "./types";

const SCALES = [
  { label: "1/4", pool: 2500, bridge: 125, silo: 13 },
  { label: "full", pool: 10000, bridge: 500, silo: 50 },
] as const;

/** Digests of every stack, by name (what `tenantry up` compares to decide what runs). */
function digests(input: ProgramInput, settings: ProgramSettings): Map<string, string> {
  const layout = planLayout(settings, input);
  const partition = partitionStacks(layout, input, new Map(), settings, input.registry.environment);
  return new Map(partition.stacks.map((s) => [s.name, stackInputsDigest(layout, input, settings, s, partition.assignment.shards, "bench")]));
}

/** The tenant onboarded at every scale: the same one, so its stack is the same size (a HIPAA silo with its key, 20 resources). */
const NEW_TENANT = { id: "new-clinic", name: "New Clinic", tier: "enterprise", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "hipaa", compliance: ["HIPAA"] } as const;

function withNewSilo(input: ProgramInput): ProgramInput {
  const registry = Registry.parse({ ...input.registry, tenants: [...input.registry.tenants, NEW_TENANT] });
  return { registry, placements: placeTenants(registry), warnings: [] };
}

/** Median of `n` timings of `f`. */
async function median(n: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)] ?? 0;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const onboard: Record<string, number> = {};
  for (const scale of SCALES) {
    const before = syntheticInput(scale.pool, scale.bridge, scale.silo);
    const after = withNewSilo(before);
    const newStack = `bench-${NEW_TENANT.id}`;
    for (const publish of [false, true]) {
      const settings = resolveSettings({ publishToSsm: publish, stackLayout: "per-tenant", environmentStack: "bench" }, OFFLINE_SETTINGS);
      const was = digests(before, settings);
      const now = digests(after, settings);
      const touched = [...now].filter(([name, digest]) => was.get(name) !== digest).map(([name]) => name);
      results.push({ name: `onboard 1 silo, ${scale.label} scale, publishToSsm ${publish}: stacks touched`, value: touched.length, unit: "stacks", note: touched.join(", ") });
    }
    const settings = resolveSettings({ stackLayout: "per-tenant", environmentStack: "bench" }, OFFLINE_SETTINGS);
    const layoutMs = await median(5, () => Promise.resolve(planLayout(settings, after)));
    let resources = 0;
    // Three untimed runs first: the first scale would otherwise pay for the SDK's and V8's warm-up.
    const evaluate = async () => {
      const engine = await underMocks({ stack: newStack, awsRegion: settings.awsRegion }, async () => {
        const stack = await buildPerTenantStack(settings, after, new Map(), { stack: newStack, organization: MOCK_ORGANIZATION, project: MOCK_PROJECT }, "bench");
        return { result: stack, outputs: stack.outputs };
      });
      resources = engine.raw.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).length;
    };
    for (let i = 0; i < 3; i++) await evaluate();
    const ms = await median(9, evaluate);
    onboard[scale.label] = ms;
    results.push({ name: `onboard 1 silo, ${scale.label} scale: resources evaluated (its stack)`, value: resources, unit: "resources" });
    results.push({ name: `onboard 1 silo, ${scale.label} scale: plan of its stack`, value: Math.round(ms), unit: "ms", note: `of which layout of the whole registry ${Math.round(layoutMs)} ms` });
    const single = await median(1, () => runOfflineDetailed(after, { stackLayout: "single" }));
    results.push({ name: `onboard 1 silo, ${scale.label} scale: single layout (whole environment)`, value: Math.round(single), unit: "ms" });
    if (scale.label === "full") {
      const perStack = await median(1, () => planStacksOffline(after, {}, new Map()));
      results.push({ name: "whole environment, full scale: every stack (per-tenant)", value: Math.round(perStack), unit: "ms", note: `${digests(after, settings).size} stacks, run one after another` });
      results.push({ name: "whole environment, full scale: one stack (single)", value: Math.round(single), unit: "ms" });
    }
  }
  results.push({ name: "onboarding plan time, full ÷ 1/4 scale", value: Number(((onboard.full ?? 0) / (onboard["1/4"] ?? 1)).toFixed(2)), unit: "ratio", note: "goal ≤ 1.2" });
  return results;
}
