// The orchestrator against a fake workspace: order, change detection, concurrency bounds, resume after a failure.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatResult, orchestrate, UnknownStackTenantError, type OrchestratedStack, type OrchestrationInput } from "../../packages/pulumi/src/orchestration/orchestrate";
import { runLimited } from "../../packages/pulumi/src/orchestration/limiter";
import type { ConfigValue, StackOperationResult, StackWorkspace } from "../../packages/pulumi/src/orchestration/workspace";
import type { MapFacts } from "../../packages/pulumi/src/program/stacks/merge";
import type { StackPlan } from "../../packages/pulumi/src/program/stacks/partition";

/** A fake engine: stacks with outputs; `up` writes the digest the program would export, unless told to fail. */
class FakeWorkspace implements StackWorkspace {
  readonly stacks = new Map<string, { config: Record<string, ConfigValue>; outputs: Record<string, unknown> }>();
  readonly log: string[] = [];
  running = 0;
  maxRunning = 0;
  readonly runningByStack = new Set<string>();
  failing = new Set<string>();
  constructor(
    readonly digestNow: (stack: string) => string,
    readonly factsOf: (stack: string) => MapFacts = (stack) => ({ clusters: [], credentials: [{ key: stack, secretArn: `arn:${stack}`, region: "us-east-1" }] }),
  ) {}
  ensureStack(stack: string, config: Record<string, ConfigValue>) {
    const existing = this.stacks.get(stack);
    this.stacks.set(stack, { config: { ...existing?.config, ...config }, outputs: existing?.outputs ?? {} });
    return Promise.resolve();
  }
  outputs(stack: string) {
    return Promise.resolve({ ...this.stacks.get(stack)?.outputs });
  }
  config(stack: string) {
    return Promise.resolve({ ...this.stacks.get(stack)?.config });
  }
  private async operate(stack: string, action: "up" | "preview"): Promise<StackOperationResult> {
    this.log.push(`${action} ${stack}`);
    this.running += 1;
    this.runningByStack.add(stack);
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((r) => setTimeout(r, 2));
    this.running -= 1;
    this.runningByStack.delete(stack);
    if (this.failing.has(stack)) return { ok: false, error: `${stack}: Atlas said no` };
    if (action === "up") {
      const entry = this.stacks.get(stack);
      if (entry) entry.outputs = { tenantryInputs: this.digestNow(stack), mapFacts: this.factsOf(stack) };
    }
    return { ok: true, changes: { create: 1 } };
  }
  up(stack: string) {
    return this.operate(stack, "up");
  }
  preview(stack: string) {
    return this.operate(stack, "preview");
  }
}

const plan = (name: string, kind: StackPlan["kind"], tenants: string[]): StackPlan => ({
  name,
  kind,
  tenants,
  part: kind === "shared" ? { kind } : kind === "silo" ? { kind, tenantId: tenants[0] ?? "" } : { kind, shard: Number(name.split("-").pop()) },
});

function environment(silos: number, opts: { regions?: string[] } = {}): OrchestratedStack[] {
  const regions = opts.regions ?? ["us-east-1"];
  return [
    { plan: plan("prod", "shared", ["p1"]) },
    { plan: plan("prod-bridge-1", "bridge-shard", ["b1", "b2"]) },
    ...Array.from({ length: silos }, (_, i) => ({ plan: plan(`prod-s${i}`, "silo", [`s${i}`]), throttleKey: `kms:${regions[i % regions.length]}` })),
  ];
}

/** Inputs per stack: a version number the test bumps to "change" a stack. */
function inputs(stacks: OrchestratedStack[], extra: Partial<OrchestrationInput> = {}) {
  const versions = new Map(stacks.map((s) => [s.plan.name, 1]));
  const digest = (p: StackPlan, facts: readonly MapFacts[]) => `${p.name}@${versions.get(p.name)}${p.kind === "shared" && extra.publishes ? `+${JSON.stringify(facts)}` : ""}`;
  const input: OrchestrationInput = {
    action: "up",
    stacks,
    digest,
    publishes: false,
    tenantConfig: (shared) => ({ ...shared, "tenantry:environmentStack": { value: "prod" } }),
    ...extra,
  };
  return { input, versions, digest };
}

