// Stage policy: tier defaults, compliance floors, the default shared cluster and generations; used by rules and placement.
import { FIRST_GENERATION } from "@tenantry/contract/naming";
import type { ComplianceFlag, Registry, Stage, Tenant, Tier } from "./schema";
import type { ResidencyZone } from "./zones";

/** Order of the stages: moves and floors compare by rank. */
export const STAGE_RANK: Readonly<Record<Stage, number>> = { pool: 0, bridge: 1, silo: 2 };

/** Default stage of each commercial tier (README "The tenant registry"; https://docs.aws.amazon.com/wellarchitected/latest/saas-lens/silo-pool-and-bridge-models.html). */
export const TIER_STAGE: Readonly<Record<Tier, Stage>> = { free: "pool", business: "bridge", enterprise: "silo" };

/** Minimum stage each compliance regime requires (README "The tenant registry"); GDPR adds no floor (residency covers it). */
export const COMPLIANCE_FLOOR: Readonly<Record<ComplianceFlag, Stage>> = {
  HIPAA: "silo",
  FedRAMP: "silo",
  SOC2: "bridge",
  ISO27001: "bridge",
  GDPR: "pool",
};

/** Regimes whose silos get a forced customer-managed key and a Backup Compliance Policy. */
export const STRICT_REGIMES: readonly ComplianceFlag[] = ["HIPAA", "FedRAMP"];

/** Default dedicated size of a silo cluster when the registry names none. */
export const DEFAULT_SILO_SIZE = "M10";

export function maxStage(a: Stage, b: Stage): Stage {
  return STAGE_RANK[a] >= STAGE_RANK[b] ? a : b;
}

export function isBelow(a: Stage, b: Stage): boolean {
  return STAGE_RANK[a] < STAGE_RANK[b];
}

/** The compliance floor of a set of flags and the flags that set it (empty when the floor is pool). */
export function complianceFloor(flags: readonly ComplianceFlag[]): { stage: Stage; because: ComplianceFlag[] } {
  let stage: Stage = "pool";
  for (const flag of flags) stage = maxStage(stage, COMPLIANCE_FLOOR[flag]);
  return { stage, because: flags.filter((f) => COMPLIANCE_FLOOR[f] === stage && stage !== "pool") };
}

/** Stage without an explicit one: the tier default raised by the compliance floor. */
export function defaultStage(tenant: Pick<Tenant, "tier" | "compliance">): Stage {
  return maxStage(TIER_STAGE[tenant.tier], complianceFloor(tenant.compliance).stage);
}

/**
 * The stage a tenant is served from now: the explicit `stage` when given, else the tier default raised by the
 * compliance floor. An explicit stage below the floor is a validation error (or a warning during a declared move),
 * never silently upgraded, so placement honours what the registry says.
 */
export function currentStage(tenant: Pick<Tenant, "tier" | "compliance" | "stage">): Stage {
  return tenant.stage ?? defaultStage(tenant);
}

/**
 * The shared cluster a pool/bridge tenant lands on: the named one, else the FIRST shared cluster declared in its zone.
 * The default is stable as long as people append clusters to `sharedClusters` (inserting one before the zone's first
 * would re-home every tenant that relies on the default, so the validator cannot protect against that reorder).
 */
export function sharedClusterFor(registry: Pick<Registry, "sharedClusters">, zone: ResidencyZone, named?: string): string | undefined {
  if (named !== undefined) return registry.sharedClusters.some((c) => c.name === named) ? named : undefined;
  return registry.sharedClusters.find((c) => c.residency === zone)?.name;
}

/** True when the tenant's compliance regimes force a customer-managed key and a Backup Compliance Policy. */
export function needsStrictSilo(flags: readonly ComplianceFlag[]): boolean {
  return flags.some((f) => STRICT_REGIMES.includes(f));
}

/** Generation of the tenant's dedicated resources where it is served now (`generation`, default 1). */
export function currentGeneration(tenant: Pick<Tenant, "generation">): number {
  return tenant.generation ?? FIRST_GENERATION;
}

/**
 * Generation of a move's target: one more than the current one for a move within a stage (bridge → bridge, silo →
 * silo), whose dedicated resources would otherwise take the current ones' names; unchanged for a move up a stage,
 * whose names differ already. After the cut-over the registry records the target's generation in `generation`.
 */
export function targetGeneration(tenant: Pick<Tenant, "generation" | "tier" | "compliance" | "stage">, targetStage: Stage): number {
  const generation = currentGeneration(tenant);
  return targetStage === currentStage(tenant) && targetStage !== "pool" ? generation + 1 : generation;
}

