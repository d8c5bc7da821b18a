// The layout decided before any resource exists: projects, network ownership, limits, refusals; and the map assembly.
import { describe, expect, test } from "vitest";
import { assembleConnectionMap, srvHostOf, SrvHostError } from "../../packages/core/src/connection-map/build";
import { DEFAULT_SETTINGS, OFFLINE_SETTINGS, resolveSettings, SettingsError } from "../../packages/pulumi/src/program/config";
import { planLayout, ProgramLayoutError, routeKeys } from "../../packages/pulumi/src/program/layout";
import { ADVANCED_TIER_MAX, publishedIndex, publishedShards, STANDARD_TIER_MAX, tierFor } from "../../packages/contract/src/connection-map/publication";
import { parseRegistry } from "../../packages/core/src/registry/load";
import type { RegistryInput } from "../../packages/core/src/registry/schema";
import { BASE, input, withTenants } from "./fixtures";

const settings = OFFLINE_SETTINGS;

function bridges(n: number, zone: "eu" | "us" = "eu"): RegistryInput["tenants"] {
  return Array.from({ length: n }, (_, i) => ({ id: `b-${i}`, name: `B ${i}`, tier: "business" as const, residency: zone }));
}

describe("planLayout", () => {
  test("one project per zone, network owned by the first cluster of the project, tenants attributed to components", () => {
    const layout = planLayout(settings, input());
    expect(layout.sharedProjects.map((p) => [p.key, p.name, p.users, p.roles])).toEqual([
      ["eu", "app-test-eu", 2, 1],
      ["us", "app-test-us", 1, 0],
    ]);
    expect(layout.sharedClusters.map((c) => [c.componentName, c.accessList.length, c.privateLink?.region])).toEqual([
      ["shared-eu-1", 1, "EU_CENTRAL_1"],
      ["shared-us-1", 1, undefined],
    ]);
    expect(layout.bridges.map((b) => b.componentName)).toEqual(["bridge-bridge-b"]);
    expect(layout.silos.map((s) => [s.componentName, s.offboarding, s.privateLink?.region])).toEqual([
      ["silo-health-h", false, undefined],
      ["silo-euro-e", false, "EU_CENTRAL_1"],
      ["silo-gone-g", true, undefined],
    ]);
    expect([...layout.componentTenants]).toEqual([
      ["bridge-bridge-b", "bridge-b"],
      ["silo-health-h", "health-h"],
      ["silo-euro-e", "euro-e"],
      ["silo-gone-g", "gone-g"],
    ]);
    expect(layout.needsGov).toBe(false);
    expect(layout.warnings).toEqual([]);
    // The registry's first shared cluster, whatever zone the tenants live in.
    expect(layout.controlCluster).toBe("eu-1");
  });

  test("the control cluster follows registry order; no shared cluster, no control cluster", () => {
    const swapped = { ...BASE, sharedClusters: [...(BASE.sharedClusters ?? [])].reverse() };
    expect(planLayout(settings, input(swapped)).controlCluster).toBe("us-1");
    const silosOnly = withTenants(
      [{ id: "solo", name: "Solo", tier: "enterprise", residency: "eu", region: "EU_CENTRAL_1", backupPolicy: "silo" }],
      { sharedClusters: [] },
    );
    expect(planLayout(settings, input(silosOnly)).controlCluster).toBeUndefined();
  });

  test("a configured project replaces the zone's Project resource", () => {
    const layout = planLayout({ ...settings, sharedProjectIds: { eu: "0123456789abcdef01234567" } }, input());
    expect(layout.sharedProjects[0]).toMatchObject({ key: "eu", existingId: "0123456789abcdef01234567" });
    expect(layout.sharedProjects[0]?.resourceName).toBeUndefined();
  });

  test("above the default limits: warning and raised limits", () => {
    const layout = planLayout(settings, input(withTenants(bridges(150))));
    expect(layout.sharedProjects[0]?.limits).toEqual([
      { name: "atlas.project.security.databaseAccess.users", value: 200 },
      { name: "atlas.project.security.databaseAccess.customRoles", value: 200 },
    ]);
    expect(layout.warnings.map((w) => w.message)).toEqual([
      "shared project app-test-eu holds 151 database users, above Atlas's default of 100 per project: Tenantry raises atlas.project.security.databaseAccess.users to 200 (maximum 900)",
      "shared project app-test-eu holds 150 custom roles, above Atlas's default of 100 per project: Tenantry raises atlas.project.security.databaseAccess.customRoles to 200 (maximum 1400)",
    ]);
  });

  test("existing project above the default: warning to raise it by hand, no limits set", () => {
    const layout = planLayout({ ...settings, sharedProjectIds: { eu: "0123456789abcdef01234567" } }, input(withTenants(bridges(100))));
    expect(layout.warnings.map((w) => w.message)).toEqual([
      "shared project 0123456789abcdef01234567 holds 101 database users, above Atlas's default of 100 per project: the project is not managed by Tenantry, raise atlas.project.security.databaseAccess.users to at least 101 by hand before applying",
    ]);
  });

  test("above the Atlas maximum: refused before any resource", () => {
    expect(() => planLayout(settings, input(withTenants(bridges(900))))).toThrow(
      "shared project app-test-eu holds 901 database users, above Atlas's maximum of 900 per project (atlas.project.security.databaseAccess.users): move bridge tenants to silo or to a shared cluster in another project",
    );
  });

  test.each([
    [
      "open access list",
      { ...BASE, network: { accessList: [{ cidr: "0.0.0.0/0" }], privateLink: [] } },
      "network.accessList[0].cidr  access list entry 0.0.0.0/0 opens the project to the whole internet; list the application's egress CIDRs or use PrivateLink",
    ],
    [
      "copies out of the zone",
      { ...BASE, backupPolicies: { ...BASE.backupPolicies, shared: { daily: { keepDays: 7 }, copyTo: ["EU_WEST_1"] } } },
      "sharedClusters[1].backupPolicy  snapshot copies to EU_WEST_1 would leave residency zone us",
    ],
    [
      "compliance policy without contact",
      { ...BASE, contacts: {} },
      "contacts.backupCompliance  tenant [health-h] needs a Backup Compliance Policy, which needs contacts.backupCompliance",
    ],
  ])("%s", (_label, raw, message) => {
    const run = () => planLayout(settings, input(raw as RegistryInput));
    expect(run).toThrow(ProgramLayoutError);
    expect(run).toThrow(message);
  });

  test("a silo on Flex: warned (no schedule, no PrivateLink); with a customer-managed key: refused", () => {
    const flex = (extra: object) => withTenants([{ id: "f1", name: "F", tier: "enterprise", residency: "us", region: "US_EAST_1", instanceSize: "FLEX", backupPolicy: "silo", ...extra }]);
    expect(planLayout(settings, input(flex({}))).warnings.map((w) => w.message)).toEqual([
      "tenant [f1] silo on FLEX: no backup schedule (only Atlas's automatic snapshots) and no PrivateLink",
    ]);
    expect(() => planLayout(settings, input(flex({ customerManagedKey: true })))).toThrow(
      "tenant [f1] needs a dedicated size (M10 or larger) for its customer-managed key and compliance policy, registry says FLEX",
    );
  });

  test("a pool → silo move provisions the target silo", () => {
    const raw = withTenants([{ id: "m1", name: "M", tier: "free", residency: "us", move: { stage: "silo", region: "US_EAST_1", backupPolicy: "silo" } }]);
    expect(planLayout(settings, input(raw)).silos.map((s) => s.componentName)).toEqual(["silo-m1"]);
  });
});

