// Hand-written registries for program tests: parsed with the real schema and placed with the real placement (rules skipped).
import { placeTenants } from "../../packages/core/src/placement/place";
import { Registry, type RegistryInput } from "../../packages/core/src/registry/schema";
import type { ProgramInput } from "../../packages/pulumi/src/program/layout";

/** One of each: pool, bridge, HIPAA silo (CMK + compliance policy), EU silo with PrivateLink, an offboarding silo. */
export const BASE: RegistryInput = {
  version: 1,
  environment: "test",
  collections: [{ name: "orders" }, { name: "profiles", scope: "user" }],
  sharedClusters: [
    { name: "eu-1", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "shared-eu" },
    { name: "us-1", residency: "us", region: "US_EAST_1", instanceSize: "M10", backupPolicy: "shared" },
  ],
  backupPolicies: {
    shared: { daily: { keepDays: 7 }, weekly: { keepWeeks: 4 } },
    "shared-eu": { hourly: { everyHours: 6, keepDays: 2 }, daily: { keepDays: 7 }, pointInTimeDays: 1, copyTo: ["EU_WEST_1"] },
    hipaa: {
      hourly: { everyHours: 1, keepDays: 7 },
      daily: { keepDays: 35 },
      weekly: { keepWeeks: 8 },
      monthly: { keepMonths: 12 },
      yearly: { keepYears: 6 },
      pointInTimeDays: 7,
    },
    silo: { daily: { keepDays: 14 }, monthly: { keepMonths: 3 } },
  },
  contacts: {
    backupCompliance: { email: "dpo@example.com", firstName: "Dana", lastName: "Officer" },
    alertsEmail: "oncall@example.com",
  },
  network: {
    accessList: [{ cidr: "203.0.113.0/24", comment: "app egress" }],
    privateLink: [{ region: "EU_CENTRAL_1", vpcId: "vpc-0a1b2c", subnetIds: ["subnet-01", "subnet-02"], securityGroupIds: ["sg-0f"] }],
  },
  tenants: [
    { id: "pool-a", name: "Pool A", tier: "free", residency: "eu" },
    { id: "bridge-b", name: "Bridge B", tier: "business", residency: "eu" },
    { id: "health-h", name: "Health H", tier: "enterprise", residency: "us", compliance: ["HIPAA"], region: "US_EAST_2", instanceSize: "M30", backupPolicy: "hipaa" },
    { id: "euro-e", name: "Euro E", tier: "enterprise", residency: "eu", region: "EU_CENTRAL_1", backupPolicy: "silo" },
    { id: "gone-g", name: "Gone G", tier: "enterprise", residency: "us", region: "US_WEST_2", backupPolicy: "silo", status: "offboarding" },
  ],
};

/** Parses a registry and places its tenants, as `loadRegistryFile` would (without the cross-field rules). */
export function input(raw: RegistryInput = BASE): ProgramInput {
  const registry = Registry.parse(raw);
  return { registry, placements: placeTenants(registry), warnings: [] };
}

/** A copy of BASE with its tenants replaced. */
export function withTenants(tenants: RegistryInput["tenants"], extra: Partial<RegistryInput> = {}): RegistryInput {
  return { ...BASE, ...extra, tenants };
}
