// `tenantry validate [FILE] [--env ENV]`: checks a registry and prints every problem as FILE:LINE:COL  path  message.
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { loadRegistryFile, registryPathFor, RegistryNotFoundError } from "../../registry/load";
import { formatProblem, type Problem, RegistryInvalidError } from "../../registry/problems";
import type { RegisterCommand } from "./index";

export interface ValidateOptions {
  /** Registry file; mutually exclusive with `env`. */
  file?: string | undefined;
  /** Environment whose `stacks/<env>.tenants.yaml` is checked. @default "dev" */
  env?: string | undefined;
}

export const ENV_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Which file a command reads: FILE, or stacks/<env>.tenants.yaml; a string is a usage error message. */
export function registryFileFor(opts: ValidateOptions, io: Io): string | { usage: string } {
  if (opts.file !== undefined && opts.env !== undefined) return { usage: "give either FILE or --env, not both" };
  if (opts.file !== undefined) return resolve(io.cwd, opts.file);
  const env = opts.env ?? "dev";
  if (!ENV_PATTERN.test(env)) return { usage: `--env must be a lowercase environment name such as dev or prod, got ${JSON.stringify(env)}` };
  return registryPathFor(env, io.cwd);
}

/** Path as the user sees it: relative to the working directory when inside it. */
export function shown(io: Io, path: string): string {
  const rel = relative(io.cwd, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function printProblems(io: Io, problems: readonly Problem[]): void {
  for (const p of problems) io.stdout(`${formatProblem({ ...p, ...(p.file === undefined ? {} : { file: shown(io, p.file) }) })}\n`);
}

/** Runs the check; returns 0 valid (warnings allowed), 1 invalid, 2 usage. */
export function validate(opts: ValidateOptions, io: Io): number {
  const file = registryFileFor(opts, io);
  if (typeof file !== "string") {
    io.stderr(`tenantry validate: ${file.usage}\n`);
    return EXIT.usage;
  }
  try {
    const loaded = loadRegistryFile(file);
    printProblems(io, loaded.warnings);
    const stages = { pool: 0, bridge: 0, silo: 0 };
    for (const p of loaded.placements) stages[p.current.stage] += 1;
    io.stdout(
      `${shown(io, file)}: valid — ${plural(loaded.placements.length, "tenant")} (${stages.pool} pool, ${stages.bridge} bridge, ${stages.silo} silo), ${plural(loaded.warnings.length, "warning")}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RegistryNotFoundError) {
      io.stderr(`tenantry validate: registry file not found: ${shown(io, error.file)}\n`);
      return EXIT.usage;
    }
    if (error instanceof RegistryInvalidError) {
      printProblems(io, error.problems);
      const errors = error.problems.filter((p) => p.severity === "error").length;
      io.stdout(`${shown(io, file)}: invalid — ${plural(errors, "error")}, ${plural(error.problems.length - errors, "warning")}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

export const registerValidate: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("validate")
    .description("Check a tenant registry: schema, every rule, placement (exit 0 valid, 1 invalid, 2 usage)")
    .argument("[file]", "registry file (YAML or JSON)")
    .option("--env <env>", "check stacks/<env>.tenants.yaml (default dev)")
    .action((file: string | undefined, options: { env?: string }) => {
      setExit(validate({ file, env: options.env }, io));
    });
};