describe("orchestrate", () => {
  test("first run: shared first, then every tenant stack; tenant stacks get the shared config; a second run changes nothing", async () => {
    const stacks = environment(3);
    const { input, digest } = inputs(stacks);
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    ws.stacks.set("prod", { config: { "tenantry:atlasOrgId": { value: "0123" } }, outputs: {} });
    const first = await orchestrate(input, ws);
    expect(ws.log[0]).toBe("up prod");
    expect(ws.log.slice(1).sort()).toEqual(["up prod-bridge-1", "up prod-s0", "up prod-s1", "up prod-s2"]);
    expect(first.map((r) => r.status)).toEqual(["updated", "updated", "updated", "updated", "updated"]);
    expect(ws.stacks.get("prod-s1")?.config).toEqual({ "tenantry:atlasOrgId": { value: "0123" }, "tenantry:environmentStack": { value: "prod" } });

    ws.log.length = 0;
    const second = await orchestrate(input, ws);
    expect(ws.log).toEqual([]);
    expect(second.map((r) => `${r.stack} ${r.status}`)).toEqual(["prod unchanged", "prod-bridge-1 unchanged", "prod-s0 unchanged", "prod-s1 unchanged", "prod-s2 unchanged"]);
  });

  test("only the stacks whose inputs changed run (onboarding one silo tenant touches one stack)", async () => {
    const stacks = environment(4);
    const { input, versions, digest } = inputs(stacks);
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    await orchestrate(input, ws);
    ws.log.length = 0;
    versions.set("prod-s2", 2);
    const results = await orchestrate(input, ws);
    expect(ws.log).toEqual(["up prod-s2"]);
    expect(results.filter((r) => r.status === "updated").map((r) => r.stack)).toEqual(["prod-s2"]);
  });

  test("a failing tenant stack fails alone; the next run resumes with it only", async () => {
    const stacks = environment(3);
    const { input, digest } = inputs(stacks);
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    ws.failing.add("prod-s1");
    const first = await orchestrate(input, ws);
    expect(first.find((r) => r.stack === "prod-s1")).toMatchObject({ status: "failed", detail: "prod-s1: Atlas said no" });
    expect(first.filter((r) => r.status === "updated")).toHaveLength(4);
    ws.failing.clear();
    ws.log.length = 0;
    await orchestrate(input, ws);
    expect(ws.log).toEqual(["up prod-s1"]);
  });

  test("a failing shared stack stops the run: every tenant stack is skipped, none runs", async () => {
    const stacks = environment(2);
    const { input, digest } = inputs(stacks);
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    ws.failing.add("prod");
    const results = await orchestrate(input, ws);
    expect(ws.log).toEqual(["up prod"]);
    expect(results.map((r) => r.status)).toEqual(["failed", "skipped", "skipped", "skipped"]);
    expect(formatResult(results[1]!)).toBe("- prod-bridge-1  bridge-shard  skipped  the shared stack prod failed");
  });

  test("--tenant runs only that tenant's stack (after the shared stack, if it changed); an unknown tenant is refused", async () => {
    const stacks = environment(3);
    const { input, digest } = inputs(stacks);
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    await orchestrate({ ...input, tenant: "s1" }, ws);
    expect(ws.log).toEqual(["up prod", "up prod-s1"]);
    await expect(orchestrate({ ...input, tenant: "nobody" }, ws)).rejects.toBeInstanceOf(UnknownStackTenantError);
  });

  test("preview runs the changed stacks' previews and never writes outputs", async () => {
    const stacks = environment(2);
    const { input, digest } = inputs(stacks, { action: "preview" });
    const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
    const results = await orchestrate(input, ws);
    expect(results.map((r) => r.status)).toEqual(["previewed", "previewed", "previewed", "previewed"]);
    expect([...ws.stacks.values()].every((s) => Object.keys(s.outputs).length === 0)).toBe(true);
  });

  test("publishing: tenant stacks exist before the shared stack runs, and a publication pass follows new tenant facts", async () => {
    const stacks = environment(2);
    const { input, digest, versions } = inputs(stacks, { publishes: true });
    const holder: { ws?: FakeWorkspace } = {};
    const facts = () => stacks.slice(1).flatMap((s) => {
        const facts = holder.ws?.stacks.get(s.plan.name)?.outputs.mapFacts;
        return facts ? [facts as MapFacts] : [];
      });
    const ws = new FakeWorkspace(
      (name) => digest(stacks.find((s) => s.plan.name === name)!.plan, name === "prod" ? facts() : []),
      (name) => ({ clusters: [], credentials: [{ key: name, secretArn: `arn:${name}:v${versions.get(name)}`, region: "us-east-1" }] }),
    );
    holder.ws = ws;
    const first = await orchestrate(input, ws);
    expect(ws.log[0]).toBe("up prod");
    expect(ws.log.at(-1)).toBe("up prod");
    expect(first.at(-1)).toMatchObject({ stack: "prod", pass: "publication", status: "updated" });
    expect(ws.stacks.size).toBe(4);
    ws.log.length = 0;
    await orchestrate(input, ws);
    expect(ws.log).toEqual([]);
    // A publication pass that failed is resumed: the shared stack's digest still lacks the new facts.
    versions.set("prod-s0", 2);
    ws.failing.add("prod");
    ws.log.length = 0;
    const failed = await orchestrate(input, ws);
    expect(ws.log).toEqual(["up prod-s0", "up prod"]);
    expect(failed.at(-1)).toMatchObject({ pass: "publication", status: "failed" });
    ws.failing.clear();
    ws.log.length = 0;
    await orchestrate(input, ws);
    expect(ws.log).toEqual(["up prod"]);
  });

  test("concurrency: never more stacks at once than the bound, nor more per throttle key", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (silos, limit, perKey) => {
        const stacks = environment(silos, { regions: ["eu-west-1", "us-east-1"] });
        const { input, digest } = inputs(stacks, { concurrency: limit, perKey });
        const ws = new FakeWorkspace((name) => digest(stacks.find((s) => s.plan.name === name)!.plan, []));
        let maxPerRegion = 0;
        const original = ws.up.bind(ws);
        ws.up = (stack: string) => {
          const region = stacks.find((s) => s.plan.name === stack)?.throttleKey;
          const same = [...ws.runningByStack].filter((s) => stacks.find((x) => x.plan.name === s)?.throttleKey === region && region !== undefined).length + 1;
          if (region) maxPerRegion = Math.max(maxPerRegion, same);
          return original(stack);
        };
        const results = await orchestrate(input, ws);
        expect(results.every((r) => r.status === "updated")).toBe(true);
        expect(ws.maxRunning).toBeLessThanOrEqual(limit);
        expect(maxPerRegion).toBeLessThanOrEqual(perKey);
      }),
      { numRuns: 25 },
    );
  });
});

test("runLimited keeps the tasks' order in its results", async () => {
  const results = await runLimited([3, 1, 2].map((n) => ({ run: () => new Promise<number>((r) => setTimeout(() => r(n), n)) })), 2, 1);
  expect(results).toEqual([3, 1, 2]);
});
