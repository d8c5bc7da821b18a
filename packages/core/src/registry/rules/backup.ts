// Rules on backup policies: Atlas's own schedule rules, copies inside the zone, dedicated tiers, compliance retention.
import { describeRequirement, retentionGaps, unitOf } from "../compliance";
import type { PathSegment } from "../positions";
import { type BackupPolicy, isDedicatedSize, type Registry } from "../schema";
import { type ResidencyZone, zoneOf } from "../zones";
import { isNvme, occupancies } from "./context";
import { error, type RuleProblem, warning } from "./types";

/** Hourly snapshot intervals Atlas accepts (https://www.mongodb.com/docs/atlas/backup/cloud-backup/configure-backup-policy/); 12 is the only one for NVMe clusters. */
export const HOURLY_INTERVALS: readonly number[] = [1, 2, 4, 6, 8, 12];

/**
 * Retention of each item, to compare items of different units as Atlas does
 * (https://www.mongodb.com/docs/atlas/backup/cloud-backup/snapshot-schedule/ — a monthly snapshot is kept at least
 * 31 days, 5 weeks or 1 month, a yearly one at least 1 year): week = 7 days, month = 31 days against day and week
 * items; months and years compare in months, 12 months = 1 year (Atlas's own default policy keeps monthly 12 months and
 * yearly 1 year; 84 months and 7 years are equal, not shorter).
 */
type Item = { item: string; field: string; days: number; months?: number; shown: string };

/** True when `a` keeps less than `b`: in months when both are month-based, else in days. */
function keepsLess(a: Item, b: Item): boolean {
  return a.months !== undefined && b.months !== undefined ? a.months < b.months : a.days < b.days;
}

function itemsInDays(policy: BackupPolicy): Item[] {
  const items: Item[] = [];
  if (policy.hourly) items.push({ item: "hourly", field: "keepDays", days: policy.hourly.keepDays, shown: `${policy.hourly.keepDays} days` });
  if (policy.daily) items.push({ item: "daily", field: "keepDays", days: policy.daily.keepDays, shown: `${policy.daily.keepDays} days` });
  if (policy.weekly) items.push({ item: "weekly", field: "keepWeeks", days: policy.weekly.keepWeeks * 7, shown: `${policy.weekly.keepWeeks} weeks` });
  if (policy.monthly) items.push({ item: "monthly", field: "keepMonths", days: policy.monthly.keepMonths * 31, months: policy.monthly.keepMonths, shown: `${policy.monthly.keepMonths} months` });
  if (policy.yearly) items.push({ item: "yearly", field: "keepYears", days: policy.yearly.keepYears * 372, months: policy.yearly.keepYears * 12, shown: `${policy.yearly.keepYears} years` });
  return items;
}

/** Who uses a policy: shared clusters and silo tenants (current or move target), with their zone and size. */
interface PolicyUser {
  label: string;
  zone: ResidencyZone;
  size: string;
  at: PathSegment[];
}

function policyUsers(registry: Registry): Map<string, PolicyUser[]> {
  const users = new Map<string, PolicyUser[]>();
  const add = (policy: string, user: PolicyUser) => users.set(policy, [...(users.get(policy) ?? []), user]);
  registry.sharedClusters.forEach((c, i) =>
    add(c.backupPolicy, { label: `shared cluster [${c.name}]`, zone: c.residency, size: c.instanceSize, at: ["sharedClusters", i, "instanceSize"] }),
  );
  for (const o of occupancies(registry)) {
    if (o.stage !== "silo" || o.backupPolicy === undefined) continue;
    const at: PathSegment[] = o.role === "current" ? ["tenants", o.index, "backupPolicy"] : ["tenants", o.index, "move", "backupPolicy"];
    add(o.backupPolicy, { label: `the silo of tenant [${o.tenant.id}]`, zone: o.tenant.residency, size: o.instanceSize ?? "M10", at });
  }
  return users;
}

