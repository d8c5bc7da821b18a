// Rules on where each tenant lives: compliance floor, residency, silo / shared fields, references, declared moves.
import {
  complianceFloor,
  currentStage,
  DEFAULT_SILO_SIZE,
  isBelow,
  needsStrictSilo,
  sharedClusterFor,
  STAGE_RANK,
  TIER_STAGE,
} from "../stage-policy";
import type { PathSegment } from "../positions";
import { isDedicatedSize, type Registry, type Stage, type Tenant } from "../schema";
import { type ResidencyZone, zoneOf } from "../zones";
import { regionsOf } from "./context";
import { error, type RuleProblem, warning } from "./types";

const SILO_ONLY = ["region", "instanceSize", "backupPolicy", "customerManagedKey"] as const;

/** Fields of a location (the tenant itself, or its `move`) and the words that name it in messages. */
interface LocationFields {
  at: PathSegment[];
  /** "tenant [acme]" or "the move of tenant [acme]" */
  who: string;
  /** "tenant" or "target": silo-only fields "apply only to silo tenants" / "silo targets". */
  kind: "tenants" | "targets";
  /** "places in" (a tenant) or "targets" (a move). */
  verb: "places in" | "targets";
  stage: Stage;
  sharedCluster?: string | undefined;
  region?: string | undefined;
  instanceSize?: string | undefined;
  backupPolicy?: string | undefined;
  customerManagedKey?: boolean | undefined;
}

function policyNames(registry: Registry): string {
  const names = Object.keys(registry.backupPolicies);
  return names.length === 0 ? "none are declared" : `declared: ${names.join(", ")}`;
}

function sharedNamesIn(registry: Registry, zone: ResidencyZone): string[] {
  return registry.sharedClusters.filter((c) => c.residency === zone).map((c) => c.name);
}

/** Checks one location's fields against its stage; returns true when the location is fully resolvable. */
function locationRules(registry: Registry, tenant: Tenant, loc: LocationFields, problems: RuleProblem[]): boolean {
  const before = problems.length;
  const id = tenant.id;
  const zone = tenant.residency;
  if (loc.stage === "silo") {
    if (loc.sharedCluster !== undefined) {
      problems.push(error([...loc.at, "sharedCluster"], `\`sharedCluster\` applies only to pool and bridge ${loc.kind}; ${loc.who} ${loc.verb} silo`, id, true));
    }
    if (loc.region === undefined) {
      problems.push(error(loc.at, `${loc.who} ${loc.verb} silo and needs \`region\`: ${regionsOf(zone)} (zone ${zone})`, id));
    } else if (zoneOf(loc.region) !== zone) {
      problems.push(error([...loc.at, "region"], `${loc.who} resides in ${zone} but region ${loc.region} lies in ${zoneOf(loc.region) ?? "no known zone"}; use ${regionsOf(zone)}`, id));
    }
    if (loc.backupPolicy === undefined) {
      problems.push(error(loc.at, `${loc.who} ${loc.verb} silo and needs \`backupPolicy\` (${policyNames(registry)})`, id));
    } else if (!Object.hasOwn(registry.backupPolicies, loc.backupPolicy)) {
      problems.push(error([...loc.at, "backupPolicy"], `${loc.who} names backup policy [${loc.backupPolicy}], which is not in backupPolicies (${policyNames(registry)})`, id));
    }
    const size = loc.instanceSize ?? DEFAULT_SILO_SIZE;
    if (!isDedicatedSize(size)) {
      problems.push(
        error([...loc.at, "instanceSize"], `${loc.who} ${loc.verb} silo on ${size}, which has no backup schedule, point-in-time restore or customer-managed key; use a dedicated size (M10 or larger)`, id),
      );
    }
    if (needsStrictSilo(tenant.compliance) && loc.customerManagedKey === false) {
      const flags = tenant.compliance.filter((f) => f === "HIPAA" || f === "FedRAMP").join(", ");
      problems.push(error([...loc.at, "customerManagedKey"], `${loc.who} has ${flags}, which forces a customer-managed key; remove \`customerManagedKey: false\``, id));
    }
    return problems.length === before;
  }
  for (const field of SILO_ONLY) {
    if (loc[field] !== undefined) {
      problems.push(error([...loc.at, field], `\`${field}\` applies only to silo ${loc.kind}; ${loc.who} ${loc.verb} ${loc.stage}`, id, true));
    }
  }
  const inZone = sharedNamesIn(registry, zone);
  if (loc.sharedCluster !== undefined) {
    const cluster = registry.sharedClusters.find((c) => c.name === loc.sharedCluster);
    const options = inZone.length > 0 ? `zone ${zone} has ${inZone.join(", ")}` : `zone ${zone} has none; declare one in sharedClusters`;
    if (cluster === undefined) {
      problems.push(error([...loc.at, "sharedCluster"], `${loc.who} names shared cluster [${loc.sharedCluster}], which is not in sharedClusters (${options})`, id));
    } else if (cluster.residency !== zone) {
      problems.push(error([...loc.at, "sharedCluster"], `${loc.who} resides in ${zone} but shared cluster [${cluster.name}] is in ${cluster.residency} (${options})`, id));
    }
  } else if (inZone.length === 0) {
    problems.push(error([...loc.at.slice(0, 2), "residency"], `${loc.who} ${loc.verb} ${loc.stage} and needs a shared cluster in zone ${zone}; declare one in sharedClusters`, id));
  }
  return problems.length === before;
}

