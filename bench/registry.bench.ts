// Registry validation cost as the tenant count grows: parse + schema + every rule + placement, per tenant.
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { parseRegistry, parseSource } from "../packages/core/src/registry/load";
import { checkRegistry } from "../packages/core/src/registry/rules";
import { Registry, type RegistryInput } from "../packages/core/src/registry/schema";
import type { BenchResult } from "./types";

/** A prod-like registry: 4 zones with 2 shared M40 clusters each, 6 collections, tenants split 60/30/10 pool/bridge/silo. */
function registryOf(tenants: number): string {
  const zones = [
    ["us", "US_EAST_1"],
    ["eu", "EU_CENTRAL_1"],
    ["uk", "EU_WEST_2"],
    ["au", "AP_SOUTHEAST_2"],
  ] as const;
  const input: RegistryInput = {
    version: 1,
    environment: "bench",
    collections: ["profiles", "projects", "orders", "invoices", "events", "notes"].map((name) => ({ name, indexes: [{ keys: { createdAt: -1 } }, { keys: { status: 1 } }] as { keys: Record<string, 1 | -1> }[] })),
    sharedClusters: zones.flatMap(([zone, region]) => [1, 2].map((n) => ({ name: `${zone}-${n}`, residency: zone, region, instanceSize: "M40", backupPolicy: "std" }))),
    backupPolicies: { std: { hourly: { everyHours: 6, keepDays: 3 }, daily: { keepDays: 35 }, weekly: { keepWeeks: 8 } } },
    tenants: Array.from({ length: tenants }, (_, i) => {
      const [zone, region] = zones[i % zones.length]!;
      const kind = i % 10;
      if (kind === 0) return { id: `t${i}`, name: `Tenant ${i}`, tier: "enterprise" as const, residency: zone, region, backupPolicy: "std" };
      if (kind <= 3) return { id: `t${i}`, name: `Tenant ${i}`, tier: "business" as const, residency: zone, sharedCluster: `${zone}-${(i % 2) + 1}` };
      return { id: `t${i}`, name: `Tenant ${i}`, tier: "free" as const, residency: zone };
    }),
  };
  return stringify(input);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function timeIt(text: string, runs: number): number {
  // Warm-up: the first runs pay for JIT compilation of the yaml parser and zod.
  for (let i = 0; i < 3; i++) parseRegistry(text, "bench.yaml");
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    parseRegistry(text, "bench.yaml");
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export async function run(): Promise<BenchResult[]> {
  const sizes = [100, 1_000, 5_000];
  const results: BenchResult[] = [];
  const perTenant: number[] = [];
  for (const n of sizes) {
    const ms = timeIt(registryOf(n), n >= 5_000 ? 5 : 15);
    perTenant.push((ms * 1000) / n);
    results.push({ name: `validate + place ${n.toLocaleString("en-US")} tenants`, value: ms, unit: "ms", note: "median; parse, schema, every rule, placement" });
    results.push({ name: `  per tenant at ${n.toLocaleString("en-US")}`, value: (ms * 1000) / n, unit: "µs" });
  }
  // Where the time goes at the largest size: YAML parsing with positions, the zod schema, the rules.
  const text = registryOf(sizes.at(-1) ?? 5_000);
  const parseMs = median([0, 1, 2].map(() => timed(() => parseSource(text, "bench.yaml"))));
  const data = parseSource(text, "bench.yaml").data;
  const schemaMs = median([0, 1, 2].map(() => timed(() => Registry.parse(data))));
  const registry = Registry.parse(data);
  const rulesMs = median([0, 1, 2].map(() => timed(() => checkRegistry(registry))));
  results.push({ name: "  of which YAML parse (5,000)", value: parseMs, unit: "ms" });
  results.push({ name: "  of which zod schema (5,000)", value: schemaMs, unit: "ms" });
  results.push({ name: "  of which rules (5,000)", value: rulesMs, unit: "ms" });
  // Linear scaling keeps this near 1; a quadratic rule would push it towards 50.
  results.push({ name: "per-tenant cost 5,000 vs 100 tenants", value: (perTenant[2] ?? 0) / (perTenant[0] ?? 1), unit: "×", note: "≈1 means linear; < 1: fixed costs amortised" });
  return Promise.resolve(results);
}
