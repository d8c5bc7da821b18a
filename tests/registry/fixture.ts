// Builds small registry texts for rule tests: a fixed header plus the sections a case overrides.

export interface Sections {
  /** @default "test" */
  environment?: string;
  collections?: string;
  sharedClusters?: string;
  backupPolicies?: string;
  extra?: string;
  tenants?: string;
}

export const COLLECTIONS = `collections:
  - name: orders
    indexes:
      - keys: { createdAt: -1 }
  - name: profiles
    scope: user
`;

export const SHARED_CLUSTERS = `sharedClusters:
  - name: us-1
    residency: us
    region: US_EAST_1
    instanceSize: M30
    backupPolicy: std
  - name: eu-1
    residency: eu
    region: EU_CENTRAL_1
    instanceSize: M30
    backupPolicy: std
`;

export const BACKUP_POLICIES = `backupPolicies:
  std:
    daily: { keepDays: 30 }
    weekly: { keepWeeks: 8 }
  hipaa:
    hourly: { everyHours: 6, keepDays: 7 }
    daily: { keepDays: 35 }
    yearly: { keepYears: 6 }
    pointInTimeDays: 7
`;

export const CONTACTS = `contacts:
  backupCompliance: { email: sec@example.com, firstName: Ada, lastName: Lovelace }
`;

/** A registry text: header, collections, shared clusters, policies, extra top-level sections, tenants. */
export function registryText(s: Sections = {}): string {
  return [
    `version: 1\nenvironment: ${s.environment ?? "test"}\n`,
    s.collections ?? COLLECTIONS,
    s.sharedClusters ?? SHARED_CLUSTERS,
    s.backupPolicies ?? BACKUP_POLICIES,
    s.extra ?? "",
    s.tenants === undefined ? "tenants: []\n" : `tenants:\n${s.tenants}`,
  ].join("");
}

/** A tenant entry (list item) from `key: value` lines. */
export function tenant(...lines: string[]): string {
  return lines.map((l, i) => `${i === 0 ? "  - " : "    "}${l}\n`).join("");
}
