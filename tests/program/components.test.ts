// Each component's exact children, the inputs that matter and the options, recorded through the monitor wrapper.
// A mock proves what we send to the providers, not that Atlas or AWS accept it (that needs `pulumi preview`).
import { beforeAll, describe, expect, test } from "vitest";
import { runOfflineDetailed, type DetailedRun } from "../../packages/pulumi/src/plan/engine";
import type { RecordedResource } from "../../packages/pulumi/src/plan/types";
import { input } from "./fixtures";

let protectedRun: DetailedRun;
let unprotectedRun: DetailedRun;

beforeAll(async () => {
  protectedRun = await runOfflineDetailed(input(), { namingPrefix: "app" });
  unprotectedRun = await runOfflineDetailed(input(), { namingPrefix: "app", protect: false });
});

const A = "mongodbatlas:index/";
const children = (run: DetailedRun, parent: string) =>
  run.run.resources.filter((r) => r.parent === parent).map((r) => `${r.type.replace(/^.*:/, "")}::${r.name}`).sort();
const one = (run: DetailedRun, name: string): RecordedResource => {
  const found = run.run.resources.filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};

const credentialChildren = (n: string) => [`DatabaseUser::${n}-user`, `RandomPassword::${n}-password`, `Secret::${n}-secret`, `SecretVersion::${n}-secret-version`];
const alertChildren = (n: string) => ["connections", "disk", "no-primary", "replication-lag"].map((k) => `AlertConfiguration::${n}-alert-${k}`);

describe("SharedCluster", () => {
  test("children: PrivateLink and access list (first cluster of the project), cluster, schedule, credentials", () => {
    const n = "shared-eu-1";
    expect(children(protectedRun, n)).toEqual(
      [
        `AdvancedCluster::${n}-cluster`, `CloudBackupSchedule::${n}-backup`, `PrivateLinkEndpoint::${n}-pl-endpoint`,
        `PrivateLinkEndpointService::${n}-pl-service`, `ProjectIpAccessList::${n}-access-203-0-113-0-24`, `VpcEndpoint::${n}-pl-vpce`,
        ...credentialChildren(n),
      ].sort(),
    );
  });

  test("cluster inputs", () => {
    const cluster = one(protectedRun, "shared-eu-1-cluster");
    expect(cluster.type).toBe(`${A}advancedCluster:AdvancedCluster`);
    expect(cluster.inputs).toMatchObject({
      name: "eu-1",
      clusterType: "REPLICASET",
      replicationSpecs: [{ regionConfigs: [{ providerName: "AWS", regionName: "EU_CENTRAL_1", priority: 7, electableSpecs: { instanceSize: "M30", nodeCount: 3 } }] }],
      terminationProtectionEnabled: true,
      backupEnabled: true,
      pitEnabled: true,
      retainBackupsEnabled: true,
      advancedConfiguration: { minimumEnabledTlsProtocol: "TLS1_2" },
    });
  });

  test("backup schedule copies inside the zone with the cluster's zone id", () => {
    const schedule = one(protectedRun, "shared-eu-1-backup");
    expect(schedule.inputs.clusterName).toBe("eu-1");
    expect(schedule.inputs.copySettings).toEqual([
      expect.objectContaining({ cloudProvider: "AWS", regionName: "EU_WEST_1", zoneId: expect.stringMatching(/^[0-9a-f]{24}$/), shouldCopyOplogs: true }),
    ]);
    expect(schedule.inputs.policyItemHourly).toEqual({ frequencyInterval: 6, retentionUnit: "days", retentionValue: 2 });
    expect(schedule.inputs.restoreWindowDays).toBe(1);
  });

  test("app user: readWrite on the app database and the control database only, scoped to its cluster; secret in the cluster's region", () => {
    expect(one(protectedRun, "shared-eu-1-user").inputs).toMatchObject({
      username: "app-test-eu-1-app",
      authDatabaseName: "admin",
      password: "[secret]",
      roles: [
        { roleName: "readWrite", databaseName: "app" },
        { roleName: "readWrite", databaseName: "tenantry" },
      ],
      scopes: [{ type: "CLUSTER", name: "eu-1" }],
    });
    expect(one(protectedRun, "shared-eu-1-secret").inputs).toMatchObject({ name: "tenantry/app/test/shared/eu-1", region: "eu-central-1" });
    expect(one(protectedRun, "shared-eu-1-pl-vpce").inputs).toMatchObject({ region: "eu-central-1", vpcEndpointType: "Interface", vpcId: "vpc-0a1b2c" });
  });

  test("second cluster of another project owns its own access list, no PrivateLink (none in its region)", () => {
    expect(children(protectedRun, "shared-us-1")).toEqual(
      [`AdvancedCluster::shared-us-1-cluster`, `CloudBackupSchedule::shared-us-1-backup`, `ProjectIpAccessList::shared-us-1-access-203-0-113-0-24`, ...credentialChildren("shared-us-1")].sort(),
    );
  });
});

