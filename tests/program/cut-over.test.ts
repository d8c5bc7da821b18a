// The two registry steps after a move's cut-over: (a) `move.cutOver: true` keeps the source registered with protect
// lifted, (b) removing `move:` drops it from state only. A mock proves what the program sends, not what Pulumi does with
// the state (that a protect-free, retained resource leaves state without a cloud delete is Pulumi's documented behaviour).
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import { beforeAll, describe, expect, test } from "vitest";
import { destructiveChanges, diffMaps } from "../../packages/core/src/connection-map/diff";
import { runOfflineDetailed, type DetailedRun } from "../../packages/pulumi/src/plan/engine";
import type { RegistryInput } from "../../packages/core/src/registry/schema";
import { BASE, input, withTenants } from "./fixtures";

type TenantInput = NonNullable<RegistryInput["tenants"]>[number];
const extra: Partial<RegistryInput> = {
  sharedClusters: [...BASE.sharedClusters!, { name: "eu-2", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "shared-eu" }],
};

/** Each tenant before the cut-over (move declared), and after step (b) (the registry names the target). */
const TENANTS: { before: TenantInput; after: TenantInput }[] = [
  {
    before: { id: "pool-p", name: "Pool P", tier: "free", residency: "eu", move: { stage: "bridge", sharedCluster: "eu-2" } },
    after: { id: "pool-p", name: "Pool P", tier: "free", residency: "eu", stage: "bridge", sharedCluster: "eu-2" },
  },
  {
    before: { id: "bridge-b", name: "Bridge B", tier: "business", residency: "eu", move: { stage: "bridge", sharedCluster: "eu-2" } },
    after: { id: "bridge-b", name: "Bridge B", tier: "business", residency: "eu", sharedCluster: "eu-2", generation: 2 },
  },
  {
    before: { id: "bridge-s", name: "Bridge S", tier: "business", residency: "eu", move: { stage: "silo", region: "EU_WEST_1", backupPolicy: "silo" } },
    after: { id: "bridge-s", name: "Bridge S", tier: "business", residency: "eu", stage: "silo", region: "EU_WEST_1", backupPolicy: "silo" },
  },
  {
    before: { id: "euro-e", name: "Euro E", tier: "enterprise", residency: "eu", region: "EU_CENTRAL_1", backupPolicy: "silo", customerManagedKey: true, move: { stage: "silo", region: "EU_WEST_1", backupPolicy: "silo" } },
    after: { id: "euro-e", name: "Euro E", tier: "enterprise", residency: "eu", region: "EU_WEST_1", backupPolicy: "silo", customerManagedKey: true, generation: 2 },
  },
];

const cutOver = (t: TenantInput): TenantInput => ({ ...t, move: { ...t.move!, cutOver: true } });
const BEFORE = withTenants(TENANTS.map((t) => t.before), extra);
const STEP_A = withTenants(TENANTS.map((t) => cutOver(t.before)), extra);
const STEP_B = withTenants(TENANTS.map((t) => t.after), extra);

/** The components of the former current locations: same names and generation as before the cut-over. */
const RETIRED = ["tenantry:program:BridgeTenant::bridge-bridge-b", "tenantry:program:BridgeTenant::bridge-bridge-s", "tenantry:program:SiloTenant::silo-euro-e"];
const DATA_BEARING = [mongodbatlas.Project, mongodbatlas.AdvancedCluster, mongodbatlas.EncryptionAtRest, aws.kms.Key, aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion].map(
  (cls) => (cls as unknown as { __pulumiType: string }).__pulumiType,
);