function sameLocation(registry: Registry, tenant: Tenant, stage: Stage): boolean {
  const move = tenant.move;
  if (move === undefined || move.stage !== stage) return false;
  if (stage === "silo") return move.region === tenant.region;
  return sharedClusterFor(registry, tenant.residency, move.sharedCluster) === sharedClusterFor(registry, tenant.residency, tenant.sharedCluster);
}

function describeLocation(registry: Registry, tenant: Tenant, stage: Stage): string {
  return stage === "silo" ? `silo in ${tenant.region ?? "?"}` : `${stage} on ${sharedClusterFor(registry, tenant.residency, tenant.sharedCluster) ?? "?"}`;
}

function tenantRules(registry: Registry, tenant: Tenant, i: number): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const id = tenant.id;
  const stage = currentStage(tenant);
  const floor = complianceFloor(tenant.compliance);
  const move = tenant.move;

  // Generations name dedicated resources (src/naming.ts); a pool tenant has none, so the field says nothing there.
  if (tenant.generation !== undefined && stage === "pool") {
    problems.push(warning(["tenants", i, "generation"], `tenant [${id}] is in pool, which has no dedicated resources: generation ${tenant.generation} has no effect; remove it`, id));
  }

  // Compliance floor: an explicit stage below it is an error, never a silent upgrade — unless a move to a stage at or
  // above the floor is declared, then the tenant is mid-migration and it is a warning.
  if (tenant.stage !== undefined && isBelow(tenant.stage, floor.stage)) {
    const because = floor.because.join(", ");
    if (move !== undefined && !isBelow(move.stage, floor.stage)) {
      problems.push(warning(["tenants", i, "stage"], `tenant [${id}] needs stage ${floor.stage} for ${because}, registry says ${tenant.stage}; allowed while its declared move to ${move.stage} is under way`, id));
    } else {
      problems.push(error(["tenants", i, "stage"], `tenant [${id}] needs stage ${floor.stage} for ${because}, registry says ${tenant.stage}`, id));
    }
  }
  // An explicit stage may sit below the tier default (the tier is commercial); say so, unless a move resolves it.
  const tierStage = TIER_STAGE[tenant.tier];
  if (tenant.stage !== undefined && isBelow(tenant.stage, tierStage) && !(move !== undefined && !isBelow(move.stage, tierStage))) {
    problems.push(warning(["tenants", i, "stage"], `tenant [${id}] pins stage ${tenant.stage}, below the default ${tierStage} of tier ${tenant.tier}`, id));
  }
  if (tenant.compliance.includes("FedRAMP") && tenant.residency !== "us-gov") {
    problems.push(error(["tenants", i, "residency"], `tenant [${id}] has FedRAMP and must reside in us-gov (Atlas for Government), registry says ${tenant.residency}`, id));
  }
  const currentOk = locationRules(registry, tenant, { at: ["tenants", i], who: `tenant [${id}]`, kind: "tenants", verb: "places in", stage, ...pick(tenant) }, problems);

  if (move !== undefined && tenant.status === "offboarding") {
    problems.push(error(["tenants", i, "move"], `tenant [${id}] is offboarding; remove its move (a tenant that is leaving is not moved)`, id));
  }
  if (move !== undefined) {
    const at: PathSegment[] = ["tenants", i, "move"];
    if (STAGE_RANK[move.stage] < STAGE_RANK[stage]) {
      problems.push(error([...at, "stage"], `tenant [${id}] cannot move down from ${stage} to ${move.stage}; moves go up a stage, or to another shared cluster or region at the same stage`, id));
    } else {
      const targetOk = locationRules(registry, tenant, { at, who: `the move of tenant [${id}]`, kind: "targets", verb: "targets", stage: move.stage, ...pick(move) }, problems);
      if (currentOk && targetOk && move.stage === stage && sameLocation(registry, tenant, stage)) {
        problems.push(error(at, `the move of tenant [${id}] targets its current location (${describeLocation(registry, tenant, stage)}); name another shared cluster or region, or a higher stage`, id));
      }
      // After the cut-over the target is the route (placement swaps them); the source stays provisioned, protect lifted.
      if (move.cutOver === true && targetOk) {
        const to = move.stage === "silo" ? `silo in ${move.region ?? "?"}` : `${move.stage} on ${sharedClusterFor(registry, tenant.residency, move.sharedCluster) ?? "?"}`;
        problems.push(warning([...at, "cutOver"], `tenant [${id}] cut over to ${to}: its former ${stage} resources stay registered without protect until \`move:\` is removed`, id));
      }
    }
  }
  // HIPAA / FedRAMP silos get a Backup Compliance Policy, which needs an authorized contact (https://www.mongodb.com/docs/atlas/backup/cloud-backup/backup-compliance-policy/).
  const siloSomewhere = stage === "silo" || move?.stage === "silo";
  if (needsStrictSilo(tenant.compliance) && siloSomewhere && registry.contacts.backupCompliance === undefined) {
    const flags = tenant.compliance.filter((f) => f === "HIPAA" || f === "FedRAMP").join(", ");
    problems.push(
      error(["tenants", i, "compliance"], `tenant [${id}] has ${flags}, so its silo gets a Backup Compliance Policy, which needs contacts.backupCompliance (email, firstName, lastName)`, id),
    );
  }
  return problems;
}

