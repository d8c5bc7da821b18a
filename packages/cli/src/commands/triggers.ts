// `tenantry triggers --metrics FILE [--env ENV]`: evaluates the stage decision matrix and prints recommendations; the
// environment is the one the metrics file declares unless --env says otherwise (and then they must agree).
import { resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { loadMetricsFile, metricsEnvironment, MetricsInvalidError, MetricsNotFoundError } from "@tenantry/core/placement/metrics";
import { evaluateTriggers, type Recommendation } from "@tenantry/core/placement/triggers";
import { loadRegistryFile, RegistryNotFoundError } from "@tenantry/core/registry/load";
import { RegistryInvalidError } from "@tenantry/core/registry/problems";
import { fail, printJson, printProblems, type RegisterCommand, registryFileFor, shown, usage } from "../shared";

export interface TriggersOptions {
  /** Environment whose registry is read. @default the metrics file's `environment`, else "dev" */
  env?: string | undefined;
  /** Metrics file (YAML or JSON). */
  metrics: string;
  json?: boolean | undefined;
}

/** The lines printed for one recommendation. */
export function formatRecommendation(r: Recommendation): string[] {
  return [
    `tenant [${r.tenantId}]  ${r.from} → ${r.to}`,
    ...r.reasons.map((reason) => `  - ${reason.trigger}: ${reason.actual} (threshold ${reason.threshold}) → ${reason.stage}`),
  ];
}

/** Prints recommendations; 0 when evaluated (with or without recommendations), 1 invalid input, 2 usage. */
export function triggers(opts: TriggersOptions, io: Io): number {
  const metricsFile = resolve(io.cwd, opts.metrics);
  let registryFile = "";
  try {
    const declared = metricsEnvironment(metricsFile);
    if (opts.env !== undefined && declared !== undefined && declared !== opts.env) {
      return fail(io, "triggers", EXIT.failed, `${shown(io, metricsFile)} holds metrics of environment ${declared}, not ${opts.env}; drop --env or give the ${opts.env} metrics`);
    }
    const environment = opts.env ?? declared;
    const chosen = registryFileFor({ env: environment }, io);
    if (typeof chosen !== "string") return usage(io, "triggers", chosen.usage);
    registryFile = chosen;
    const { registry } = loadRegistryFile(registryFile);
    const metrics = loadMetricsFile(
      metricsFile,
      registry.tenants.map((t) => t.id),
    );
    const recommendations = evaluateTriggers(registry, metrics);
    if (opts.json) {
      printJson(io, {
        version: 1,
        environment: registry.environment,
        registry: shown(io, registryFile),
        metrics: shown(io, metricsFile),
        tenants: registry.tenants.length,
        recommendations: recommendations.map((r) => ({ tenantId: r.tenantId, from: r.from, to: r.to, reasons: r.reasons.map((x) => ({ ...x })) })),
      });
      return EXIT.ok;
    }
    for (const r of recommendations) io.stdout(`${formatRecommendation(r).join("\n")}\n`);
    io.stdout(
      `${recommendations.length} recommendation(s) for ${registry.tenants.length} tenant(s) of ${registry.environment}; the registry is unchanged — edit it (stage or move) to act on one\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RegistryNotFoundError) return usage(io, "triggers", `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof MetricsNotFoundError) return usage(io, "triggers", `metrics file not found: ${shown(io, error.file)}`);
    if (error instanceof RegistryInvalidError || error instanceof MetricsInvalidError) {
      printProblems(io, error.problems);
      return fail(io, "triggers", EXIT.failed, `${error instanceof RegistryInvalidError ? shown(io, registryFile) : shown(io, metricsFile)} is invalid (problems above); run \`tenantry validate\` on the registry first`);
    }
    throw error;
  }
}

export const registerTriggers: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("triggers")
    .description("Evaluate the stage decision matrix from a metrics file and print recommendations (never changes the registry)")
    .requiredOption("--metrics <file>", "metrics file (YAML or JSON)")
    .option("--env <env>", "registry stacks/<env>.tenants.yaml (default: the metrics file's environment, else dev)")
    .option("--json", "print the recommendations as one JSON document on stdout (shape in the README)")
    .action((options: { env?: string; metrics: string; json?: boolean }) => {
      setExit(triggers({ env: options.env, metrics: options.metrics, json: options.json }, io));
    });
};
