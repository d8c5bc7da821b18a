// `tenantry validate [FILE] [--env ENV] [--json]`: checks a registry; every problem as FILE:LINE:COL  path  message on stderr.
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { type LoadedRegistry, loadRegistryFile, RegistryNotFoundError } from "@tenantry/core/registry/load";
import { type Problem, RegistryInvalidError } from "@tenantry/core/registry/problems";
import { plural, printJson, printProblems, problemJson, type RegisterCommand, registryFileFor, shown, usage } from "../shared";

export interface ValidateOptions {
  /** Registry file; mutually exclusive with `env`. */
  file?: string | undefined;
  /** Environment whose `stacks/<env>.tenants.yaml` is checked. @default "dev" */
  env?: string | undefined;
  /** One JSON document on stdout instead of lines (shape in the README). */
  json?: boolean | undefined;
}

/** The `validate --json` document (version 1: extend, never rename). */
function validateJson(io: Io, file: string, loaded: LoadedRegistry | undefined, problems: readonly Problem[]) {
  const stages = { pool: 0, bridge: 0, silo: 0 };
  for (const p of loaded?.placements ?? []) stages[p.current.stage] += 1;
  return {
    version: 1,
    file: shown(io, file),
    valid: loaded !== undefined,
    tenants: loaded ? { total: loaded.placements.length, ...stages } : null,
    errors: problems.filter((p) => p.severity === "error").length,
    warnings: problems.filter((p) => p.severity === "warning").length,
    problems: problems.map((p) => problemJson(io, p)),
  };
}

/** Runs the check; returns 0 valid (warnings allowed), 1 invalid, 2 usage. */
export function validate(opts: ValidateOptions, io: Io): number {
  const file = registryFileFor(opts, io);
  if (typeof file !== "string") return usage(io, "validate", file.usage);
  try {
    const loaded = loadRegistryFile(file);
    if (opts.json) {
      printJson(io, validateJson(io, file, loaded, loaded.warnings));
      return EXIT.ok;
    }
    printProblems(io, loaded.warnings);
    const stages = { pool: 0, bridge: 0, silo: 0 };
    for (const p of loaded.placements) stages[p.current.stage] += 1;
    io.stdout(
      `${shown(io, file)}: valid — ${plural(loaded.placements.length, "tenant")} (${stages.pool} pool, ${stages.bridge} bridge, ${stages.silo} silo), ${plural(loaded.warnings.length, "warning")}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RegistryNotFoundError) return usage(io, "validate", `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof RegistryInvalidError) {
      if (opts.json) {
        printJson(io, validateJson(io, file, undefined, error.problems));
        return EXIT.failed;
      }
      printProblems(io, error.problems);
      const errors = error.problems.filter((p) => p.severity === "error").length;
      io.stderr(`${shown(io, file)}: invalid — ${plural(errors, "error")}, ${plural(error.problems.length - errors, "warning")}\n`);
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
    .option("--json", "print the result as one JSON document on stdout (shape in the README)")
    .action((file: string | undefined, options: { env?: string; json?: boolean }) => {
      setExit(validate({ file, env: options.env, json: options.json }, io));
    });
};
