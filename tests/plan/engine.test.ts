// The offline engine: runs the real program from a registry file with no config, no network and no account.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as random from "@pulumi/random";
import { describe, expect, test } from "vitest";
import { maskSecrets, runOffline, runOfflineDetailed } from "../../packages/pulumi/src/plan/engine";
import { createMockState } from "../../packages/pulumi/src/plan/mock-state";
import { ProgramLayoutError } from "../../packages/pulumi/src/program/layout";
import { loadRegistryFile } from "../../packages/core/src/registry/load";
import { RegistryInvalidError } from "../../packages/core/src/registry/problems";

const DEV = join(__dirname, "../../stacks/dev.tenants.yaml");

function registryFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-engine-"));
  const file = join(dir, "test.tenants.yaml");
  writeFileSync(file, yaml);
  return file;
}

const SMALL = `
version: 1
environment: qa
collections: [{ name: orders }]
sharedClusters:
  - { name: qa-us-1, residency: us, region: US_EAST_1, instanceSize: M10, backupPolicy: basic }
backupPolicies:
  basic: { daily: { keepDays: 7 } }
tenants:
  - { id: free-one, name: Free One, tier: free, residency: us }
  - { id: biz-one, name: Biz One, tier: business, residency: us }
`;

describe("runOffline", () => {
  test("runs the dev registry with defaults; attributes resources to tenants; masks secrets", async () => {
    const run = await runOffline({ registryFile: DEV });
    expect(run.environment).toBe("dev");
    expect(run.placements.map((p) => p.tenantId)).toEqual(["demo-free", "demo-business", "demo-enterprise"]);
    expect(run.resources.filter((r) => r.tenant === "demo-free")).toEqual([]);
    const bridge = run.resources.filter((r) => r.tenant === "demo-business").map((r) => r.name).sort();
    expect(bridge).toEqual([
      "bridge-demo-business",
      "bridge-demo-business-password",
      "bridge-demo-business-role",
      "bridge-demo-business-secret",
      "bridge-demo-business-secret-version",
      "bridge-demo-business-user",
    ]);
    const user = run.resources.find((r) => r.name === "bridge-demo-business-user");
    expect(user).toMatchObject({ tenant: "demo-business", parent: "bridge-demo-business", component: false, inputs: { password: "[secret]" } });
    expect(run.resources.find((r) => r.name === "bridge-demo-business")).toMatchObject({ component: true, tenant: "demo-business", inputs: {} });
    expect(run.resources.find((r) => r.name === "bridge-demo-business-secret-version")?.inputs.secretString).toBe("[secret]");
    expect(run.resources.find((r) => r.name === "project-us")).toMatchObject({ tenant: null, protect: true, retainOnDelete: true });
    expect(run.resources.some((r) => r.type === "pulumi:pulumi:Stack")).toBe(false);
    expect(run.connectionMap.tenants["demo-enterprise"]?.cluster).toBe("silo:demo-enterprise");
    expect(run.connectionMap.clusters["silo:demo-enterprise"]?.srvHost).toMatch(/^t-demo-enterprise\.[0-9a-f]{5}\.mongodb\.net$/);
    expect(run.connectionMap.credentials["silo:demo-enterprise"]?.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-2:\d{12}:secret:tenantry\/app\/dev\/tenants\/demo-enterprise\/silo-[0-9a-f]{6}$/);
  });

  test("runs more than once per process, also concurrently (runs are queued), with the same result", async () => {
    const file = registryFile(SMALL);
    const [a, b] = await Promise.all([runOffline({ registryFile: file }), runOffline({ registryFile: file })]);
    const shape = (r: typeof a) => r.resources.map((x) => `${x.type}::${x.name}::${x.tenant}`).sort();
    expect(shape(a)).toEqual(shape(b));
    expect(a.connectionMap).toEqual(b.connectionMap);
    const again = await runOffline({ registryFile: file });
    expect(shape(again)).toEqual(shape(a));
  });

  test("settings override the defaults: prefix renames, protect off, SSM publication", async () => {
    const run = await runOffline({ registryFile: registryFile(SMALL), settings: { namingPrefix: "acme", protect: false, publishToSsm: true, awsRegion: "eu-west-1" } });
    expect(run.connectionMap.tenants["biz-one"]?.database).toBe("acme");
    expect(run.resources.find((r) => r.name === "project-us")).toMatchObject({ inputs: { name: "acme-qa-us" }, protect: false, retainOnDelete: true });
    const params = run.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter");
    // Two tenants: one shard (format 2), plus the index.
    expect(params.map((p) => p.inputs.name).sort()).toEqual(["/tenantry/acme/qa/map/index", "/tenantry/acme/qa/map/shards/0"]);
    const shard = JSON.parse(params.find((p) => p.name === "connection-map-shard-0")!.inputs.insecureValue as string);
    expect(shard).toEqual({
      version: 1,
      environment: "qa",
      shard: 0,
      tenants: run.connectionMap.tenants,
      clusters: run.connectionMap.clusters,
      credentials: run.connectionMap.credentials,
    });
    const index = JSON.parse(params.find((p) => p.name === "connection-map-index")!.inputs.insecureValue as string);
    expect(index.publication).toEqual({ format: 2, shards: 1, hash: "fnv1a32" });
    expect(params.map((p) => [p.inputs.region, p.inputs.tier]).sort()).toEqual([
      ["eu-west-1", "Standard"],
      ["eu-west-1", "Standard"],
    ]);
  });

  test("an invalid registry fails with every problem before the program runs", async () => {
    await expect(runOffline({ registryFile: registryFile(SMALL.replace("tier: free", "tier: gold")) })).rejects.toThrow(RegistryInvalidError);
  });

  test("what the program cannot build fails with ProgramLayoutError, and the next run still works", async () => {
    // Placements the registry rules would never produce (a shared cluster it does not define) reach the program's own checks.
    const loaded = loadRegistryFile(registryFile(SMALL));
    const bad = { ...loaded, placements: loaded.placements.map((p) => ({ ...p, current: { stage: "pool" as const, sharedCluster: "nowhere" } })) };
    await expect(runOfflineDetailed(bad, {})).rejects.toThrow(ProgramLayoutError);
    expect((await runOffline({ registryFile: registryFile(SMALL) })).resources.length).toBeGreaterThan(0);
  });
});

