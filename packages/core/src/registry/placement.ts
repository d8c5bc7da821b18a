// Placement: a pure function from a valid registry to where each tenant lives (stage, shared cluster or silo region).
// It lives in the registry layer because the loader places every registry it validates; src/placement builds on it.
import type { ComplianceFlag, MoveSpec, Registry, Stage, Tenant, TenantStatus } from "./schema";
import { complianceFloor, currentGeneration, currentStage, DEFAULT_SILO_SIZE, needsStrictSilo, sharedClusterFor, targetGeneration, TIER_STAGE } from "./stage-policy";
import { isGovZone, type ResidencyZone } from "./zones";

/** Where a tenant's data lives in one stage; a move has a current and a target location. */
export type Location =
  | { stage: "pool"; sharedCluster: string }
  | {
      stage: "bridge";
      sharedCluster: string;
      /** Generation of its role, user and secret names (`src/naming.ts`): the tenant's, + 1 for a bridge → bridge move's target. */
      generation: number;
    }
  | {
      stage: "silo";
      /** Generation of its project, key, user and secret names (`src/naming.ts`): the tenant's, + 1 for a silo → silo move's target. */
      generation: number;
      /** Atlas region name of the dedicated cluster. */
      region: string;
      instanceSize: string;
      backupPolicy: string;
      /** True when asked for or required by compliance (HIPAA, FedRAMP). */
      customerManagedKey: boolean;
      /** True for HIPAA and FedRAMP tenants: a Backup Compliance Policy is installed. */
      backupCompliancePolicy: boolean;
      /** True for FedRAMP tenants: provisioned through Atlas for Government. */
      government: boolean;
    };

export interface Placement {
  tenantId: string;
  name: string;
  residency: ResidencyZone;
  compliance: readonly ComplianceFlag[];
  status: TenantStatus;
  /** Where the tenant is served from now. */
  current: Location;
  /** Where a declared move takes it; provisioned alongside `current` until cut-over. */
  target?: Location;
  /**
   * The former current location of a cut-over move (`move.cutOver`): still provisioned under the same names, with
   * `protect` lifted, until `move:` is removed; never routed to.
   */
  retired?: Location;
  /** Why the stage is what it is, e.g. "tier business → bridge", "HIPAA needs silo". */
  reasons: readonly string[];
}


/** Thrown when placement is asked to place a registry that did not pass validation. */
export class PlacementError extends Error {
  override readonly name = "PlacementError";
  constructor(
    readonly tenantId: string,
    message: string,
  ) {
    super(message);
  }
}

function shared(stage: "pool" | "bridge", registry: Registry, tenant: Tenant, named: string | undefined, generation: number): Location {
  const cluster = sharedClusterFor(registry, tenant.residency, named);
  if (cluster === undefined) {
    throw new PlacementError(tenant.id, `tenant [${tenant.id}] has no shared cluster in zone ${tenant.residency}`);
  }
  return stage === "pool" ? { stage, sharedCluster: cluster } : { stage, sharedCluster: cluster, generation };
}

interface SiloFields {
  region?: string | undefined;
  instanceSize?: string | undefined;
  backupPolicy?: string | undefined;
  customerManagedKey?: boolean | undefined;
}

function silo(tenant: Tenant, fields: SiloFields, generation: number): Location {
  if (fields.region === undefined || fields.backupPolicy === undefined) {
    throw new PlacementError(tenant.id, `tenant [${tenant.id}] places in silo without a region and a backup policy`);
  }
  const strict = needsStrictSilo(tenant.compliance);
  return {
    stage: "silo",
    generation,
    region: fields.region,
    instanceSize: fields.instanceSize ?? DEFAULT_SILO_SIZE,
    backupPolicy: fields.backupPolicy,
    customerManagedKey: strict || fields.customerManagedKey === true,
    backupCompliancePolicy: strict,
    government: isGovZone(tenant.residency),
  };
}

function locate(registry: Registry, tenant: Tenant, stage: Stage, fields: SiloFields & { sharedCluster?: string | undefined }, generation: number): Location {
  return stage === "silo" ? silo(tenant, fields, generation) : shared(stage, registry, tenant, fields.sharedCluster, generation);
}

function reasonsFor(tenant: Tenant): string[] {
  const reasons = [`tier ${tenant.tier} → ${TIER_STAGE[tenant.tier]}`];
  const floor = complianceFloor(tenant.compliance);
  if (floor.because.length > 0) reasons.push(`${floor.because.join(", ")} needs ${floor.stage}`);
  if (tenant.stage !== undefined) reasons.push(`explicit stage ${tenant.stage}`);
  if (tenant.move !== undefined) reasons.push(`${tenant.move.cutOver === true ? "cut over" : "declared move"} to ${tenant.move.stage}`);
  return reasons;
}

function targetOf(registry: Registry, tenant: Tenant, move: MoveSpec): Location {
  // A silo → silo move keeps the tenant's key setting unless the move says otherwise.
  return locate(registry, tenant, move.stage, { ...move, customerManagedKey: move.customerManagedKey ?? tenant.customerManagedKey }, targetGeneration(tenant, move.stage));
}

/** Places one tenant of a valid registry. Throws PlacementError when a needed field is missing (validation reports it). */
export function placeTenant(registry: Registry, tenant: Tenant): Placement {
  const placement: Placement = {
    tenantId: tenant.id,
    name: tenant.name,
    residency: tenant.residency,
    compliance: tenant.compliance,
    status: tenant.status,
    current: locate(registry, tenant, currentStage(tenant), tenant, currentGeneration(tenant)),
    reasons: reasonsFor(tenant),
  };
  if (tenant.move === undefined) return placement;
  const target = targetOf(registry, tenant, tenant.move);
  if (tenant.move.cutOver === true) {
    // After the cut-over the target is the route; the source stays registered (protect lifted) until `move:` goes.
    placement.retired = placement.current;
    placement.current = target;
  } else {
    placement.target = target;
  }
  return placement;
}

/** One Placement per tenant, in registry order. Pure: the same registry always gives the same placements. */
export function placeTenants(registry: Registry): Placement[] {
  return registry.tenants.map((tenant) => placeTenant(registry, tenant));
}