describe("connection map assembly", () => {
  test.each([
    ["mongodb+srv://app-eu.abcde.mongodb.net", "app-eu.abcde.mongodb.net"],
    ["mongodb+srv://app-eu.abcde.mongodb.net/?retryWrites=true", "app-eu.abcde.mongodb.net"],
  ])("srvHostOf(%s)", (uri, host) => {
    expect(srvHostOf(uri)).toBe(host);
  });
  test.each(["mongodb+srv://user:pw@app.abcde.mongodb.net", "mongodb://app:27017", ""])("refuses %j", (uri) => {
    expect(() => srvHostOf(uri)).toThrow(SrvHostError);
  });

  test("a pool, a bridge (moving to silo) and their routes", () => {
    const { registry } = input();
    const map = assembleConnectionMap({
      ctx: { prefix: "app", environment: "test" },
      collections: registry.collections,
      clusters: [
        { key: "shared:eu-1", name: "eu-1", kind: "shared", standardSrv: "mongodb+srv://eu-1.x.mongodb.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "eu" },
        { key: "silo:b", name: "t-b", kind: "silo", standardSrv: "mongodb+srv://t-b.y.mongodb.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "eu" },
      ],
      credentials: [
        { key: "shared:eu-1", secretArn: "arn:1", region: "eu-central-1" },
        { key: "bridge:b", secretArn: "arn:2", region: "eu-central-1" },
        { key: "silo:b", secretArn: "arn:3", region: "eu-west-1" },
      ],
      placements: [
        { tenantId: "a", name: "A", residency: "eu", compliance: [], status: "active", current: { stage: "pool", sharedCluster: "eu-1" }, reasons: [] },
        {
          tenantId: "b", name: "B", residency: "eu", compliance: [], status: "frozen",
          current: { stage: "bridge", sharedCluster: "eu-1", generation: 1 },
          target: { stage: "silo", generation: 1, region: "EU_WEST_1", instanceSize: "M10", backupPolicy: "silo", customerManagedKey: false, backupCompliancePolicy: false, government: false },
          reasons: [],
        },
      ],
      keysOf: routeKeys,
      controlCluster: "eu-1",
    });
    expect(map.clusters["shared:eu-1"]?.srvHost).toBe("eu-1.x.mongodb.net");
    expect(map.control).toEqual({ cluster: "shared:eu-1", credential: "shared:eu-1", database: "tenantry", collection: "overrides" });
    expect(map.tenants.a).toEqual({
      stage: "pool", cluster: "shared:eu-1", credential: "shared:eu-1", database: "app",
      collections: { orders: "orders", profiles: "profiles" }, status: "active", residency: "eu",
      partition: { tenantField: "tenant_id", tenantValue: "a", userField: "user_id" },
    });
    expect(map.tenants.b).toEqual({
      stage: "bridge", cluster: "shared:eu-1", credential: "bridge:b", database: "app",
      collections: { orders: "t_b__orders", profiles: "t_b__profiles" }, status: "frozen", residency: "eu",
      partition: { tenantField: "tenant_id", tenantValue: "b", userField: "user_id" },
      target: { stage: "silo", cluster: "silo:b", credential: "silo:b", database: "app", collections: { orders: "orders", profiles: "profiles" } },
    });
    // One shard holds both tenants, with every cluster and credential either routes to (b's target too).
    const [shard] = publishedShards(map, 1);
    expect(Object.keys(shard?.clusters ?? {}).sort()).toEqual(["shared:eu-1", "silo:b"]);
    expect(Object.keys(shard?.credentials ?? {}).sort()).toEqual(["bridge:b", "shared:eu-1", "silo:b"]);
    expect(publishedIndex(map, 1)).toEqual({
      version: 1,
      environment: "test",
      collections: map.collections,
      control: map.control,
      clusters: { "shared:eu-1": map.clusters["shared:eu-1"] },
      credentials: { "shared:eu-1": map.credentials["shared:eu-1"] },
      publication: { format: 2, shards: 1, hash: "fnv1a32" },
    });
  });

  test("a control location naming an unknown cluster or credential is refused", () => {
    const { registry } = input();
    const build = (controlCluster: string) => () =>
      assembleConnectionMap({
        ctx: { prefix: "app", environment: "test" },
        collections: registry.collections,
        clusters: [],
        credentials: [],
        placements: [],
        keysOf: routeKeys,
        controlCluster,
      });
    let issues: { path: PropertyKey[]; message: string }[] = [];
    try {
      build("nowhere")();
    } catch (error) {
      issues = (error as { issues: typeof issues }).issues;
    }
    expect(issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["control.cluster", "unknown cluster shared:nowhere"],
      ["control.credential", "unknown credential shared:nowhere"],
    ]);
  });
});

describe("settings and SSM tiers", () => {
  test("defaults and validation", () => {
    expect(resolveSettings({ namingPrefix: "acme" })).toEqual({ ...DEFAULT_SETTINGS, namingPrefix: "acme" });
    expect(() => resolveSettings({ namingPrefix: "Way-Too-Long-Prefix", atlasOrgId: "x" })).toThrow(SettingsError);
    try {
      resolveSettings({ namingPrefix: "Way-Too-Long-Prefix", atlasOrgId: "x" });
    } catch (e) {
      expect((e as SettingsError).problems).toEqual([
        "atlasOrgId: must be a 24-character Atlas organization id",
        "namingPrefix: must be a lowercase slug",
        "namingPrefix: Too big: expected string to have <=12 characters",
      ]);
    }
  });
  test.each([
    [STANDARD_TIER_MAX, "Standard"],
    [STANDARD_TIER_MAX + 1, "Advanced"],
    [ADVANCED_TIER_MAX, "Advanced"],
    [ADVANCED_TIER_MAX + 1, undefined],
  ])("%i characters → %s", (n, tier) => {
    expect(tierFor("x".repeat(n))).toBe(tier);
  });
});

describe("project limits: one verdict", () => {
  // The registry used to advise "raise it through Project limits" while the program raised it to 200 itself.
  test("120 bridge tenants in one zone: validation is silent, the program raises both limits to 200 and says so once", () => {
    const loaded = parseRegistry(JSON.stringify(withTenants(bridges(120))), "r.json");
    expect(loaded.warnings.filter((w) => w.message.includes("per project"))).toEqual([]);
    const layout = planLayout(settings, loaded);
    expect(layout.sharedProjects[0]?.limits).toEqual([
      { name: "atlas.project.security.databaseAccess.users", value: 200 },
      { name: "atlas.project.security.databaseAccess.customRoles", value: 200 },
    ]);
    expect(layout.warnings.filter((w) => w.message.includes("per project")).map((w) => w.message)).toEqual([
      "shared project app-test-eu holds 121 database users, above Atlas's default of 100 per project: Tenantry raises atlas.project.security.databaseAccess.users to 200 (maximum 900)",
      "shared project app-test-eu holds 120 custom roles, above Atlas's default of 100 per project: Tenantry raises atlas.project.security.databaseAccess.customRoles to 200 (maximum 1400)",
    ]);
  });
});
