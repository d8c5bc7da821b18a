// `tenantry up` / `preview` over the per-tenant layout: shared stack first, then changed tenant stacks, bounded, resumable.
import type { MapFacts } from "../program/stacks/merge";
import type { StackPlan } from "../program/stacks/partition";
import { STACK_OUTPUTS } from "../program/stacks/program";
import { runLimited } from "./limiter";
import type { ConfigValue, StackOperationResult, StackWorkspace } from "./workspace";

/** One stack as the orchestrator sees it. */
export interface OrchestratedStack {
  plan: StackPlan;
  /**
   * Tasks with one throttle key share `perKey` slots: silo stacks that create a KMS key are keyed by AWS region, since
   * KMS allows 5 CreateKey requests per second per region (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
   */
  throttleKey?: string | undefined;
}

export interface OrchestrationInput {
  action: "up" | "preview";
  /** Shared stack first, then the tenant stacks (`partitionStacks` order). */
  stacks: readonly OrchestratedStack[];
  /** The digest the stack's program will export (`stackInputsDigest`); the shared stack's covers the tenant facts it publishes. */
  digest: (plan: StackPlan, tenantFacts: readonly MapFacts[]) => string;
  /** True when the shared stack publishes the map from the tenant stacks' facts (a publication pass may follow). */
  publishes: boolean;
  /** Config every tenant stack gets (the shared stack's plus `tenantry:environmentStack`). */
  tenantConfig: (shared: Record<string, ConfigValue>) => Record<string, ConfigValue>;
  /** Only the stacks holding this tenant (the shared stack is still brought up to date first). */
  tenant?: string | undefined;
  /** Run every selected stack even when its inputs did not change. @default false */
  force?: boolean;
  /**
   * Stacks updated at once. Each creates Atlas projects, clusters and users through the organization's API key; the
   * Admin API rate-limits per endpoint set and organization / project (https://www.mongodb.com/docs/atlas/api/api-rate-limit/),
   * so a handful at once stays clear of it. @default 4
   */
  concurrency?: number;
  /** Stacks with the same throttle key at once. @default 2 */
  perKey?: number;
}

export type StackStatus = "updated" | "previewed" | "unchanged" | "failed" | "skipped";

/** One line of the result: what happened to one stack. */
export interface StackResult {
  stack: string;
  kind: StackPlan["kind"];
  /** `publication` for the shared stack's second pass. */
  pass: "main" | "publication";
  status: StackStatus;
  changes?: Record<string, number>;
  detail?: string;
}

/** Thrown when `--tenant` names no tenant of the environment. */
export class UnknownStackTenantError extends Error {
  override readonly name = "UnknownStackTenantError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is in no stack of this environment`);
  }
}

const factsOf = (outputs: Record<string, unknown>): MapFacts | undefined => outputs[STACK_OUTPUTS.facts] as MapFacts | undefined;

/**
 * Runs the environment. A stack runs when the digest of its inputs differs from the one it exported on its last
 * successful update (or `force`): a failed stack keeps its old digest, so running again resumes where it stopped.
 * A failure of the shared stack stops everything (the others read it); a tenant stack's failure stops only itself.
 */
export async function orchestrate(input: OrchestrationInput, workspace: StackWorkspace, onResult: (result: StackResult) => void = () => undefined): Promise<StackResult[]> {
  const [shared, ...tenantStacks] = input.stacks;
  if (!shared || shared.plan.kind !== "shared") throw new Error("the first stack must be the shared stack");
  const results: StackResult[] = [];
  const report = (result: StackResult) => {
    results.push(result);
    onResult(result);
  };
  const selected = input.tenant === undefined ? tenantStacks : tenantStacks.filter((s) => s.plan.tenants.includes(input.tenant ?? ""));
  if (input.tenant !== undefined && selected.length === 0 && !shared.plan.tenants.includes(input.tenant)) throw new UnknownStackTenantError(input.tenant);

  // Every tenant stack exists before the shared stack runs: its StackReferences to them then resolve (without outputs).
  await workspace.ensureStack(shared.plan.name, {});
  const tenantConfig = input.tenantConfig(await workspace.config(shared.plan.name));
  const known = input.publishes ? tenantStacks : selected;
  await Promise.all(known.map((s) => workspace.ensureStack(s.plan.name, tenantConfig)));
  const outputs = new Map<string, Record<string, unknown>>(
    await Promise.all(input.stacks.map(async (s) => [s.plan.name, await workspace.outputs(s.plan.name)] as const)),
  );
  const tenantFacts = () => tenantStacks.flatMap((s) => {
    const facts = factsOf(outputs.get(s.plan.name) ?? {});
    return facts ? [facts] : [];
  });
  const changed = (s: OrchestratedStack) => input.force === true || outputs.get(s.plan.name)?.[STACK_OUTPUTS.inputs] !== input.digest(s.plan, s === shared ? tenantFacts() : []);
  const operate = async (s: OrchestratedStack): Promise<StackOperationResult> => (input.action === "up" ? workspace.up(s.plan.name) : workspace.preview(s.plan.name));
  const done: StackStatus = input.action === "up" ? "updated" : "previewed";
  const resultOf = (s: OrchestratedStack, r: StackOperationResult, pass: StackResult["pass"]): StackResult => ({
    stack: s.plan.name,
    kind: s.plan.kind,
    pass,
    status: r.ok ? done : "failed",
    ...(r.changes && { changes: r.changes }),
    ...(r.error && { detail: r.error }),
  });

  if (changed(shared)) {
    const result = resultOf(shared, await operate(shared), "main");
    report(result);
    if (result.status === "failed") {
      for (const s of selected) report({ stack: s.plan.name, kind: s.plan.kind, pass: "main", status: "skipped", detail: `the shared stack ${shared.plan.name} failed` });
      return results;
    }
    if (input.action === "up") outputs.set(shared.plan.name, await workspace.outputs(shared.plan.name));
  } else {
    report({ stack: shared.plan.name, kind: "shared", pass: "main", status: "unchanged" });
  }

  const toRun = selected.filter(changed);
  for (const s of selected) if (!toRun.includes(s)) report({ stack: s.plan.name, kind: s.plan.kind, pass: "main", status: "unchanged" });
  await runLimited(
    toRun.map((s) => ({
      key: s.throttleKey,
      run: async () => {
        const result = resultOf(s, await operate(s), "main");
        if (result.status === "updated") outputs.set(s.plan.name, await workspace.outputs(s.plan.name));
        report(result);
      },
    })),
    Math.max(1, input.concurrency ?? 4),
    Math.max(1, input.perKey ?? 2),
  );

  // The publication pass: the shared stack publishes what the tenant stacks now report.
  if (input.publishes && input.action === "up" && changed(shared)) report(resultOf(shared, await operate(shared), "publication"));
  return results;
}

/** One result line: `✓ prod-acme  silo  updated  create 15, same 2`. */
export function formatResult(r: StackResult): string {
  const mark = { updated: "✓", previewed: "✓", unchanged: "·", failed: "✗", skipped: "-" }[r.status];
  const changes = r.changes ? Object.entries(r.changes).filter(([, n]) => n > 0).map(([op, n]) => `${op} ${n}`).join(", ") : "";
  const what = r.pass === "publication" ? `${r.status} (publication pass)` : r.status;
  return [`${mark} ${r.stack}`, r.kind, what, changes, r.detail ?? ""].filter((part) => part !== "").join("  ");
}
