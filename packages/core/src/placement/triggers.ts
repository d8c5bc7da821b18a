// The stage decision matrix (README "The tenant registry"; https://docs.aws.amazon.com/wellarchitected/latest/saas-lens/silo-pool-and-bridge-models.html) as a pure function: metrics + registry → recommendations with their reasons.
import type { Registry, Stage } from "../registry/schema";
import type { MetricsFile, TenantMetrics } from "./metrics";
import { currentStage, maxStage, STAGE_RANK } from "./place";

/** Thresholds of the decision matrix (README "The tenant registry"; https://docs.aws.amazon.com/wellarchitected/latest/saas-lens/silo-pool-and-bridge-models.html). */
export const THRESHOLDS = {
  /** Data per tenant above which it gets its own collections. */
  dataSizeGb: 10,
  /** Slow-query p95 above which it gets its own collections. */
  slowQueryP95Seconds: 5,
  /** Enterprise customers at which enterprise tenants leave the pool. */
  enterpriseCustomers: 3,
  /** Deal size from which a tenant gets its own cluster. */
  dealSizeUsd: 1_000_000,
} as const;

export interface TriggerReason {
  /** What crossed, e.g. "data size". */
  trigger: string;
  /** The threshold, e.g. "> 10 GB". */
  threshold: string;
  /** The tenant's value, e.g. "12.5 GB". */
  actual: string;
  /** The stage this trigger asks for. */
  stage: Stage;
}

export interface Recommendation {
  tenantId: string;
  /** Where the tenant is (or is already moving to, when a move is declared). */
  from: Stage;
  /** The highest stage a trigger asks for. */
  to: Stage;
  /** Every trigger asking for more than `from`, bridge triggers first. */
  reasons: TriggerReason[];
}

const usd = (n: number) => `$${n.toLocaleString("en-US")}`;

/** Every trigger one tenant crosses, regardless of where it is now. */
export function tenantTriggers(
  tenant: Registry["tenants"][number],
  metrics: TenantMetrics | undefined,
  enterpriseCustomers: number,
): TriggerReason[] {
  const reasons: TriggerReason[] = [];
  const m = metrics ?? { requests: [] };
  // Stage 2 (bridge) triggers.
  if (m.dataSizeGb !== undefined && m.dataSizeGb > THRESHOLDS.dataSizeGb) {
    reasons.push({ trigger: "data size", threshold: `> ${THRESHOLDS.dataSizeGb} GB`, actual: `${m.dataSizeGb} GB`, stage: "bridge" });
  }
  if (m.slowQueryP95Seconds !== undefined && m.slowQueryP95Seconds > THRESHOLDS.slowQueryP95Seconds) {
    reasons.push({ trigger: "slow queries (p95)", threshold: `> ${THRESHOLDS.slowQueryP95Seconds} s`, actual: `${m.slowQueryP95Seconds} s`, stage: "bridge" });
  }
  for (const flag of tenant.compliance.filter((f) => f === "SOC2" || f === "ISO27001")) {
    reasons.push({ trigger: "compliance", threshold: "SOC2 or ISO27001", actual: flag, stage: "bridge" });
  }
  if (m.requests.includes("isolation")) reasons.push({ trigger: "explicit request", threshold: "asked for", actual: "isolation", stage: "bridge" });
  if (tenant.tier === "enterprise" && enterpriseCustomers >= THRESHOLDS.enterpriseCustomers) {
    reasons.push({ trigger: "enterprise customers", threshold: `≥ ${THRESHOLDS.enterpriseCustomers}`, actual: String(enterpriseCustomers), stage: "bridge" });
  }
  // Stage 3 (silo) triggers.
  if (m.dealSizeUsd !== undefined && m.dealSizeUsd >= THRESHOLDS.dealSizeUsd) {
    reasons.push({ trigger: "deal size", threshold: `≥ ${usd(THRESHOLDS.dealSizeUsd)}`, actual: usd(m.dealSizeUsd), stage: "silo" });
  }
  for (const flag of tenant.compliance.filter((f) => f === "HIPAA" || f === "FedRAMP")) {
    reasons.push({ trigger: "compliance", threshold: "HIPAA or FedRAMP", actual: flag, stage: "silo" });
  }
  const sla = m.sla ?? tenant.sla;
  if (sla === "99.99") reasons.push({ trigger: "SLA", threshold: "99.99 %", actual: `${sla} %`, stage: "silo" });
  for (const request of ["guaranteed-response-times", "dedicated", "sovereignty"] as const) {
    if (m.requests.includes(request)) reasons.push({ trigger: "explicit request", threshold: "asked for", actual: request, stage: "silo" });
  }
  return reasons;
}

/**
 * Recommendations for every tenant a trigger would move up, in registry order. Offboarding tenants are skipped.
 * A tenant with a declared move is measured against its target: the move already answers the triggers it meets.
 * Pure: never changes the registry; a person decides and edits it.
 */
export function evaluateTriggers(registry: Registry, metrics: MetricsFile): Recommendation[] {
  const enterpriseCustomers = registry.tenants.filter((t) => t.tier === "enterprise" && t.status !== "offboarding").length;
  const recommendations: Recommendation[] = [];
  for (const tenant of registry.tenants) {
    if (tenant.status === "offboarding") continue;
    const from = tenant.move === undefined ? currentStage(tenant) : maxStage(currentStage(tenant), tenant.move.stage);
    const reasons = tenantTriggers(tenant, metrics.tenants[tenant.id], enterpriseCustomers).filter((r) => STAGE_RANK[r.stage] > STAGE_RANK[from]);
    if (reasons.length === 0) continue;
    const to = reasons.reduce<Stage>((s, r) => maxStage(s, r.stage), from);
    recommendations.push({ tenantId: tenant.id, from, to, reasons });
  }
  return recommendations;
}