describe("BridgeTenant", () => {
  test("children: a role and credentials, nothing else", () => {
    const n = "bridge-bridge-b";
    expect(children(protectedRun, n)).toEqual([`CustomDbRole::${n}-role`, ...credentialChildren(n)].sort());
  });

  test("the role reaches only the tenant's collections; the user holds only that role, scoped to its cluster", () => {
    const role = one(protectedRun, "bridge-bridge-b-role");
    expect(role.inputs.roleName).toBe("t-bridge-b-rw");
    const resources = (role.inputs.actions as { resources: unknown[] }[]).flatMap((a) => a.resources);
    expect(new Set(resources.map((r) => JSON.stringify(r)))).toEqual(
      new Set([
        JSON.stringify({ collectionName: "t_bridge-b__orders", databaseName: "app" }),
        JSON.stringify({ collectionName: "t_bridge-b__profiles", databaseName: "app" }),
      ]),
    );
    expect(one(protectedRun, "bridge-bridge-b-user").inputs).toMatchObject({
      username: "app-test-t-bridge-b",
      roles: [{ roleName: "t-bridge-b-rw", databaseName: "admin" }],
      scopes: [{ type: "CLUSTER", name: "eu-1" }],
    });
    expect(one(protectedRun, "bridge-bridge-b-secret").inputs).toMatchObject({ name: "tenantry/app/test/tenants/bridge-b/bridge", region: "eu-central-1" });
  });
});

