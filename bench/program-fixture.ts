// Synthetic registries for the program benchmark: N pool, M bridge and K silo tenants spread over four zones.
import { placeTenants } from "../packages/core/src/placement/place";
import type { ProgramInput } from "../packages/pulumi/src/program/layout";
import { Registry, type RegistryInput } from "../packages/core/src/registry/schema";

const ZONES = [
  { zone: "us", regions: ["US_EAST_1", "US_EAST_2", "US_WEST_2"] },
  { zone: "eu", regions: ["EU_CENTRAL_1", "EU_WEST_1", "EU_WEST_3"] },
  { zone: "uk", regions: ["EU_WEST_2"] },
  { zone: "au", regions: ["AP_SOUTHEAST_2"] },
] as const;

/** A valid registry with `pool` + `bridge` + `silo` tenants (every 10th silo HIPAA, every 3rd with a CMK). */
export function syntheticInput(pool: number, bridge: number, silo: number): ProgramInput {
  const tenants: RegistryInput["tenants"] = [];
  const zoneOf = (i: number) => ZONES[i % ZONES.length]!;
  for (let i = 0; i < pool; i++) tenants.push({ id: `pool-${i}`, name: `Pool ${i}`, tier: "free", residency: zoneOf(i).zone });
  for (let i = 0; i < bridge; i++) tenants.push({ id: `bridge-${i}`, name: `Bridge ${i}`, tier: "business", residency: zoneOf(i).zone });
  for (let i = 0; i < silo; i++) {
    const z = zoneOf(i);
    const hipaa = i % 10 === 0;
    tenants.push({
      id: `silo-${i}`,
      name: `Silo ${i}`,
      tier: "enterprise",
      residency: z.zone,
      region: z.regions[i % z.regions.length]!,
      instanceSize: "M30",
      backupPolicy: hipaa ? "hipaa" : "silo",
      ...(hipaa && { compliance: ["HIPAA" as const] }),
      ...(i % 3 === 0 && { customerManagedKey: true }),
    });
  }
  const raw: RegistryInput = {
    version: 1,
    environment: "bench",
    collections: ["orders", "profiles", "invoices", "events"].map((name) => ({ name })),
    // Two shared clusters per zone keep bridge users per project under the Atlas maximum at full scale.
    sharedClusters: ZONES.flatMap(({ zone, regions }) =>
      [1, 2].map((n) => ({ name: `${zone}-${n}`, residency: zone, region: regions[0], instanceSize: "M40", backupPolicy: "shared" })),
    ),
    backupPolicies: {
      shared: { hourly: { everyHours: 6, keepDays: 2 }, daily: { keepDays: 7 }, weekly: { keepWeeks: 4 }, pointInTimeDays: 1 },
      silo: { daily: { keepDays: 14 }, weekly: { keepWeeks: 8 }, monthly: { keepMonths: 12 } },
      hipaa: { hourly: { everyHours: 1, keepDays: 7 }, daily: { keepDays: 35 }, monthly: { keepMonths: 12 }, yearly: { keepYears: 6 }, pointInTimeDays: 7 },
    },
    contacts: { backupCompliance: { email: "dpo@example.com", firstName: "D", lastName: "O" }, alertsEmail: "oncall@example.com" },
    network: { accessList: [{ cidr: "203.0.113.0/24" }], privateLink: [] },
    tenants,
  };
  const registry = Registry.parse(raw);
  return { registry, placements: placeTenants(registry), warnings: [] };
}