function pick(fields: { sharedCluster?: string | undefined; region?: string | undefined; instanceSize?: string | undefined; backupPolicy?: string | undefined; customerManagedKey?: boolean | undefined }) {
  return {
    sharedCluster: fields.sharedCluster,
    region: fields.region,
    instanceSize: fields.instanceSize,
    backupPolicy: fields.backupPolicy,
    customerManagedKey: fields.customerManagedKey,
  };
}

/** Shared clusters: region inside their zone, backup policy declared. */
function sharedClusterRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  registry.sharedClusters.forEach((c, i) => {
    if (zoneOf(c.region) !== c.residency) {
      problems.push(error(["sharedClusters", i, "region"], `shared cluster [${c.name}] resides in ${c.residency} but region ${c.region} lies in ${zoneOf(c.region) ?? "no known zone"}; use ${regionsOf(c.residency)}`));
    }
    if (!Object.hasOwn(registry.backupPolicies, c.backupPolicy)) {
      problems.push(error(["sharedClusters", i, "backupPolicy"], `shared cluster [${c.name}] names backup policy [${c.backupPolicy}], which is not in backupPolicies (${policyNames(registry)})`));
    }
  });
  return problems;
}

export function stageRules(registry: Registry): RuleProblem[] {
  return [...sharedClusterRules(registry), ...registry.tenants.flatMap((t, i) => tenantRules(registry, t, i))];
}

