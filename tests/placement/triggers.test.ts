// The stage decision matrix: each trigger with its threshold, and what a recommendation says.
import { describe, expect, test } from "vitest";
import { parseMetrics, MetricsInvalidError, type TenantMetrics } from "../../packages/core/src/placement/metrics";
import { evaluateTriggers } from "../../packages/core/src/placement/triggers";
import { formatProblem } from "../../packages/core/src/registry/problems";
import { Registry, type RegistryInput } from "../../packages/core/src/registry/schema";

type TenantInput = NonNullable<RegistryInput["tenants"]>[number];

function registryWith(tenants: TenantInput[]): Registry {
  return Registry.parse({
    version: 1,
    environment: "test",
    collections: [{ name: "orders" }],
    sharedClusters: [{ name: "us-1", residency: "us", region: "US_EAST_1", instanceSize: "M30", backupPolicy: "std" }],
    backupPolicies: { std: { daily: { keepDays: 35 } } },
    tenants,
  });
}

const pool: TenantInput = { id: "acme", name: "Acme", tier: "free", residency: "us" };
const bridge: TenantInput = { id: "acme", name: "Acme", tier: "business", residency: "us" };
const metricsOf = (m: Partial<TenantMetrics>) => ({ version: 1 as const, tenants: { acme: { requests: [], ...m } } });

describe("one trigger at a time", () => {
  test.each<[string, TenantInput, Partial<TenantMetrics>, string | undefined]>([
    ["data at the threshold", pool, { dataSizeGb: 10 }, undefined],
    ["data above 10 GB", pool, { dataSizeGb: 10.5 }, "pool → bridge: data size 10.5 GB (> 10 GB)"],
    ["p95 at 5 s", pool, { slowQueryP95Seconds: 5 }, undefined],
    ["p95 above 5 s", pool, { slowQueryP95Seconds: 7.2 }, "pool → bridge: slow queries (p95) 7.2 s (> 5 s)"],
    ["SOC2 while in pool", { ...pool, stage: "pool", compliance: ["SOC2"] }, {}, "pool → bridge: compliance SOC2 (SOC2 or ISO27001)"],
    ["isolation request", pool, { requests: ["isolation"] }, "pool → bridge: explicit request isolation (asked for)"],
    ["deal below $1M", bridge, { dealSizeUsd: 999_999 }, undefined],
    ["deal of $1M", bridge, { dealSizeUsd: 1_000_000 }, "bridge → silo: deal size $1,000,000 (≥ $1,000,000)"],
    ["SLA 99.99 in the metrics", bridge, { sla: "99.99" }, "bridge → silo: SLA 99.99 % (99.99 %)"],
    ["SLA 99.99 in the registry", { ...bridge, sla: "99.99" }, {}, "bridge → silo: SLA 99.99 % (99.99 %)"],
    ["SLA 99.95", bridge, { sla: "99.95" }, undefined],
    ["guaranteed response times", bridge, { requests: ["guaranteed-response-times"] }, "bridge → silo: explicit request guaranteed-response-times (asked for)"],
    ["sovereignty", bridge, { requests: ["sovereignty"] }, "bridge → silo: explicit request sovereignty (asked for)"],
    ["a bridge trigger on a bridge tenant", bridge, { dataSizeGb: 80 }, undefined],
    ["a declared move already answers it", { ...pool, move: { stage: "bridge" } }, { dataSizeGb: 80 }, undefined],
    ["offboarding tenants are skipped", { ...bridge, status: "offboarding" }, { dealSizeUsd: 5_000_000 }, undefined],
  ])("%s", (_name, tenant, metrics, expected) => {
    const [r] = evaluateTriggers(registryWith([tenant]), metricsOf(metrics));
    const line = r && `${r.from} → ${r.to}: ${r.reasons.map((x) => `${x.trigger} ${x.actual} (${x.threshold})`).join("; ")}`;
    expect(line).toBe(expected);
  });
});

test("a tenant crossing bridge and silo triggers is recommended silo with every reason, bridge ones first", () => {
  const [r] = evaluateTriggers(registryWith([pool]), metricsOf({ dealSizeUsd: 2_000_000, dataSizeGb: 40 }));
  expect(r).toEqual({
    tenantId: "acme",
    from: "pool",
    to: "silo",
    reasons: [
      { trigger: "data size", threshold: "> 10 GB", actual: "40 GB", stage: "bridge" },
      { trigger: "deal size", threshold: "≥ $1,000,000", actual: "$2,000,000", stage: "silo" },
    ],
  });
});

test("three enterprise customers move enterprise tenants still pinned to pool", () => {
  const silo = (id: string): TenantInput => ({ id, name: id, tier: "enterprise", residency: "us", region: "US_EAST_1", backupPolicy: "std" });
  const pinned: TenantInput = { id: "pinned", name: "Pinned", tier: "enterprise", stage: "pool", residency: "us" };
  expect(evaluateTriggers(registryWith([silo("e1"), pinned]), { version: 1, tenants: {} })).toEqual([]);
  expect(evaluateTriggers(registryWith([silo("e1"), silo("e2"), pinned]), { version: 1, tenants: {} })).toEqual([
    { tenantId: "pinned", from: "pool", to: "bridge", reasons: [{ trigger: "enterprise customers", threshold: "≥ 3", actual: "3", stage: "bridge" }] },
  ]);
});

test("evaluation never changes the registry", () => {
  const registry = registryWith([pool]);
  const before = structuredClone(registry);
  evaluateTriggers(registry, metricsOf({ dealSizeUsd: 2_000_000 }));
  expect(registry).toEqual(before);
});

describe("metrics file", () => {
  test.each([
    ["unknown tenant", "version: 1\ntenants:\n  ghost: { dataSizeGb: 1 }\n", ["m.yaml:3:3  tenants.ghost  tenant [ghost] is not in the registry; metrics must name registry tenants"]],
    ["typo in a field", "version: 1\ntenants:\n  acme: { dataSizeGB: 1 }\n", ["m.yaml:3:11  tenants.acme.dataSizeGB  unknown field `dataSizeGB`; did you mean `dataSizeGb`?"]],
    ["negative size", "version: 1\ntenants:\n  acme: { dataSizeGb: -1 }\n", ["m.yaml:3:23  tenants.acme.dataSizeGb  `dataSizeGb` must be ≥ 0, got -1"]],
    [
      "unknown request",
      "version: 1\ntenants:\n  acme: { requests: [isolaton] }\n",
      ['m.yaml:3:22  tenants.acme.requests[0]  `requests` must be one of "isolation", "dedicated", "sovereignty" or "guaranteed-response-times", got string "isolaton"; did you mean "isolation"?'],
    ],
  ])("%s", (_name, text, expected) => {
    let lines: string[] = [];
    try {
      parseMetrics(text, "m.yaml", ["acme"]);
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsInvalidError);
      lines = (error as MetricsInvalidError).problems.map(formatProblem);
    }
    expect(lines).toEqual(expected);
  });
});
