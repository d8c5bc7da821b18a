// Placement: the stage table, locations per stage, and properties over generated valid registries.
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { complianceFloor, currentStage, isBelow, placeTenants, STAGE_RANK, TIER_STAGE } from "../../packages/core/src/placement/place";
import { parseRegistry } from "../../packages/core/src/registry/load";
import { RegistryInvalidError } from "../../packages/core/src/registry/problems";
import { COMPLIANCE_FLAGS, type ComplianceFlag, Registry, type RegistryInput, type Stage, STAGES, type Tier, TIERS } from "../../packages/core/src/registry/schema";
import { type AtlasRegion, ZONE_REGIONS, type ResidencyZone } from "../../packages/core/src/registry/zones";

describe("stage of a tenant", () => {
  test.each<[Tier, ComplianceFlag[], Stage | undefined, Stage]>([
    ["free", [], undefined, "pool"],
    ["business", [], undefined, "bridge"],
    ["enterprise", [], undefined, "silo"],
    ["free", ["GDPR"], undefined, "pool"],
    ["free", ["SOC2"], undefined, "bridge"],
    ["free", ["ISO27001", "GDPR"], undefined, "bridge"],
    ["free", ["HIPAA"], undefined, "silo"],
    ["business", ["FedRAMP"], undefined, "silo"],
    ["free", [], "bridge", "bridge"],
    ["free", ["SOC2"], "silo", "silo"],
    // An explicit stage is honoured as written; below the floor it is a validation error, not an upgrade.
    ["free", ["HIPAA"], "pool", "pool"],
    ["enterprise", [], "bridge", "bridge"],
  ])("tier %s, compliance %j, stage %s → %s", (tier, compliance, stage, expected) => {
    expect(currentStage({ tier, compliance, stage })).toBe(expected);
  });

  test.each<[ComplianceFlag[], Stage, ComplianceFlag[]]>([
    [[], "pool", []],
    [["GDPR"], "pool", []],
    [["SOC2", "GDPR"], "bridge", ["SOC2"]],
    [["SOC2", "HIPAA"], "silo", ["HIPAA"]],
    [["FedRAMP", "HIPAA"], "silo", ["FedRAMP", "HIPAA"]],
  ])("compliance floor of %j is %s because of %j", (flags, stage, because) => {
    expect(complianceFloor(flags)).toEqual({ stage, because });
  });
});