describe("SiloTenant", () => {
  test("HIPAA silo: CMK chain, compliance policy, credentials, alerts", () => {
    const n = "silo-health-h";
    expect(children(protectedRun, n)).toEqual(
      [
        `Project::${n}-project`, `Key::${n}-key`, `Alias::${n}-key-alias`, `CloudProviderAccessSetup::${n}-cpa-setup`,
        `Role::${n}-kms-role`, `RolePolicy::${n}-kms-policy`, `CloudProviderAccessAuthorization::${n}-cpa-auth`,
        `EncryptionAtRest::${n}-encryption`, `ProjectIpAccessList::${n}-access-203-0-113-0-24`, `AdvancedCluster::${n}-cluster`,
        `CloudBackupSchedule::${n}-backup`, `BackupCompliancePolicy::${n}-compliance`, ...credentialChildren(n), ...alertChildren(n),
        // HIPAA turns database auditing on by default.
        `Auditing::${n}-auditing`,
      ].sort(),
    );
  });

  test("HIPAA silo inputs: region, size, encryption, PIT, key, compliance", () => {
    const project = one(protectedRun, "silo-health-h-project");
    expect(project.inputs).toMatchObject({ orgId: "000000000000000000000000", name: "app-test-t-health-h" });
    const cluster = one(protectedRun, "silo-health-h-cluster");
    expect(cluster.inputs).toMatchObject({
      name: "t-health-h",
      replicationSpecs: [{ regionConfigs: [{ regionName: "US_EAST_2", electableSpecs: { instanceSize: "M30" } }] }],
      encryptionAtRestProvider: "AWS",
      pitEnabled: true,
      backupEnabled: true,
      terminationProtectionEnabled: true,
      retainBackupsEnabled: true,
    });
    const encryption = one(protectedRun, "silo-health-h-encryption");
    // The cluster's projectId comes from the encryption resource, which orders it after encryption at rest.
    expect(cluster.inputs.projectId).toBe(encryption.inputs.projectId);
    expect(encryption.inputs.awsKmsConfig).toMatchObject({ enabled: true, region: "US_EAST_2", customerMasterKeyId: expect.any(String), roleId: expect.any(String) });
    expect(one(protectedRun, "silo-health-h-key").inputs).toMatchObject({ region: "us-east-2", enableKeyRotation: true, multiRegion: false, deletionWindowInDays: 30 });
    const policy = JSON.parse(one(protectedRun, "silo-health-h-kms-policy").inputs.policy as string);
    expect(policy.Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]);
    expect(policy.Statement[0].Resource).toMatch(/^arn:aws:kms:us-east-2:\d{12}:key\//);
    const trust = JSON.parse(one(protectedRun, "silo-health-h-kms-role").inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Condition.StringEquals["sts:ExternalId"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(one(protectedRun, "silo-health-h-compliance").inputs).toMatchObject({
      authorizedEmail: "dpo@example.com", pitEnabled: true, encryptionAtRestEnabled: true, restoreWindowDays: 7,
      policyItemYearlies: [{ frequencyInterval: 12, retentionUnit: "years", retentionValue: 6 }],
    });
    expect(one(protectedRun, "silo-health-h-backup").inputs).toMatchObject({ skipDestroy: true, restoreWindowDays: 7 });
    expect(one(protectedRun, "silo-health-h-secret").inputs).toMatchObject({
      name: "tenantry/app/test/tenants/health-h/silo", region: "us-east-2", kmsKeyId: expect.stringMatching(/^arn:aws:kms:us-east-2:/),
    });
    expect(one(protectedRun, "silo-health-h-alert-disk").inputs).toMatchObject({ enabled: true, notifications: [{ typeName: "EMAIL", emailAddress: "oncall@example.com" }] });
  });

  test("silo without CMK: no key chain, PrivateLink in its region, encryption provider NONE", () => {
    const n = "silo-euro-e";
    expect(children(protectedRun, n)).toEqual(
      [
        `Project::${n}-project`, `PrivateLinkEndpoint::${n}-pl-endpoint`, `VpcEndpoint::${n}-pl-vpce`, `PrivateLinkEndpointService::${n}-pl-service`,
        `ProjectIpAccessList::${n}-access-203-0-113-0-24`, `AdvancedCluster::${n}-cluster`, `CloudBackupSchedule::${n}-backup`,
        ...credentialChildren(n), ...alertChildren(n),
      ].sort(),
    );
    expect(one(protectedRun, `${n}-cluster`).inputs).toMatchObject({ encryptionAtRestProvider: "NONE", pitEnabled: false, replicationSpecs: [{ regionConfigs: [{ regionName: "EU_CENTRAL_1", electableSpecs: { instanceSize: "M10" } }] }] });
    expect(one(protectedRun, `${n}-backup`).inputs.skipDestroy).toBeUndefined();
  });
});

describe("options: protect and retainOnDelete", () => {
  const DATA = new Set(["Project", "AdvancedCluster", "Key", "Secret", "SecretVersion", "BackupCompliancePolicy", "EncryptionAtRest"]);
  const kind = (r: RecordedResource) => r.type.replace(/^.*:/, "");

  test.each([
    ["protect on", () => protectedRun, true],
    ["protect off (dev)", () => unprotectedRun, false],
  ])("%s: data-bearing resources carry protect as configured and always retainOnDelete", (_l, run, protect) => {
    const data = run().run.resources.filter((r) => DATA.has(kind(r)));
    expect(data.length).toBeGreaterThan(20);
    for (const r of data) {
      const offboarding = r.tenant === "gone-g";
      expect({ name: r.name, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ name: r.name, protect: protect && !offboarding, retainOnDelete: true });
    }
  });

  test("a cluster region change is a replacement, which protect refuses: regions change only through a migration", () => {
    const clusters = protectedRun.raw.filter((r) => r.type === `${A}advancedCluster:AdvancedCluster`);
    expect(clusters.map((c) => c.name).sort()).toEqual(["shared-eu-1-cluster", "shared-us-1-cluster", "silo-euro-e-cluster", "silo-gone-g-cluster", "silo-health-h-cluster"]);
    for (const c of clusters) expect(c.replaceOnChanges).toEqual(["replicationSpecs[*].regionConfigs[*].regionName"]);
  });

  test("credentials and roles are not retained: removing a tenant revokes its access", () => {
    for (const r of protectedRun.run.resources.filter((x) => ["DatabaseUser", "CustomDbRole"].includes(kind(x)))) {
      expect([r.name, r.retainOnDelete, r.protect]).toEqual([r.name, false, false]);
    }
  });

  test("silo users keep readWrite on their own app database only (no control database)", () => {
    expect(one(protectedRun, "silo-euro-e-user").inputs).toMatchObject({ roles: [{ roleName: "readWrite", databaseName: "app" }] });
  });

  test("the map's control location: the registry's first shared cluster with its shared app credential", () => {
    expect(protectedRun.run.connectionMap.control).toEqual({ cluster: "shared:eu-1", credential: "shared:eu-1", database: "tenantry", collection: "overrides" });
  });

  test("offboarding silo: still fully registered, protect lifted, data retained, map says offboarding", () => {
    // The component + project, access entry, cluster, schedule, 4 credential resources, 4 alerts.
    expect(protectedRun.run.resources.filter((r) => r.tenant === "gone-g")).toHaveLength(13);
    expect(protectedRun.run.connectionMap.tenants["gone-g"]?.status).toBe("offboarding");
  });
});
