// Rules on the silo's own operations: maintenance window, auditing, auto-scaling, customer DBA user, alert routing.
import { currentStage, DEFAULT_SILO_SIZE, needsStrictSilo } from "../stage-policy";
import type { Registry, Tenant } from "../schema";
import { occupancies } from "./context";
import { error, type RuleProblem } from "./types";

/** Why each capability exists only in a silo: its Atlas object belongs to a project or cluster, never to one tenant's collections. */
export const SILO_ONLY_REASONS = {
  maintenanceWindow: "the maintenance window belongs to an Atlas project, and a bridge or pool tenant shares its shared cluster's project (and window)",
  auditing: "database auditing is configured per Atlas project, and a bridge or pool tenant shares its shared cluster's project",
  autoScaling: "a bridge or pool tenant shares its shared cluster's size",
  customerDba: "dbAdmin and readWrite are granted per database, and a shared cluster's database holds every tenant's collections: the user would reach other tenants' data",
  alerts: "Atlas alerts watch clusters, and a bridge or pool tenant shares its shared cluster with other tenants",
} as const;

type SiloField = keyof typeof SILO_ONLY_REASONS;

/** `M30` → { family: "M", rank: 30 }; `M40_NVME` → { family: "M_NVME", rank: 40 }. */
function sizeParts(size: string): { family: string; rank: number } {
  const match = /^([A-Z])(\d+)(.*)$/.exec(size);
  return match ? { family: `${match[1] ?? ""}${match[3] ?? ""}`, rank: Number(match[2]) } : { family: size, rank: 0 };
}

function present(t: Tenant, field: SiloField): boolean {
  return field === "customerDba" ? t.customerDba === true : t[field] !== undefined;
}

export function siloOpsRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const silos = new Map<number, string[]>();
  for (const o of occupancies(registry)) {
    if (o.stage === "silo") (silos.get(o.index) ?? silos.set(o.index, []).get(o.index))?.push(o.instanceSize ?? DEFAULT_SILO_SIZE);
  }
  registry.tenants.forEach((t, i) => {
    const sizes = silos.get(i);
    const stage = currentStage(t);
    if (sizes === undefined) {
      for (const field of Object.keys(SILO_ONLY_REASONS) as SiloField[]) {
        if (present(t, field)) {
          problems.push(error(["tenants", i, field], `\`${field}\` applies only to silo tenants; tenant [${t.id}] is ${stage}: ${SILO_ONLY_REASONS[field]}`, t.id, true));
        }
      }
      return;
    }
    if (t.auditing?.enabled === false && needsStrictSilo(t.compliance)) {
      const flags = t.compliance.filter((f) => f === "HIPAA" || f === "FedRAMP").join(", ");
      problems.push(error(["tenants", i, "auditing", "enabled"], `tenant [${t.id}] has ${flags}, which needs database auditing; remove \`enabled: false\``, t.id));
    }
    const scaling = t.autoScaling;
    if (scaling !== undefined) {
      const at = ["tenants", i, "autoScaling"];
      const min = sizeParts(scaling.minInstanceSize);
      const max = sizeParts(scaling.maxInstanceSize);
      for (const size of new Set(sizes)) {
        const own = sizeParts(size);
        if (own.family.endsWith("_NVME") || size === "FLEX" || size === "M0") {
          // Tier auto-scaling covers the General and Low-CPU classes, not NVMe (https://www.mongodb.com/docs/atlas/cluster-autoscaling-compute-core/).
          problems.push(error(at, `tenant [${t.id}] runs on ${size}, which Atlas does not auto-scale; remove autoScaling or use a general size such as M30`, t.id, true));
        } else if (min.family !== own.family || max.family !== own.family) {
          problems.push(error(at, `tenant [${t.id}]: auto-scaling bounds ${scaling.minInstanceSize}..${scaling.maxInstanceSize} must be of the same class as its size ${size}`, t.id, true));
        } else if (!(min.rank <= own.rank && own.rank <= max.rank)) {
          problems.push(error(at, `tenant [${t.id}] runs on ${size}, outside its auto-scaling bounds ${scaling.minInstanceSize}..${scaling.maxInstanceSize}; widen the bounds or change instanceSize`, t.id, true));
        }
      }
      if (min.family === max.family && min.rank >= max.rank) {
        problems.push(error([...at, "maxInstanceSize"], `tenant [${t.id}]: maxInstanceSize ${scaling.maxInstanceSize} must be larger than minInstanceSize ${scaling.minInstanceSize}`, t.id));
      }
    }
  });
  return problems;
}
