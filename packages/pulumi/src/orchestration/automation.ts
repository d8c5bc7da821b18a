// The StackWorkspace over the Pulumi Automation API (LocalWorkspace over this project): thin on purpose, untested here (no Pulumi CLI).
import type { StackOperationResult, StackWorkspace } from "./workspace";

type Automation = typeof import("@pulumi/pulumi/automation/index.js");
type Stack = Awaited<ReturnType<Automation["LocalWorkspace"]["createOrSelectStack"]>>;

/**
 * A workspace over the project in `workDir` (where Pulumi.yaml is). Each stack is created or selected once
 * (https://www.pulumi.com/docs/iac/using-pulumi/automation-api/); the Pulumi CLI must be on PATH.
 */
export function automationWorkspace(workDir: string): StackWorkspace {
  let automation: Promise<Automation> | undefined;
  const load = () => (automation ??= import("@pulumi/pulumi/automation/index.js"));
  const stacks = new Map<string, Promise<Stack>>();
  const stackOf = (name: string) => {
    let stack = stacks.get(name);
    if (!stack) {
      stack = load().then((a) => a.LocalWorkspace.createOrSelectStack({ stackName: name, workDir }));
      stacks.set(name, stack);
    }
    return stack;
  };
  const failure = (error: unknown): StackOperationResult => ({ ok: false, error: (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "failed" });
  return {
    async ensureStack(name, config) {
      const stack = await stackOf(name);
      if (Object.keys(config).length > 0) await stack.setAllConfig({ ...config });
    },
    async outputs(name) {
      const outputs = await (await stackOf(name)).outputs();
      return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value as unknown]));
    },
    async config(name) {
      const config = await (await stackOf(name)).getAllConfig();
      return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v.value, ...(v.secret && { secret: true }) }]));
    },
    async up(name) {
      try {
        const result = await (await stackOf(name)).up();
        return { ok: result.summary.result === "succeeded", ...(result.summary.resourceChanges && { changes: { ...result.summary.resourceChanges } }) };
      } catch (error) {
        return failure(error);
      }
    },
    async preview(name) {
      try {
        const result = await (await stackOf(name)).preview();
        return { ok: true, changes: { ...result.changeSummary } };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