describe("locations", () => {
  const registry = Registry.parse({
    version: 1,
    environment: "test",
    collections: [{ name: "orders" }],
    sharedClusters: [
      { name: "us-1", residency: "us", region: "US_EAST_1", instanceSize: "M30", backupPolicy: "std" },
      { name: "us-2", residency: "us", region: "US_WEST_2", instanceSize: "M30", backupPolicy: "std" },
      { name: "gov-1", residency: "us-gov", region: "US_GOV_WEST_1", instanceSize: "M30", backupPolicy: "std" },
    ],
    backupPolicies: { std: { daily: { keepDays: 35 } } },
    tenants: [
      { id: "ta", name: "A", tier: "free", residency: "us" },
      { id: "tb", name: "B", tier: "business", residency: "us", sharedCluster: "us-2" },
      { id: "tc", name: "C", tier: "enterprise", residency: "us", region: "US_EAST_2", backupPolicy: "std", customerManagedKey: true },
      { id: "td", name: "D", tier: "enterprise", residency: "us-gov", region: "US_GOV_WEST_1", backupPolicy: "std", compliance: ["FedRAMP"] },
      { id: "te", name: "E", tier: "free", residency: "us", move: { stage: "bridge", sharedCluster: "us-2" } },
      { id: "tf", name: "F", tier: "business", residency: "us", status: "frozen", move: { stage: "silo", region: "US_WEST_1", instanceSize: "M30", backupPolicy: "std" } },
      { id: "tg", name: "G", tier: "business", residency: "us", move: { stage: "bridge", sharedCluster: "us-2" } },
      { id: "th", name: "H", tier: "enterprise", residency: "us", region: "US_EAST_2", backupPolicy: "std", generation: 2, move: { stage: "silo", region: "US_WEST_1", backupPolicy: "std" } },
      { id: "ti", name: "I", tier: "business", residency: "us", generation: 3, move: { stage: "silo", region: "US_WEST_1", backupPolicy: "std" } },
    ],
  });
  const placements = placeTenants(registry);
  test.each([
    ["ta", { stage: "pool", sharedCluster: "us-1" }, undefined],
    ["tb", { stage: "bridge", sharedCluster: "us-2", generation: 1 }, undefined],
    [
      "tc",
      { stage: "silo", generation: 1, region: "US_EAST_2", instanceSize: "M10", backupPolicy: "std", customerManagedKey: true, backupCompliancePolicy: false, government: false },
      undefined,
    ],
    [
      "td",
      { stage: "silo", generation: 1, region: "US_GOV_WEST_1", instanceSize: "M10", backupPolicy: "std", customerManagedKey: true, backupCompliancePolicy: true, government: true },
      undefined,
    ],
    ["te", { stage: "pool", sharedCluster: "us-1" }, { stage: "bridge", sharedCluster: "us-2", generation: 1 }],
    [
      "tf",
      { stage: "bridge", sharedCluster: "us-1", generation: 1 },
      { stage: "silo", generation: 1, region: "US_WEST_1", instanceSize: "M30", backupPolicy: "std", customerManagedKey: false, backupCompliancePolicy: false, government: false },
    ],
    // Moves within a stage: the target takes the next generation's names; a move up a stage keeps the generation.
    ["tg", { stage: "bridge", sharedCluster: "us-1", generation: 1 }, { stage: "bridge", sharedCluster: "us-2", generation: 2 }],
    [
      "th",
      { stage: "silo", generation: 2, region: "US_EAST_2", instanceSize: "M10", backupPolicy: "std", customerManagedKey: false, backupCompliancePolicy: false, government: false },
      { stage: "silo", generation: 3, region: "US_WEST_1", instanceSize: "M10", backupPolicy: "std", customerManagedKey: false, backupCompliancePolicy: false, government: false },
    ],
    [
      "ti",
      { stage: "bridge", sharedCluster: "us-1", generation: 3 },
      { stage: "silo", generation: 3, region: "US_WEST_1", instanceSize: "M10", backupPolicy: "std", customerManagedKey: false, backupCompliancePolicy: false, government: false },
    ],
  ])("tenant %s", (id, current, target) => {
    const p = placements.find((x) => x.tenantId === id);
    expect(p?.current).toEqual(current);
    expect(p?.target).toEqual(target);
  });
  test("placements keep registry order, status and reasons", () => {
    expect(placements.map((p) => p.tenantId)).toEqual(["ta", "tb", "tc", "td", "te", "tf", "tg", "th", "ti"]);
    expect(placements.find((p) => p.tenantId === "tf")?.status).toBe("frozen");
    expect(placements.find((p) => p.tenantId === "td")?.reasons).toEqual(["tier enterprise → silo", "FedRAMP needs silo"]);
  });
});

