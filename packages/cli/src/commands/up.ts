// `tenantry up` / `tenantry preview`: run an environment's stacks through the Automation API, one result line per stack.
import { writeFileSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { automationWorkspace } from "@tenantry/pulumi/orchestration/automation";
import { loadEnvironmentStacks, projectDirOf } from "@tenantry/pulumi/orchestration/environment";
import { describeStackError } from "@tenantry/pulumi/orchestration/errors";
import { formatResult, orchestrate } from "@tenantry/pulumi/orchestration/orchestrate";
import type { StackWorkspace } from "@tenantry/pulumi/orchestration/workspace";
import { renderShardFile } from "@tenantry/pulumi/program/stacks/shards";
import { type RegisterCommand, registryFileFor, shown } from "../shared";

export interface UpOptions {
  env?: string | undefined;
  /** Only the stacks holding this tenant. */
  tenant?: string | undefined;
  /** Stacks updated at once. @default 4 */
  concurrency?: string | undefined;
  /** Run every selected stack, changed or not. */
  force?: boolean | undefined;
}

export interface UpDeps {
  /** @default the Automation API over the project holding the registry */
  workspace?: (projectDir: string) => StackWorkspace;
}

/** Runs `up` or `preview`; 0 every stack ok, 1 a stack failed or the input is invalid, 2 usage. */
export async function upCommand(action: "up" | "preview", opts: UpOptions, io: Io, deps: UpDeps = {}): Promise<number> {
  const name = `tenantry ${action}`;
  const fail = (code: number, message: string) => {
    io.stderr(`${name}: ${message}\n`);
    return code;
  };
  const file = registryFileFor({ env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  const concurrency = opts.concurrency === undefined ? 4 : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) return fail(EXIT.usage, `--concurrency must be a whole number of at least 1, got ${JSON.stringify(opts.concurrency)}`);
  try {
    const env = loadEnvironmentStacks(file);
    const single = env.settings.stackLayout === "single";
    if (single && opts.tenant !== undefined) return fail(EXIT.usage, "--tenant needs tenantry:stackLayout per-tenant (the single layout has one stack)");
    const { added, dropped } = env.partition.assignment;
    if (!single && action === "up" && (added.length > 0 || dropped.length > 0)) {
      // Written before anything runs: every stack's program reads the same assignment (`program/stacks/shards.ts`).
      const temp = `${env.shardFile}.${process.pid}.tmp`;
      writeFileSync(temp, renderShardFile(env.partition.assignment.shards), "utf8");
      renameSync(temp, env.shardFile);
      io.stderr(`${shown(io, env.shardFile)}: ${added.length} bridge tenant(s) assigned, ${dropped.length} dropped — commit it with the registry\n`);
    }
    const workspace = (deps.workspace ?? automationWorkspace)(projectDirOf(file));
    const results = await orchestrate(
      {
        action,
        // The single layout is the environment stack alone, run every time (Pulumi itself finds it unchanged).
        stacks: single ? env.stacks.slice(0, 1) : env.stacks,
        digest: env.digest,
        publishes: !single && env.settings.publishToSsm,
        tenantConfig: (shared) => ({ ...shared, "tenantry:stackLayout": { value: "per-tenant" }, "tenantry:environmentStack": { value: env.environmentStack } }),
        ...(opts.tenant !== undefined && { tenant: opts.tenant }),
        force: single || opts.force === true,
        concurrency,
      },
      workspace,
      (result) => io.stdout(`${formatResult(result)}\n`),
    );
    const failed = results.filter((r) => r.status === "failed" || r.status === "skipped").length;
    const ran = results.filter((r) => r.status === "updated" || r.status === "previewed").length;
    io.stderr(`${name}: ${results.length} stack result(s), ${ran} ran, ${failed} failed or skipped\n`);
    return failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    const known = describeStackError(error);
    if (!known) throw error;
    return fail(known.usage ? EXIT.usage : EXIT.failed, known.lines.join("\n  "));
  }
}

export const registerUp: RegisterCommand = (program: Command, io: Io, setExit) => {
  for (const action of ["up", "preview"] as const) {
    program
      .command(action)
      .description(
        action === "up"
          ? "Update the environment's stacks through the Pulumi Automation API: the shared stack first, then the changed tenant stacks (exit 0 ok, 1 a stack failed, 2 usage)"
          : "Preview the environment's changed stacks through the Pulumi Automation API (exit 0 ok, 1 a stack failed, 2 usage)",
      )
      .option("--env <env>", "the environment (stacks/<env>.tenants.yaml, stack <env>)")
      .option("--tenant <id>", "only the stack(s) holding this tenant (after the shared stack)")
      .option("--concurrency <n>", "tenant stacks at once (default 4)")
      .option("--force", "run every selected stack even when its inputs did not change")
      .action(async (options: UpOptions) => {
        setExit(await upCommand(action, options, io));
      });
  }
};