function policyRules(name: string, policy: BackupPolicy, users: readonly PolicyUser[]): RuleProblem[] {
  const at = (...rest: PathSegment[]): PathSegment[] => ["backupPolicies", name, ...rest];
  const who = `backup policy [${name}]`;
  const problems: RuleProblem[] = [];
  const hourly = policy.hourly;
  if (hourly !== undefined) {
    if (!HOURLY_INTERVALS.includes(hourly.everyHours)) {
      problems.push(error(at("hourly", "everyHours"), `${who}: hourly.everyHours must be 1, 2, 4, 6, 8 or 12, got ${hourly.everyHours}`));
    } else {
      for (const user of users) {
        if (hourly.everyHours === 12 && !isNvme(user.size)) {
          problems.push(error(at("hourly", "everyHours"), `${who}: every 12 hours is the NVMe interval, but ${user.label} is ${user.size}; use 1, 2, 4, 6 or 8`));
          break;
        }
        if (hourly.everyHours !== 12 && isNvme(user.size)) {
          problems.push(error(at("hourly", "everyHours"), `${who}: ${user.label} is ${user.size}, and NVMe clusters take hourly snapshots every 12 hours only, policy says ${hourly.everyHours}`));
          break;
        }
      }
    }
  }
  // A less frequent item must keep at least as long as every more frequent one (https://www.mongodb.com/docs/atlas/backup/cloud-backup/configure-backup-policy/).
  const items = itemsInDays(policy);
  items.forEach((item, k) => {
    const longer = items.slice(0, k).reduce<Item | undefined>((a, b) => (a === undefined || keepsLess(a, b) ? b : a), undefined);
    if (longer !== undefined && keepsLess(item, longer)) {
      const unit = item.months !== undefined && longer.months !== undefined ? `${item.months} months` : `${item.days} days`;
      problems.push(
        error(at(item.item, item.field), `${who}: ${item.item} keeps ${item.shown} (${unit}), less than ${longer.item}'s ${longer.shown}; a less frequent item must keep at least as long as a more frequent one`),
      );
    }
  });
  if (policy.pointInTimeDays !== undefined) {
    if (hourly === undefined) {
      problems.push(error(at("pointInTimeDays"), `${who}: pointInTimeDays needs an hourly item; the restore window lies within hourly retention`));
    } else if (policy.pointInTimeDays > hourly.keepDays) {
      problems.push(error(at("pointInTimeDays"), `${who}: pointInTimeDays ${policy.pointInTimeDays} exceeds hourly.keepDays ${hourly.keepDays}; the restore window must lie within hourly retention`));
    }
  }
  (policy.copyTo ?? []).forEach((region, k) => {
    const outside = users.find((u) => zoneOf(region) !== u.zone);
    if (outside !== undefined) {
      problems.push(
        error(at("copyTo", k), `${who}: copy region ${region} lies in ${zoneOf(region) ?? "no known zone"}, outside zone ${outside.zone} of ${outside.label}; backup copies must stay inside the zone`),
      );
    }
  });
  // M0 and Flex have no cloud backup schedule: Flex takes automatic daily snapshots only (https://www.mongodb.com/docs/atlas/flex-limitations/).
  const features = [
    policy.hourly && "hourly",
    policy.weekly && "weekly",
    policy.monthly && "monthly",
    policy.yearly && "yearly",
    policy.pointInTimeDays !== undefined && "pointInTimeDays",
    (policy.copyTo?.length ?? 0) > 0 && "copyTo",
  ].filter((f): f is string => typeof f === "string");
  for (const user of users) {
    if (!isDedicatedSize(user.size) && features.length > 0) {
      problems.push(
        error(user.at, `${user.label} is ${user.size}, which has no cloud backup schedule, point-in-time restore or snapshot copies, but ${who} sets ${features.join(", ")}; use M10 or larger, or a policy with only \`daily\``),
      );
    }
  }
  return problems;
}

/**
 * Each tenant's effective policy (its silo policy, or its shared cluster's) meets every compliance regime's minimum.
 * A declared move's target must meet them; the current location only warns while a move is declared (the tenant is
 * leaving it for a compliant one).
 */
function retentionRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const o of occupancies(registry)) {
    const { tenant, index: i } = o;
    let policyName: string | undefined;
    let at: PathSegment[];
    const base: PathSegment[] = o.role === "current" ? ["tenants", i] : ["tenants", i, "move"];
    if (o.stage === "silo") {
      policyName = o.backupPolicy;
      at = [...base, "backupPolicy"];
    } else {
      policyName = registry.sharedClusters.find((c) => c.name === o.sharedCluster)?.backupPolicy;
      at = o.role === "current" ? ["tenants", i, "compliance"] : base;
    }
    const policy = policyName === undefined || !Object.hasOwn(registry.backupPolicies, policyName) ? undefined : registry.backupPolicies[policyName];
    if (policy === undefined) continue; // a missing or unknown policy is reported by the stage rules
    const leaving = o.role === "current" && tenant.move !== undefined;
    for (const gap of retentionGaps(policy, tenant.compliance)) {
      const has = gap.actual === undefined ? `has no ${gap.requirement.item} item` : `keeps ${gap.actual} ${unitOf(gap.requirement.item)}`;
      const via = o.role === "target" ? " (its move target's policy)" : o.stage === "silo" ? "" : " (the policy of its shared cluster)";
      const message = `tenant [${tenant.id}] has ${gap.flag}, which needs ${describeRequirement(gap.requirement)} (${gap.requirement.source}); backup policy [${policyName}]${via} ${has}`;
      problems.push(leaving ? warning(at, `${message}; allowed while its declared move is under way`, tenant.id) : error(at, message, tenant.id));
    }
  }
  return problems;
}

export function backupRules(registry: Registry): RuleProblem[] {
  const users = policyUsers(registry);
  return [
    ...Object.entries(registry.backupPolicies).flatMap(([name, policy]) => policyRules(name, policy, users.get(name) ?? [])),
    ...retentionRules(registry),
  ];
}