describe("maskSecrets", () => {
  test.each([
    [{ a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "pw" } }, { a: "[secret]" }],
    [[1, { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", id: "i" }], [1, "urn:x"]],
    [{ nested: [{ x: "plain" }] }, { nested: [{ x: "plain" }] }],
  ])("%j", (value, expected) => {
    expect(maskSecrets(value)).toEqual(expected);
  });
});

describe("mock state", () => {
  // The mocks answer by type token: a token that drifted from the provider would silently get the generic echo.
  test.each([
    [mongodbatlas.AdvancedCluster, "connectionStrings"],
    [mongodbatlas.Project, "created"],
    [mongodbatlas.CloudBackupSchedule, "idPolicy"],
    [mongodbatlas.BackupCompliancePolicy, "state"],
    [mongodbatlas.PrivateLinkEndpoint, "endpointServiceName"],
    [mongodbatlas.PrivateLinkEndpointService, "awsConnectionStatus"],
    [mongodbatlas.CloudProviderAccessSetup, "awsConfigs"],
    [mongodbatlas.CloudProviderAccessAuthorization, "authorizedDate"],
    [mongodbatlas.AlertConfiguration, "alertConfigurationId"],
    [random.RandomPassword, "result"],
    [aws.kms.Key, "arn"],
    [aws.kms.Alias, "arn"],
    [aws.iam.Role, "arn"],
    [aws.secretsmanager.Secret, "arn"],
    [aws.secretsmanager.SecretVersion, "versionId"],
    [aws.ec2.VpcEndpoint, "arn"],
    [aws.ssm.Parameter, "arn"],
  ])("%o answers with %s", async (cls, field) => {
    const type = (cls as unknown as { __pulumiType: string }).__pulumiType;
    const { mocks } = createMockState();
    const result = await mocks.newResource({ type, name: "x", inputs: { region: "eu-west-1", name: "n", projectId: "p", replicationSpecs: [{}] } });
    expect(result.state[field]).toBeDefined();
  });

  test("ARNs follow the resource's region, GovCloud included", async () => {
    const { mocks } = createMockState();
    const arn = async (region: string) =>
      (await mocks.newResource({ type: "aws:secretsmanager/secret:Secret", name: "s", inputs: { name: "n", region } })).state.arn;
    expect(await arn("eu-west-1")).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:n-[0-9a-f]{6}$/);
    expect(await arn("us-gov-west-1")).toMatch(/^arn:aws-us-gov:secretsmanager:us-gov-west-1:/);
  });
});
