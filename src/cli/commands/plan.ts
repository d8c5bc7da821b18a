// `tenantry plan`: runs the Pulumi program offline and prints what it would provision, per tenant, and the changes against the last map.
import { renameSync, writeFileSync } from "node:fs";
import { dirname, basename, join, resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { type TenantChange } from "../../connection-map/diff";
import type { ConnectionMap } from "../../connection-map/schema";
import { ProgramLayoutError } from "../../program/layout";
import { SettingsError, STACK_LAYOUTS, type StackLayout } from "../../program/settings";
import { ShardFileError } from "../../program/stacks/shards";
import { UnknownStackError } from "../../program/stacks/names";
import { RegistryNotFoundError } from "../../registry/load";
import { formatProblem, type Problem, RegistryInvalidError } from "../../registry/problems";
import { assertNoSecretText, renderConnectionMap, renderJson, SecretLeakError } from "../../plan/json";
import { renderMarkdown } from "../../plan/markdown";
import type { Plan } from "../../plan/model";
import { type OfflineRunner, planEnvironment, PreviousMapError, readPreviousMap } from "../../plan/plan";
import { renderText } from "../../plan/text";
import { renderStacksMarkdown, renderStacksText } from "../../plan/stacks-text";
import { registryFileFor, shown } from "./validate";
import type { RegisterCommand } from "./index";

export interface PlanOptions {
  /** Environment whose `stacks/<env>.tenants.yaml` is planned; exclusive with `registry`. @default "dev" */
  env?: string | undefined;
  /** Registry file; exclusive with `env`. */
  registry?: string | undefined;
  /** Connection map of the last deployment to compare with. */
  previous?: string | undefined;
  json?: boolean | undefined;
  markdown?: boolean | undefined;
  /** Where to write the would-be connection map (JSON). */
  out?: string | undefined;
  /** Exit 0 even when the plan holds destructive changes. @default false */
  allowDestructive?: boolean | undefined;
  /** Stack layout to plan (`single` or `per-tenant`). @default the stack file's tenantry:stackLayout */
  layout?: string | undefined;
}

/** Injection points for tests and benches. */
export interface PlanDeps {
  runner?: OfflineRunner;
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: Io): boolean {
  return io.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "") && io.env.TERM !== "dumb";
}

/** A one-line progress indicator on stderr, shown only on a colour-capable terminal; cleared when done. */
export function progress(io: Io): { phase(text: string): void; done(): void } {
  if (!useColor(io)) return { phase: () => undefined, done: () => undefined };
  let shownOnce = false;
  return {
    phase(text) {
      shownOnce = true;
      io.stderr(`\r\u001b[2K… ${text}`);
    },
    done() {
      if (shownOnce) io.stderr("\r\u001b[2K");
    },
  };
}

/** Writes a file atomically: a temp file beside it, then a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, text, "utf8");
  renameSync(temp, path);
}

function printRegistryProblems(io: Io, problems: readonly Problem[]): void {
  for (const p of problems) io.stderr(`${formatProblem({ ...p, ...(p.file === undefined ? {} : { file: shown(io, p.file) }) })}\n`);
}

function refusal(changes: readonly TenantChange[]): string {
  const n = changes.filter((c) => c.destructive).length;
  return `tenantry plan: refused — ${n} destructive change${n === 1 ? "" : "s"} against the previous connection map (listed above); fix the registry, or pass --allow-destructive if you really mean it\n`;
}

/** Renders the chosen format and checks it holds no secret; the caller prints it. */
export function renderPlan(plan: Plan, format: "text" | "json" | "markdown", color = false): string {
  if (format === "json") return renderJson(plan);
  const stacks = plan.stacks ? (format === "markdown" ? renderStacksMarkdown(plan.stacks) : renderStacksText(plan.stacks)) : "";
  const text = (format === "markdown" ? renderMarkdown(plan) : renderText(plan, { color })) + stacks;
  assertNoSecretText(text, plan.knownSecrets);
  return text;
}

