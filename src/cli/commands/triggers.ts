// `tenantry triggers --env ENV --metrics FILE`: evaluates the stage decision matrix and prints recommendations.
import { resolve } from "node:path";
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { loadMetricsFile, MetricsInvalidError, MetricsNotFoundError } from "../../placement/metrics";
import { evaluateTriggers, type Recommendation } from "../../placement/triggers";
import { loadRegistryFile, RegistryNotFoundError } from "../../registry/load";
import { RegistryInvalidError } from "../../registry/problems";
import type { RegisterCommand } from "./index";
import { printProblems, registryFileFor, shown } from "./validate";

export interface TriggersOptions {
  /** Environment whose registry is read. @default "dev" */
  env?: string | undefined;
  /** Metrics file (YAML or JSON). */
  metrics: string;
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
  const registryFile = registryFileFor({ env: opts.env }, io);
  if (typeof registryFile !== "string") {
    io.stderr(`tenantry triggers: ${registryFile.usage}\n`);
    return EXIT.usage;
  }
  const metricsFile = resolve(io.cwd, opts.metrics);
  try {
    const { registry } = loadRegistryFile(registryFile);
    const metrics = loadMetricsFile(
      metricsFile,
      registry.tenants.map((t) => t.id),
    );
    const recommendations = evaluateTriggers(registry, metrics);
    for (const r of recommendations) io.stdout(`${formatRecommendation(r).join("\n")}\n`);
    io.stdout(
      `${recommendations.length} recommendation(s) for ${registry.tenants.length} tenant(s); the registry is unchanged — edit it (stage or move) to act on one\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RegistryNotFoundError || error instanceof MetricsNotFoundError) {
      io.stderr(`tenantry triggers: ${error instanceof RegistryNotFoundError ? "registry" : "metrics"} file not found: ${shown(io, error.file)}\n`);
      return EXIT.usage;
    }
    if (error instanceof RegistryInvalidError || error instanceof MetricsInvalidError) {
      printProblems(io, error.problems);
      io.stdout(`${error instanceof RegistryInvalidError ? shown(io, registryFile) : shown(io, metricsFile)}: invalid — run \`tenantry validate\` on the registry first\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

export const registerTriggers: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("triggers")
    .description("Evaluate the stage decision matrix from a metrics file and print recommendations (never changes the registry)")
    .option("--env <env>", "registry stacks/<env>.tenants.yaml (default dev)")
    .requiredOption("--metrics <file>", "metrics file (YAML or JSON)")
    .action((options: { env?: string; metrics: string }) => {
      setExit(triggers({ env: options.env, metrics: options.metrics }, io));
    });
};
