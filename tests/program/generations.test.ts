// Moves within a stage (bridge → bridge, silo → silo): generation-qualified names, and the program provisioning both sides.
// A mock proves what the program sends; that Atlas and AWS accept the suffixed names needs `pulumi preview`.
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import { beforeAll, describe, expect, test } from "vitest";
import {
  bridgeRoleName,
  componentName,
  credentialKey,
  generationSuffix,
  MAX_GENERATION,
  siloClusterKey,
  siloProjectName,
  tenantKeyAlias,
  tenantKeyRoleName,
  tenantStageSecretName,
  tenantUserName,
} from "../../packages/contract/src/naming";
import { runOfflineDetailed, type DetailedRun } from "../../packages/pulumi/src/plan/engine";
import { OFFLINE_SETTINGS } from "../../packages/pulumi/src/program/config";
import { planLayout } from "../../packages/pulumi/src/program/layout";
import { TENANT_ID_MAX } from "../../packages/core/src/registry/schema";
import { BASE, input, withTenants } from "./fixtures";

const ctx = { prefix: "app", environment: "prod" };

describe("generation-qualified names", () => {
  // Generation 1 (and no generation at all) must give exactly the names deployed before generations existed.
  test.each([
    ["siloProjectName", (g?: number) => siloProjectName(ctx, "acme", g), "app-prod-t-acme", "app-prod-t-acme-g2"],
    ["tenantUserName", (g?: number) => tenantUserName(ctx, "acme", g), "app-prod-t-acme", "app-prod-t-acme-g2"],
    ["bridgeRoleName", (g?: number) => bridgeRoleName("acme", g), "t-acme-rw", "t-acme-g2-rw"],
    ["tenantStageSecretName bridge", (g?: number) => tenantStageSecretName(ctx, "bridge", "acme", g), "tenantry/app/prod/tenants/acme/bridge", "tenantry/app/prod/tenants/acme/bridge-g2"],
    ["tenantStageSecretName silo", (g?: number) => tenantStageSecretName(ctx, "silo", "acme", g), "tenantry/app/prod/tenants/acme/silo", "tenantry/app/prod/tenants/acme/silo-g2"],
    ["tenantKeyAlias", (g?: number) => tenantKeyAlias(ctx, "acme", g), "alias/tenantry-app-prod-acme", "alias/tenantry-app-prod-acme-g2"],
    ["tenantKeyRoleName", (g?: number) => tenantKeyRoleName(ctx, "acme", g), "tenantry-app-prod-acme-kms", "tenantry-app-prod-acme-g2-kms"],
    ["siloClusterKey", (g?: number) => siloClusterKey("acme", g), "silo:acme", "silo:acme#g2"],
    ["credentialKey.bridge", (g?: number) => credentialKey.bridge("acme", g), "bridge:acme", "bridge:acme#g2"],
    ["credentialKey.silo", (g?: number) => credentialKey.silo("acme", g), "silo:acme", "silo:acme#g2"],
    ["componentName.bridge", (g?: number) => componentName.bridge("acme", g), "bridge-acme", "bridge-acme-g2"],
    ["componentName.silo", (g?: number) => componentName.silo("acme", g), "silo-acme", "silo-acme-g2"],
  ])("%s: generation 1 unchanged, generation 2 suffixed", (_label, name, first, second) => {
    expect(name()).toBe(first);
    expect(name(1)).toBe(first);
    expect(name(2)).toBe(second);
  });

  test("suffixes: none for generation 1, -g<n> after, at most 4 characters", () => {
    expect([generationSuffix(), generationSuffix(1), generationSuffix(2), generationSuffix(MAX_GENERATION)]).toEqual(["", "", "-g2", "-g99"]);
  });

  test("at the longest prefix, environment, id and generation, the Atlas project name fits 64 characters; Atlas role names keep their alphabet", () => {
    const longest = { prefix: "p".repeat(12), environment: "e".repeat(12) };
    const id = "a".repeat(TENANT_ID_MAX);
    expect(siloProjectName(longest, id, MAX_GENERATION)).toHaveLength(64);
    expect(bridgeRoleName(id, MAX_GENERATION)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

/** BASE plus a second EU shared cluster in the same zone (same project): bridge-b moves to it, euro-e moves to EU_WEST_1. */
const MOVES = withTenants(
  [
    { id: "pool-a", name: "Pool A", tier: "free", residency: "eu", move: { stage: "pool", sharedCluster: "eu-2" } },
    { id: "bridge-b", name: "Bridge B", tier: "business", residency: "eu", move: { stage: "bridge", sharedCluster: "eu-2" } },
    { id: "euro-e", name: "Euro E", tier: "enterprise", residency: "eu", region: "EU_CENTRAL_1", backupPolicy: "silo", customerManagedKey: true, move: { stage: "silo", region: "EU_WEST_1", backupPolicy: "silo" } },
    { id: "again-a", name: "Again A", tier: "enterprise", residency: "us", region: "US_EAST_2", backupPolicy: "silo", generation: 2 },
  ],
  { sharedClusters: [...BASE.sharedClusters!, { name: "eu-2", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "shared-eu" }] },
);

describe("layout of moves within a stage", () => {
  test("both sides get components, the target under the next generation's names; the project counts both users and roles", () => {
    const layout = planLayout(OFFLINE_SETTINGS, input(MOVES));
    expect(layout.bridges.map((b) => [b.componentName, b.sharedCluster, b.generation])).toEqual([
      ["bridge-bridge-b", "eu-1", 1],
      ["bridge-bridge-b-g2", "eu-2", 2],
    ]);
    expect(layout.silos.map((s) => [s.componentName, s.location.region, s.location.generation])).toEqual([
      ["silo-euro-e", "EU_CENTRAL_1", 1],
      ["silo-euro-e-g2", "EU_WEST_1", 2],
      ["silo-again-a-g2", "US_EAST_2", 2],
    ]);
    expect(layout.sharedProjects.find((p) => p.key === "eu")).toMatchObject({ users: 4, roles: 2 });
  });
});

describe("program under mocks: a bridge → bridge and a silo → silo move", () => {
  let detailed: DetailedRun;
  beforeAll(async () => {
    detailed = await runOfflineDetailed(input(MOVES));
  });
  const typeOf = (cls: unknown): string => (cls as { __pulumiType: string }).__pulumiType;
  const named = (type: unknown, name: string) => detailed.run.resources.find((r) => r.type === typeOf(type) && r.name === name);

  test("no duplicate `type::name`; both components of each moving tenant are registered", () => {
    const keys = detailed.run.resources.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const [type, name] of [
      ["tenantry:program:BridgeTenant", "bridge-bridge-b"],
      ["tenantry:program:BridgeTenant", "bridge-bridge-b-g2"],
      ["tenantry:program:SiloTenant", "silo-euro-e"],
      ["tenantry:program:SiloTenant", "silo-euro-e-g2"],
    ]) {
      expect(detailed.run.resources.some((r) => r.type === type && r.name === name && r.tenant === name.replace(/^(bridge|silo)-/, "").replace(/-g2$/, ""))).toBe(true);
    }
  });

  test("physical names differ between the generations (roles and users share a project, keys and IAM roles an account)", () => {
    expect([named(mongodbatlas.CustomDbRole, "bridge-bridge-b-role")?.inputs.roleName, named(mongodbatlas.CustomDbRole, "bridge-bridge-b-g2-role")?.inputs.roleName]).toEqual(["t-bridge-b-rw", "t-bridge-b-g2-rw"]);
    const users = detailed.run.resources.filter((r) => r.type === typeOf(mongodbatlas.DatabaseUser)).map((r) => r.inputs.username);
    expect(new Set(users).size).toBe(users.length);
    expect(users).toEqual(expect.arrayContaining(["app-test-t-bridge-b", "app-test-t-bridge-b-g2", "app-test-t-euro-e", "app-test-t-euro-e-g2", "app-test-t-again-a-g2"]));
    const physical = (type: unknown) => detailed.run.resources.filter((r) => r.type === typeOf(type)).map((r) => r.inputs.name);
    for (const type of [mongodbatlas.Project, aws.kms.Alias, aws.iam.Role, aws.secretsmanager.Secret]) {
      const names = physical(type);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(physical(mongodbatlas.Project)).toEqual(expect.arrayContaining(["app-test-t-euro-e", "app-test-t-euro-e-g2", "app-test-t-again-a-g2"]));
    expect(physical(aws.kms.Alias)).toEqual(["alias/tenantry-app-test-euro-e", "alias/tenantry-app-test-euro-e-g2"]);
    expect(physical(aws.iam.Role)).toEqual(["tenantry-app-test-euro-e-kms", "tenantry-app-test-euro-e-g2-kms"]);
    expect(physical(aws.secretsmanager.Secret)).toEqual(
      expect.arrayContaining(["tenantry/app/test/tenants/bridge-b/bridge", "tenantry/app/test/tenants/bridge-b/bridge-g2", "tenantry/app/test/tenants/euro-e/silo", "tenantry/app/test/tenants/euro-e/silo-g2"]),
    );
    expect(named(mongodbatlas.AdvancedCluster, "silo-euro-e-g2-cluster")?.inputs.replicationSpecs).toEqual([{ regionConfigs: [expect.objectContaining({ regionName: "EU_WEST_1" })] }]);
  });

  test("the target's data-bearing resources are protected and retained", () => {
    const data = new Set([mongodbatlas.Project, mongodbatlas.AdvancedCluster, mongodbatlas.EncryptionAtRest, aws.kms.Key, aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion].map(typeOf));
    const target = detailed.run.resources.filter((r) => data.has(r.type) && /^(bridge-bridge-b|silo-euro-e)-g2-/.test(r.name));
    expect(new Set(target.map((r) => r.type))).toEqual(data);
    for (const r of target) expect({ name: r.name, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ name: r.name, protect: true, retainOnDelete: true });
  });

  test("the map's target routes use the target generation's keys, and every key resolves", () => {
    const map = detailed.run.connectionMap;
    expect(map.tenants["bridge-b"]).toMatchObject({ stage: "bridge", cluster: "shared:eu-1", credential: "bridge:bridge-b", target: { stage: "bridge", cluster: "shared:eu-2", credential: "bridge:bridge-b#g2" } });
    expect(map.tenants["euro-e"]).toMatchObject({ stage: "silo", cluster: "silo:euro-e", credential: "silo:euro-e", target: { stage: "silo", cluster: "silo:euro-e#g2", credential: "silo:euro-e#g2" } });
    expect(map.tenants["pool-a"]).toMatchObject({ cluster: "shared:eu-1", credential: "shared:eu-1", target: { cluster: "shared:eu-2", credential: "shared:eu-2" } });
    expect(map.tenants["again-a"]).toMatchObject({ cluster: "silo:again-a#g2", credential: "silo:again-a#g2" });
    expect(map.clusters["silo:euro-e#g2"]).toMatchObject({ kind: "silo", region: "EU_WEST_1" });
    for (const entry of Object.values(map.tenants)) {
      for (const route of [entry, entry.target].filter((r) => r !== undefined)) {
        expect([route.cluster, map.clusters[route.cluster] !== undefined, route.credential, map.credentials[route.credential] !== undefined]).toEqual([route.cluster, true, route.credential, true]);
      }
    }
    // Bridge collections are named by tenant, not generation: the target cluster is another cluster, so they do not collide.
    expect(map.tenants["bridge-b"]?.target?.collections).toEqual(map.tenants["bridge-b"]?.collections);
  });
});