/** Runs `tenantry plan`; returns 0 plan produced, 1 invalid registry / refused destructive change / leak guard, 2 usage. */
export async function planCommand(opts: PlanOptions, io: Io, deps: PlanDeps = {}): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`tenantry plan: ${message}\n`);
    return code;
  };
  if (opts.env !== undefined && opts.registry !== undefined) return fail(EXIT.usage, "give either --env or --registry, not both");
  if (opts.json && opts.markdown) return fail(EXIT.usage, "give either --json or --markdown, not both");
  if (opts.layout !== undefined && !(STACK_LAYOUTS as readonly string[]).includes(opts.layout)) {
    return fail(EXIT.usage, `--layout must be ${STACK_LAYOUTS.join(" or ")}, got ${JSON.stringify(opts.layout)}`);
  }
  const file = registryFileFor({ file: opts.registry, env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);

  let previous: ConnectionMap | undefined;
  if (opts.previous !== undefined) {
    const path = resolve(io.cwd, opts.previous);
    try {
      previous = readPreviousMap(path);
    } catch (error) {
      if (error instanceof PreviousMapError) {
        return error.missing
          ? fail(EXIT.usage, `--previous: file not found: ${shown(io, path)}`)
          : fail(EXIT.failed, `--previous ${shown(io, path)} is not a connection map:\n  ${error.problems.join("\n  ")}`);
      }
      throw error;
    }
  }

  const bar = progress(io);
  let plan: Plan;
  try {
    plan = await planEnvironment({
      registryFile: file,
      ...(previous ? { previous } : {}),
      ...(deps.runner ? { runner: deps.runner } : {}),
      ...(opts.layout !== undefined && { settings: { stackLayout: opts.layout as StackLayout } }),
      onPhase: (phase) =>
        bar.phase(
          { validating: `validating ${shown(io, file)}`, evaluating: "running the program under the mock engine", comparing: "comparing with the previous map" }[phase],
        ),
    });
  } catch (error) {
    bar.done();
    if (error instanceof RegistryNotFoundError) return fail(EXIT.usage, `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof RegistryInvalidError) {
      printRegistryProblems(io, error.problems);
      const errors = error.problems.filter((p) => p.severity === "error").length;
      return fail(EXIT.failed, `${shown(io, file)} is invalid — ${errors} error${errors === 1 ? "" : "s"}; nothing planned`);
    }
    if (error instanceof SettingsError) {
      return fail(EXIT.failed, `the stack settings cannot be used; nothing planned:\n  ${error.problems.join("\n  ")}`);
    }
    if (error instanceof ShardFileError || error instanceof UnknownStackError) return fail(EXIT.failed, `${error.message}; nothing planned`);
    if (error instanceof ProgramLayoutError) {
      printRegistryProblems(io, error.problems);
      return fail(EXIT.failed, `the program cannot be built from ${shown(io, file)} (problems above); nothing planned`);
    }
    throw error;
  }
  bar.done();
  // Warnings name their file as the user would type it, like validate's problems.
  plan = { ...plan, run: { ...plan.run, warnings: plan.run.warnings.map((w) => (w.file === undefined ? w : { ...w, file: shown(io, w.file) })) } };

  const format = opts.json ? "json" : opts.markdown ? "markdown" : "text";
  let output: string;
  let mapText: string | undefined;
  try {
    output = renderPlan(plan, format, useColor(io));
    if (opts.out !== undefined) mapText = renderConnectionMap(plan);
  } catch (error) {
    if (error instanceof SecretLeakError) return fail(EXIT.failed, `${error.message}; this is a bug in Tenantry, please report it`);
    throw error;
  }
  io.stdout(output);
  if (opts.out !== undefined && mapText !== undefined) {
    const out = resolve(io.cwd, opts.out);
    try {
      writeFileAtomic(out, mapText);
    } catch (error) {
      return fail(EXIT.failed, `cannot write ${shown(io, out)}: ${(error as Error).message}`);
    }
    if (format === "text") io.stderr(`connection map written to ${shown(io, out)}\n`);
  }
  if (plan.changes.some((c) => c.destructive) && !opts.allowDestructive) {
    io.stderr(refusal(plan.changes));
    return EXIT.failed;
  }
  return EXIT.ok;
}

export const registerPlan: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("plan")
    .description("Show what the Pulumi program would provision for every tenant, offline (exit 0 planned, 1 invalid or refused, 2 usage)")
    .option("--env <env>", "plan stacks/<env>.tenants.yaml (default dev)")
    .option("--registry <file>", "plan this registry file instead of --env")
    .option("--previous <map>", "compare with the connection map of the last deployment (JSON)")
    .option("--json", "print the machine-readable plan on stdout")
    .option("--markdown", "print the plan as GitHub markdown (for a pull-request comment)")
    .option("--out <file>", "write the would-be connection map (JSON) to this file")
    .option("--allow-destructive", "exit 0 even when the plan holds destructive changes")
    .option("--layout <layout>", "plan the single or the per-tenant stack layout (default: tenantry:stackLayout of the stack file)")
    .action(async (options: PlanOptions) => {
      setExit(await planCommand(options, io));
    });
};