describe("cut-over moves (move.cutOver)", () => {
  const registry = Registry.parse({
    version: 1,
    environment: "test",
    collections: [{ name: "orders" }],
    sharedClusters: [
      { name: "us-1", residency: "us", region: "US_EAST_1", instanceSize: "M30", backupPolicy: "std" },
      { name: "us-2", residency: "us", region: "US_WEST_2", instanceSize: "M30", backupPolicy: "std" },
    ],
    backupPolicies: { std: { daily: { keepDays: 35 } } },
    tenants: [
      { id: "pb", name: "PB", tier: "free", residency: "us", move: { stage: "bridge", sharedCluster: "us-2", cutOver: true } },
      { id: "bs", name: "BS", tier: "business", residency: "us", move: { stage: "silo", region: "US_WEST_1", instanceSize: "M30", backupPolicy: "std", cutOver: true } },
      { id: "ss", name: "SS", tier: "enterprise", residency: "us", region: "US_EAST_2", backupPolicy: "std", generation: 2, move: { stage: "silo", region: "US_WEST_1", backupPolicy: "std", cutOver: true } },
      { id: "bb", name: "BB", tier: "business", residency: "us", move: { stage: "bridge", sharedCluster: "us-2", cutOver: false } },
    ],
  });
  const placements = placeTenants(registry);
  const siloAt = (region: string, generation: number, instanceSize = "M10") => ({
    stage: "silo",
    generation,
    region,
    instanceSize,
    backupPolicy: "std",
    customerManagedKey: false,
    backupCompliancePolicy: false,
    government: false,
  });
  // The target (with its generation, as before the cut-over) becomes current; the former current is retired unchanged.
  test.each([
    ["pb", { stage: "bridge", sharedCluster: "us-2", generation: 1 }, undefined, { stage: "pool", sharedCluster: "us-1" }],
    ["bs", siloAt("US_WEST_1", 1, "M30"), undefined, { stage: "bridge", sharedCluster: "us-1", generation: 1 }],
    ["ss", siloAt("US_WEST_1", 3), undefined, siloAt("US_EAST_2", 2)],
    ["bb", { stage: "bridge", sharedCluster: "us-1", generation: 1 }, { stage: "bridge", sharedCluster: "us-2", generation: 2 }, undefined],
  ])("tenant %s", (id, current, target, retired) => {
    const p = placements.find((x) => x.tenantId === id);
    expect(p?.current).toEqual(current);
    expect(p?.target).toEqual(target);
    expect(p?.retired).toEqual(retired);
  });
  test("a cut-over says so in the reasons", () => {
    expect(placements.find((p) => p.tenantId === "pb")?.reasons).toEqual(["tier free → pool", "cut over to bridge"]);
  });
});

// ---- properties over generated valid registries ------------------------------------------------------------------

const ZONES = Object.keys(ZONE_REGIONS) as ResidencyZone[];

/** A policy meeting every regime's minimum retention (src/registry/compliance.ts), so any flags validate. */
const STRICT_POLICY = { hourly: { everyHours: 6, keepDays: 7 }, daily: { keepDays: 35 }, weekly: { keepWeeks: 13 }, yearly: { keepYears: 6 }, pointInTimeDays: 7 };

const tenantSpec = fc.record({
  tier: fc.constantFrom(...TIERS),
  compliance: fc.subarray([...COMPLIANCE_FLAGS]),
  zone: fc.constantFrom(...ZONES),
  regionPick: fc.nat(),
  stagePick: fc.option(fc.nat(), { nil: undefined }),
  cmk: fc.option(fc.boolean(), { nil: undefined }),
  clusterPick: fc.option(fc.nat(), { nil: undefined }),
});

