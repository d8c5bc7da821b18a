// `tenantry plan`: runs the Pulumi program offline and prints what it would provision, per tenant, and the changes against the last map.
import { resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { writeFileAtomic } from "@tenantry/contract/atomic-write";
import { DestructiveChangeError, PlanRefusedError, PlanSettingsError } from "@tenantry/pulumi/plan/errors";
import { SecretLeakError } from "@tenantry/pulumi/plan/json";
import type { Plan } from "@tenantry/pulumi/plan/model";
import { assertDestructiveAllowed, type OfflineRunner, planEnvironment, PreviousMapError, readPreviousMap } from "@tenantry/pulumi/plan/plan";
import { renderMapFile, renderPlan } from "@tenantry/pulumi/plan/render";
import { RegistryNotFoundError } from "@tenantry/core/registry/load";
import { STACK_LAYOUTS, type StackLayout } from "@tenantry/pulumi/program/settings";
import { RegistryInvalidError } from "@tenantry/core/registry/problems";
import { fail, outputFileProblem, printProblems, progress, type RegisterCommand, registryFileFor, shown, usage, useColor } from "../shared";

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
  quiet?: boolean | undefined;
  /** Stack layout to plan (`single` or `per-tenant`). @default the stack file's tenantry:stackLayout */
  layout?: string | undefined;
}

/** Injection points for tests and benches. */
export interface PlanDeps {
  runner?: OfflineRunner;
}

/** Runs `tenantry plan`; returns 0 plan produced, 1 invalid registry / refused destructive change / leak guard, 2 usage. */
export async function planCommand(opts: PlanOptions, io: Io, deps: PlanDeps = {}): Promise<number> {
  if (opts.env !== undefined && opts.registry !== undefined) return usage(io, "plan", "give either --env or --registry, not both");
  if (opts.json && opts.markdown) return usage(io, "plan", "give either --json or --markdown, not both");
  if (opts.layout !== undefined && !(STACK_LAYOUTS as readonly string[]).includes(opts.layout)) {
    return usage(io, "plan", `--layout must be ${STACK_LAYOUTS.join(" or ")}, got ${JSON.stringify(opts.layout)}`);
  }
  const file = registryFileFor({ file: opts.registry, env: opts.env }, io, "--registry");
  if (typeof file !== "string") return usage(io, "plan", file.usage);
  // --out is checked before any work: a plan of 10,000 tenants must not run only to fail on a typo'd path.
  const out = opts.out === undefined ? undefined : resolve(io.cwd, opts.out);
  if (out !== undefined) {
    const problem = outputFileProblem(out);
    if (problem !== undefined) return usage(io, "plan", `--out ${shown(io, out)} ${problem}`);
  }

  let previous: ConnectionMap | undefined;
  if (opts.previous !== undefined) {
    const path = resolve(io.cwd, opts.previous);
    try {
      previous = readPreviousMap(path);
    } catch (error) {
      if (error instanceof PreviousMapError) {
        return error.missing
          ? usage(io, "plan", `--previous: file not found: ${shown(io, path)}`)
          : fail(io, "plan", EXIT.failed, `--previous ${shown(io, path)} is not a connection map:\n  ${error.problems.join("\n  ")}`);
      }
      throw error;
    }
  }

  const bar = opts.quiet ? progress({ ...io, isTTY: false }) : progress(io);
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
    if (error instanceof RegistryNotFoundError) return usage(io, "plan", `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof RegistryInvalidError) {
      printProblems(io, error.problems);
      const errors = error.problems.filter((p) => p.severity === "error").length;
      return fail(io, "plan", EXIT.failed, `${shown(io, file)} is invalid — ${errors} error${errors === 1 ? "" : "s"}; nothing planned`);
    }
    if (error instanceof PlanSettingsError) {
      return fail(io, "plan", EXIT.failed, `the stack settings cannot be used; nothing planned:\n  ${error.problems.join("\n  ")}`);
    }
    if (error instanceof PlanRefusedError) {
      printProblems(io, error.problems);
      return fail(io, "plan", EXIT.failed, `the program cannot be built from ${shown(io, file)} (problems above); nothing planned`);
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
    output = await renderPlan(plan, format, { color: useColor(io) });
    if (out !== undefined) mapText = await renderMapFile(plan);
  } catch (error) {
    if (error instanceof SecretLeakError) return fail(io, "plan", EXIT.failed, `${error.message}; nothing printed`);
    throw error;
  }
  if (out !== undefined && mapText !== undefined) {
    try {
      writeFileAtomic(out, mapText);
    } catch (error) {
      return fail(io, "plan", EXIT.failed, `cannot write ${shown(io, out)}: ${(error as Error).message}`);
    }
  }
  io.stdout(output);
  if (out !== undefined && format === "text") io.stderr(`connection map written to ${shown(io, out)}\n`);
  try {
    assertDestructiveAllowed(plan, opts.allowDestructive === true);
  } catch (error) {
    if (error instanceof DestructiveChangeError) return fail(io, "plan", EXIT.failed, error.message);
    throw error;
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
    .option("--out <file>", "write the would-be connection map (JSON) to this file (checked before planning)")
    .option("--allow-destructive", "exit 0 even when the plan holds destructive changes")
    .option("-q, --quiet", "no progress on stderr")
    .option("--layout <layout>", "plan the single or the per-tenant stack layout (default: tenantry:stackLayout of the stack file)")
    .action(async (options: PlanOptions) => {
      setExit(await planCommand(options, io));
    });
};
