// The metrics file `tenantry triggers` reads: per-tenant usage and commercial facts, validated like the registry.
import { z } from "zod";
import { readTextFile } from "@tenantry/contract/files";
import { parseSource, positioned, prototypeProblems, schemaProblems } from "../registry/load";
import type { Problem } from "../registry/problems";
import { SLUG_PATTERN } from "../registry/schema";

/** Explicit requests a customer can make that trigger a stage (README "The tenant registry"; https://docs.aws.amazon.com/wellarchitected/latest/saas-lens/silo-pool-and-bridge-models.html). */
export const REQUESTS = ["isolation", "dedicated", "sovereignty", "guaranteed-response-times"] as const;

export const TenantMetrics = z.strictObject({
  dataSizeGb: z.number().nonnegative().optional().describe("Data the tenant stores, in GB (decimal)."),
  slowQueryP95Seconds: z.number().nonnegative().optional().describe("95th percentile latency of the tenant's slow queries, in seconds."),
  dealSizeUsd: z.number().nonnegative().optional().describe("Annual contract value in USD."),
  sla: z.enum(["99.9", "99.95", "99.99"]).optional().describe("Availability the contract promises; overrides the registry's `sla`."),
  requests: z.array(z.enum(REQUESTS)).default([]).describe("What the customer explicitly asked for."),
});

export const MetricsFile = z.strictObject({
  version: z.literal(1),
  environment: z.string().optional().describe("Environment the metrics were collected in."),
  collectedAt: z.string().optional().describe("When the numbers were collected (ISO 8601)."),
  tenants: z.record(z.string().regex(SLUG_PATTERN, "must be a tenant id"), TenantMetrics).default({}),
});

export type TenantMetrics = z.infer<typeof TenantMetrics>;
export type MetricsFile = z.infer<typeof MetricsFile>;
export type Request = (typeof REQUESTS)[number];

/** Thrown when a metrics file is malformed or names tenants the registry does not have; carries every problem. */
export class MetricsInvalidError extends Error {
  override readonly name = "MetricsInvalidError";
  constructor(readonly problems: readonly Problem[]) {
    super(`the metrics file has ${problems.length} error(s)`);
  }
}

/** Thrown when the metrics file does not exist. */
export class MetricsNotFoundError extends Error {
  override readonly name = "MetricsNotFoundError";
  constructor(readonly file: string) {
    super(`metrics file not found: ${file}`);
  }
}

/** Parses and validates a metrics file; every tenant it names must exist in `tenantIds`. */
export function parseMetrics(text: string, file: string, tenantIds: readonly string[]): MetricsFile {
  const source = parseSource(text, file);
  if (source.problems.some((p) => p.severity === "error")) throw new MetricsInvalidError(source.problems);
  const unsafe = prototypeProblems(source, file);
  if (unsafe.length > 0) throw new MetricsInvalidError(unsafe);
  const parsed = MetricsFile.safeParse(source.data ?? {});
  if (!parsed.success) throw new MetricsInvalidError(schemaProblems(parsed.error.issues, source.data, source.map, file, MetricsFile));
  const known = new Set(tenantIds);
  const unknown = Object.keys(parsed.data.tenants).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new MetricsInvalidError(
      unknown.map((id) =>
        positioned(source.map, file, { severity: "error", at: ["tenants", id], atKey: true, tenantId: id, message: `tenant [${id}] is not in the registry; metrics must name registry tenants` }),
      ),
    );
  }
  return parsed.data;
}

export function loadMetricsFile(path: string, tenantIds: readonly string[]): MetricsFile {
  const text = readTextFile(path);
  if (text === undefined) throw new MetricsNotFoundError(path);
  return parseMetrics(text, path, tenantIds);
}

/** The `environment` a metrics file declares (read before the registry, which it chooses), or undefined. */
export function metricsEnvironment(path: string): string | undefined {
  const text = readTextFile(path);
  if (text === undefined) throw new MetricsNotFoundError(path);
  const source = parseSource(text, path);
  const data = source.data as { environment?: unknown } | null | undefined;
  return typeof data?.environment === "string" ? data.environment : undefined;
}
