// Minimum backup retention per compliance regime: Tenantry's policy defaults, each with the source it is derived from.
import type { BackupPolicy, ComplianceFlag } from "./schema";

/** A backup policy item a regime needs, with its minimum retention in the item's own unit. */
export interface RetentionRequirement {
  item: "daily" | "weekly" | "monthly" | "yearly";
  /** Minimum retention, in the unit of the item's keep field (days, weeks, months, years). */
  min: number;
  /** Where the number comes from (what a reviewer checks). */
  source: string;
}

/**
 * Tenantry's DEFAULT minimum retention per regime. None of these regimes prescribes snapshot retention for a
 * database directly; the values are conservative defaults a platform team can defend in an audit, and the sources say
 * what each is derived from. Change them here (one table) if your auditors agree on other numbers.
 */
export const COMPLIANCE_RETENTION: Readonly<Record<ComplianceFlag, readonly RetentionRequirement[]>> = {
  // 45 CFR 164.316(b)(2)(i): required documentation is retained 6 years; 164.308(a)(7)(ii)(A) requires a data
  // backup plan. Tenantry keeps a yearly snapshot for the same 6 years, plus a month of dailies for recovery.
  HIPAA: [
    { item: "daily", min: 30, source: "45 CFR 164.308(a)(7)(ii)(A) (Tenantry default: 30 days)" },
    { item: "yearly", min: 6, source: "45 CFR 164.316(b)(2)" },
  ],
  // NIST SP 800-53 CP-9 (FedRAMP Moderate parameter: daily incremental and weekly full backups); retention is
  // organization-defined, Tenantry's default is 30 daily days and 13 weekly weeks (one quarter).
  FedRAMP: [
    { item: "daily", min: 30, source: "NIST SP 800-53 CP-9, FedRAMP Moderate (Tenantry default: 30 days)" },
    { item: "weekly", min: 13, source: "NIST SP 800-53 CP-9, FedRAMP Moderate (Tenantry default: 13 weeks)" },
  ],
  // SOC 2 (TSC A1.2, CC7.5) and ISO/IEC 27001:2022 Annex A 8.13 require backups per a documented policy without
  // numbers; 30 days of dailies is the common auditor expectation and Tenantry's default.
  SOC2: [{ item: "daily", min: 30, source: "AICPA TSC A1.2 (Tenantry default: 30 days)" }],
  ISO27001: [{ item: "daily", min: 30, source: "ISO/IEC 27001:2022 A.8.13 (Tenantry default: 30 days)" }],
  // GDPR sets no minimum; storage limitation (Art. 5(1)(e)) argues against long retention. Residency is what matters.
  GDPR: [],
};

const UNIT = { daily: "days", weekly: "weeks", monthly: "months", yearly: "years" } as const;

/** How long a policy keeps an item, in the item's own unit, or undefined when the policy has no such item. */
export function keptFor(policy: BackupPolicy, item: RetentionRequirement["item"]): number | undefined {
  switch (item) {
    case "daily":
      return policy.daily?.keepDays;
    case "weekly":
      return policy.weekly?.keepWeeks;
    case "monthly":
      return policy.monthly?.keepMonths;
    case "yearly":
      return policy.yearly?.keepYears;
  }
}

/** One unmet requirement, phrased: `needs yearly snapshots kept ≥ 6 years (45 CFR 164.316(b)(2)); backup policy [std] keeps 1`. */
export interface RetentionGap {
  flag: ComplianceFlag;
  requirement: RetentionRequirement;
  /** What the policy keeps, undefined when it lacks the item. */
  actual: number | undefined;
}

/** Requirements of `flags` the policy does not meet. */
export function retentionGaps(policy: BackupPolicy, flags: readonly ComplianceFlag[]): RetentionGap[] {
  return flags.flatMap((flag) =>
    COMPLIANCE_RETENTION[flag]
      .map((requirement) => ({ flag, requirement, actual: keptFor(policy, requirement.item) }))
      .filter((gap) => gap.actual === undefined || gap.actual < gap.requirement.min),
  );
}

/** `yearly snapshots kept ≥ 6 years` */
export function describeRequirement(r: RetentionRequirement): string {
  return `${r.item} snapshots kept ≥ ${r.min} ${UNIT[r.item]}`;
}

export function unitOf(item: RetentionRequirement["item"]): string {
  return UNIT[item];
}
