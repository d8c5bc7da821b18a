// Registry backup policy → CloudBackupSchedule / BackupCompliancePolicy arguments: pure mapping, no Outputs.
import type { BackupPolicy } from "@tenantry/core/registry/schema";

/** One retention item as Atlas wants it (https://www.mongodb.com/docs/atlas/backup/cloud-backup/configure-backup-policy/). */
export interface PolicyItem {
  frequencyInterval: number;
  retentionUnit: "days" | "weeks" | "months" | "years";
  retentionValue: number;
}

/** The snapshot-copy part of a schedule; `Z` is the zone id type (a string in tests, an Output in the program). */
export interface CopySetting<Z> {
  cloudProvider: "AWS";
  regionName: string;
  zoneId: Z;
  shouldCopyOplogs: boolean;
  copyPolicyItems: { frequencyType: string; retentionUnit: string; retentionValue: number }[];
}

export interface ScheduleArgs<Z> {
  policyItemHourly?: PolicyItem;
  policyItemDaily?: PolicyItem;
  policyItemWeeklies: PolicyItem[];
  policyItemMonthlies: PolicyItem[];
  policyItemYearlies: PolicyItem[];
  restoreWindowDays?: number;
  /** Copies stay in the residency zone: the registry checks `copyTo` against it, compose asserts it again. */
  copySettings: CopySetting<Z>[];
  /** `copyPolicyItems` needs this switch; Atlas never lets it go back to false (https://www.mongodb.com/docs/atlas/backup/cloud-backup/configure-backup-policy/). */
  copyPolicyItemsEnabled?: boolean;
}

// Atlas intervals: weekly 1–7 with 1 = Monday, monthly 40 = last day of the month, yearly = month number.
/** Weekly snapshots on Saturday, as in Atlas's default policy. */
export const WEEKLY_DAY = 6;
/** Monthly snapshots on the last day of the month (Atlas's magic value 40). */
export const MONTHLY_LAST_DAY = 40;
/** Yearly snapshots on 1 December, as in Atlas's default policy. */
export const YEARLY_MONTH = 12;

/** The policy items of a schedule (shared by CloudBackupSchedule and BackupCompliancePolicy). */
export function policyItems(policy: BackupPolicy): Omit<ScheduleArgs<never>, "copySettings" | "copyPolicyItemsEnabled"> {
  return {
    ...(policy.hourly && {
      policyItemHourly: { frequencyInterval: policy.hourly.everyHours, retentionUnit: "days", retentionValue: policy.hourly.keepDays },
    }),
    ...(policy.daily && { policyItemDaily: { frequencyInterval: 1, retentionUnit: "days", retentionValue: policy.daily.keepDays } }),
    policyItemWeeklies: policy.weekly
      ? [{ frequencyInterval: WEEKLY_DAY, retentionUnit: "weeks", retentionValue: policy.weekly.keepWeeks }]
      : [],
    policyItemMonthlies: policy.monthly
      ? [{ frequencyInterval: MONTHLY_LAST_DAY, retentionUnit: "months", retentionValue: policy.monthly.keepMonths }]
      : [],
    policyItemYearlies: policy.yearly
      ? [{ frequencyInterval: YEARLY_MONTH, retentionUnit: "years", retentionValue: policy.yearly.keepYears }]
      : [],
    ...(policy.pointInTimeDays !== undefined && { restoreWindowDays: policy.pointInTimeDays }),
  };
}

/** Copy policy items mirror the source items, so a copy is kept exactly as long as the snapshot it copies. */
function copyItems(policy: BackupPolicy): CopySetting<never>["copyPolicyItems"] {
  const items = policyItems(policy);
  const out: CopySetting<never>["copyPolicyItems"] = [];
  if (items.policyItemHourly) out.push({ frequencyType: "hourly", retentionUnit: "days", retentionValue: items.policyItemHourly.retentionValue });
  if (items.policyItemDaily) out.push({ frequencyType: "daily", retentionUnit: "days", retentionValue: items.policyItemDaily.retentionValue });
  for (const [type, list] of [["weekly", items.policyItemWeeklies], ["monthly", items.policyItemMonthlies], ["yearly", items.policyItemYearlies]] as const) {
    for (const item of list) out.push({ frequencyType: type, retentionUnit: item.retentionUnit, retentionValue: item.retentionValue });
  }
  return out;
}

/** Full CloudBackupSchedule arguments (minus projectId / clusterName) for a policy on a cluster whose zone id is `zoneId`. */
export function backupScheduleArgs<Z>(policy: BackupPolicy, zoneId: Z): ScheduleArgs<Z> {
  const copyTo = policy.copyTo ?? [];
  const pit = policy.pointInTimeDays !== undefined;
  return {
    ...policyItems(policy),
    copySettings: copyTo.map((regionName) => ({
      cloudProvider: "AWS" as const,
      regionName,
      zoneId,
      shouldCopyOplogs: pit,
      copyPolicyItems: copyItems(policy),
    })),
    ...(copyTo.length > 0 && { copyPolicyItemsEnabled: true }),
  };
}

/** True when the policy asks for continuous backup (point-in-time restore). */
export function wantsPointInTime(policy: BackupPolicy): boolean {
  return policy.pointInTimeDays !== undefined;
}