/** Builds a valid registry: every zone gets 1–2 shared clusters; explicit stages never go below the floor. */
const validRegistry = fc.record({ tenants: fc.array(tenantSpec, { maxLength: 25 }), secondCluster: fc.boolean() }).map(({ tenants, secondCluster }) => {
  const sharedClusters = ZONES.flatMap((zone) => {
    const regions: readonly string[] = ZONE_REGIONS[zone];
    const clusters: NonNullable<RegistryInput["sharedClusters"]> = [{ name: `${zone}-1`, residency: zone, region: regions[0] as AtlasRegion, instanceSize: "M30", backupPolicy: "strict" }];
    if (secondCluster) clusters.push({ name: `${zone}-2`, residency: zone, region: (regions.at(-1) ?? regions[0]) as AtlasRegion, instanceSize: "M40", backupPolicy: "strict" });
    return clusters;
  });
  const input: RegistryInput = {
    version: 1,
    environment: "prop",
    collections: [{ name: "orders", indexes: [{ keys: { createdAt: -1 } }] }, { name: "profiles", scope: "user" }],
    sharedClusters,
    backupPolicies: { strict: STRICT_POLICY },
    contacts: { backupCompliance: { email: "dpo@example.com", firstName: "Dana", lastName: "Okafor" } },
    tenants: tenants.map((t, i) => {
      const zone: ResidencyZone = t.compliance.includes("FedRAMP") ? "us-gov" : t.zone;
      const floor = complianceFloor(t.compliance).stage;
      const allowed = STAGES.filter((s) => !isBelow(s, floor));
      const stage = t.stagePick === undefined ? undefined : allowed[t.stagePick % allowed.length];
      const effective = stage ?? currentStage({ tier: t.tier, compliance: t.compliance });
      const regions = ZONE_REGIONS[zone];
      const base = { id: `t${i}`, name: `Tenant ${i}`, tier: t.tier, residency: zone, compliance: t.compliance, ...(stage ? { stage } : {}) };
      if (effective === "silo") {
        const strict = t.compliance.includes("HIPAA") || t.compliance.includes("FedRAMP");
        const cmk = strict && t.cmk === false ? undefined : t.cmk;
        return { ...base, region: regions[t.regionPick % regions.length], backupPolicy: "strict", ...(cmk === undefined ? {} : { customerManagedKey: cmk }) };
      }
      const cluster = t.clusterPick === undefined ? {} : { sharedCluster: `${zone}-${secondCluster ? (t.clusterPick % 2) + 1 : 1}` };
      return { ...base, ...cluster };
    }),
  };
  return input;
});

describe("properties", () => {
  test("any valid registry places every tenant exactly once, in order, never below its compliance floor", () => {
    fc.assert(
      fc.property(validRegistry, (input) => {
        const loaded = parseRegistry(stringify(input), "gen.yaml");
        const ids = loaded.registry.tenants.map((t) => t.id);
        expect(loaded.placements.map((p) => p.tenantId)).toEqual(ids);
        for (const [i, p] of loaded.placements.entries()) {
          const tenant = loaded.registry.tenants[i]!;
          const floor = complianceFloor(tenant.compliance).stage;
          expect(STAGE_RANK[p.current.stage]).toBeGreaterThanOrEqual(STAGE_RANK[floor]);
          expect(p.current.stage).toBe(tenant.stage ?? (STAGE_RANK[TIER_STAGE[tenant.tier]] >= STAGE_RANK[floor] ? TIER_STAGE[tenant.tier] : floor));
          if (p.current.stage === "silo") {
            const strict = tenant.compliance.includes("HIPAA") || tenant.compliance.includes("FedRAMP");
            expect(p.current.customerManagedKey).toBe(strict || tenant.customerManagedKey === true);
            expect(p.current.backupCompliancePolicy).toBe(strict);
            expect(p.current.government).toBe(tenant.residency === "us-gov");
          } else {
            const name = p.current.sharedCluster;
            const cluster = loaded.registry.sharedClusters.find((c) => c.name === name);
            expect(cluster?.residency).toBe(tenant.residency);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("placement is pure: the same registry gives the same placements", () => {
    fc.assert(
      fc.property(validRegistry, (input) => {
        const registry = Registry.parse(input);
        expect(placeTenants(registry)).toEqual(placeTenants(structuredClone(registry)));
      }),
      { numRuns: 50 },
    );
  });

  test("any document at all either loads or fails with RegistryInvalidError (never another error)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), validRegistry.map((r) => ({ ...r, tenants: [...(r.tenants ?? []), { id: "x", tier: "gold" }] }))), (value) => {
        try {
          parseRegistry(JSON.stringify(value) ?? "null", "any.json");
        } catch (error) {
          expect(error).toBeInstanceOf(RegistryInvalidError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