describe("after a cut-over: step (a) move.cutOver, step (b) move removed", () => {
  let before: DetailedRun;
  let stepA: DetailedRun;
  let stepB: DetailedRun;
  beforeAll(async () => {
    before = await runOfflineDetailed(input(BEFORE));
    stepA = await runOfflineDetailed(input(STEP_A));
    stepB = await runOfflineDetailed(input(STEP_B));
  });
  const keys = (run: DetailedRun) => run.run.resources.map((r) => `${r.type}::${r.name}`);

  test("step (a) registers every resource of the declared move under the same names: nothing renamed or replaced", () => {
    expect(keys(stepA).sort()).toEqual(keys(before).sort());
  });

  test("steps (a) and (b) give the same connection map, routed to the target, without the retired placements", () => {
    expect(stepA.run.connectionMap).toEqual(stepB.run.connectionMap);
    const map = stepA.run.connectionMap;
    expect(map.tenants["pool-p"]).toMatchObject({ stage: "bridge", cluster: "shared:eu-2", credential: "bridge:pool-p" });
    expect(map.tenants["bridge-b"]).toMatchObject({ stage: "bridge", cluster: "shared:eu-2", credential: "bridge:bridge-b#g2" });
    expect(map.tenants["bridge-s"]).toMatchObject({ stage: "silo", cluster: "silo:bridge-s", credential: "silo:bridge-s" });
    expect(map.tenants["euro-e"]).toMatchObject({ stage: "silo", cluster: "silo:euro-e#g2", credential: "silo:euro-e#g2" });
    for (const entry of Object.values(map.tenants)) expect(entry.target).toBeUndefined();
    expect(map.credentials["bridge:bridge-b"]).toBeUndefined();
    expect(map.credentials["bridge:bridge-s"]).toBeUndefined();
    expect(map.clusters["silo:euro-e"]).toBeUndefined();
    expect(map.credentials["silo:euro-e"]).toBeUndefined();
  });

  test("step (b) keeps every current resource of step (a) with the same options; only the retired components leave", () => {
    const b = new Map(stepB.run.resources.map((r) => [`${r.type}::${r.name}`, r]));
    const leaving = stepA.run.resources.filter((r) => !b.has(`${r.type}::${r.name}`));
    expect([...b.keys()].filter((k) => !keys(stepA).includes(k))).toEqual([]);
    expect(leaving.filter((r) => r.component).map((r) => `${r.type}::${r.name}`).sort()).toEqual(RETIRED);
    for (const r of stepA.run.resources.filter((x) => b.has(`${x.type}::${x.name}`))) {
      const same = b.get(`${r.type}::${r.name}`)!;
      expect({ key: `${r.type}::${r.name}`, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ key: `${r.type}::${r.name}`, protect: same.protect, retainOnDelete: same.retainOnDelete });
    }
  });

  test("step (a) registers the retired data-bearing resources with protect false and retainOnDelete true; the new current stays protected", () => {
    const b = new Set(keys(stepB));
    const retired = stepA.run.resources.filter((r) => !b.has(`${r.type}::${r.name}`) && DATA_BEARING.includes(r.type));
    expect(new Set(retired.map((r) => r.type))).toEqual(new Set(DATA_BEARING));
    for (const r of retired) expect({ name: r.name, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ name: r.name, protect: false, retainOnDelete: true });
    const current = stepA.run.resources.filter((r) => b.has(`${r.type}::${r.name}`) && DATA_BEARING.includes(r.type) && r.tenant !== null);
    expect(current.length).toBeGreaterThan(0);
    for (const r of current) expect({ name: r.name, protect: r.protect }).toEqual({ name: r.name, protect: true });
    // Before the cut-over the same resources were protected: step (a) lifts protect and changes nothing else.
    const earlier = new Map(before.run.resources.map((r) => [`${r.type}::${r.name}`, r]));
    for (const r of retired) expect(earlier.get(`${r.type}::${r.name}`)).toMatchObject({ protect: true, retainOnDelete: true, inputs: r.inputs });
  });

  test("step (b) revokes access: the retired database users and roles leave the program", () => {
    const b = new Set(keys(stepB));
    const typeOf = (cls: unknown) => (cls as { __pulumiType: string }).__pulumiType;
    const leaving = stepA.run.resources.filter((r) => !b.has(`${r.type}::${r.name}`)).map((r) => `${r.type}::${r.name}`);
    expect(leaving).toEqual(
      expect.arrayContaining([
        `${typeOf(mongodbatlas.DatabaseUser)}::bridge-bridge-b-user`,
        `${typeOf(mongodbatlas.CustomDbRole)}::bridge-bridge-b-role`,
        `${typeOf(mongodbatlas.DatabaseUser)}::bridge-bridge-s-user`,
        `${typeOf(mongodbatlas.DatabaseUser)}::silo-euro-e-user`,
      ]),
    );
  });

  test("the step (a) map against the map with `target` is a declared cut-over, not destructive; (a) → (b) changes nothing", () => {
    const changes = diffMaps(before.run.connectionMap, stepA.run.connectionMap);
    expect(changes.filter((c) => c.tenantId !== undefined).map((c) => [c.tenantId, c.kind, c.destructive])).toEqual([
      ["bridge-b", "cluster-change", false],
      ["bridge-s", "stage-move", false],
      ["euro-e", "cluster-change", false],
      ["pool-p", "stage-move", false],
    ]);
    expect(destructiveChanges(changes)).toEqual([]);
    expect(diffMaps(stepA.run.connectionMap, stepB.run.connectionMap)).toEqual([]);
  });
});
