// The offline plan reads the environment's stack file with Pulumi's conversions, so it plans what `pulumi up` would.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../../packages/cli/src/main";
import { memoryIo } from "../../packages/cli/src/io";
import { PlanJson } from "../../packages/pulumi/src/plan/json";
import { OFFLINE_SETTINGS, SettingsError } from "../../packages/pulumi/src/program/settings";
import { stackFileFor, stackFileSettings } from "../../packages/pulumi/src/program/stack-file";

const STACKS = join(__dirname, "../../stacks");

function stackDir(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-stack-"));
  // atlasOrgId is required (as under pulumi up); the default placeholder keeps the expected settings simple.
  writeFileSync(join(dir, "Pulumi.qa.yaml"), `config:\n  tenantry:atlasOrgId: "000000000000000000000000"\n${config}`);
  return dir;
}

describe("stackFileSettings", () => {
  test("the dev stack file: protection off, the registry being planned", () => {
    const registry = join(STACKS, "dev.tenants.yaml");
    expect(stackFileFor(registry, "dev")).toBe(join(STACKS, "Pulumi.dev.yaml"));
    expect(stackFileSettings(registry, "dev", OFFLINE_SETTINGS)).toEqual({
      ...OFFLINE_SETTINGS,
      protect: false,
      publishToSsm: false,
      namingPrefix: "app",
      awsRegion: "us-east-1",
      registryPath: registry,
    });
  });

  test("no stack file: undefined (the offline defaults apply)", () => {
    expect(stackFileSettings(join(tmpdir(), "none.tenants.yaml"), "nowhere", OFFLINE_SETTINGS)).toBeUndefined();
  });

  test.each<[string, string, Partial<typeof OFFLINE_SETTINGS>]>([
    ["native booleans", "  tenantry:protect: false\n  tenantry:publishToSsm: true\n", { protect: false, publishToSsm: true }],
    ["string booleans", '  tenantry:protect: "false"\n  tenantry:publishToSsm: "true"\n', { protect: false, publishToSsm: true }],
    ["aws:region fallback", "  aws:region: eu-central-1\n", { awsRegion: "eu-central-1" }],
    ["tenantry:awsRegion wins", "  aws:region: eu-central-1\n  tenantry:awsRegion: eu-west-1\n", { awsRegion: "eu-west-1" }],
    ["object as YAML", '  tenantry:sharedProjectIds:\n    eu: "0123456789abcdef01234567"\n', { sharedProjectIds: { eu: "0123456789abcdef01234567" } }],
    ["object as JSON text", '  tenantry:sharedProjectIds: \'{"eu":"0123456789abcdef01234567"}\'\n', { sharedProjectIds: { eu: "0123456789abcdef01234567" } }],
    ["prefix", "  tenantry:namingPrefix: acme\n", { namingPrefix: "acme" }],
  ])("%s", (_name, config, expected) => {
    const dir = stackDir(config);
    const registry = join(dir, "qa.tenants.yaml");
    expect(stackFileSettings(registry, "qa", OFFLINE_SETTINGS)).toEqual({ ...OFFLINE_SETTINGS, ...expected, registryPath: registry });
  });

  test.each<[string, string, string]>([
    ["a boolean that is not one", "  tenantry:protect: maybe\n", "Pulumi.qa.yaml: tenantry:protect must be true or false"],
    ["a prefix that is not a slug", "  tenantry:namingPrefix: Acme_Corp\n", "namingPrefix: must be a lowercase slug"],
  ])("refuses %s", (_name, config, problem) => {
    const dir = stackDir(config);
    let error: unknown;
    try {
      stackFileSettings(join(dir, "qa.tenants.yaml"), "qa", OFFLINE_SETTINGS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems.join("\n")).toContain(problem);
  });
});

describe("tenantry plan uses the stack file", () => {
  async function planJson(dir: string): Promise<{ code: number; json?: PlanJson; err: string }> {
    const io = memoryIo(dir);
    const code = await runCli(["plan", "--env", "dev", "--json"], io);
    return { code, err: io.err.join(""), ...(code === 0 ? { json: PlanJson.parse(JSON.parse(io.out.join(""))) } : {}) };
  }

  function project(stack: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-plan-stack-"));
    mkdirSync(join(dir, "stacks"));
    copyFileSync(join(STACKS, "dev.tenants.yaml"), join(dir, "stacks", "dev.tenants.yaml"));
    if (stack !== undefined) writeFileSync(join(dir, "stacks", "Pulumi.dev.yaml"), stack.replace("config:\n", 'config:\n  tenantry:atlasOrgId: "000000000000000000000000"\n'));
    return dir;
  }

  test("protection and prefix follow Pulumi.dev.yaml", async () => {
    const { code, json } = await planJson(project('config:\n  tenantry:protect: "false"\n  tenantry:namingPrefix: acme\n'));
    expect(code).toBe(0);
    const clusters = json!.resources.filter((r) => r.type === "mongodbatlas:index/advancedCluster:AdvancedCluster");
    expect(clusters.length).toBe(2);
    expect(clusters.every((r) => r.protect === false && r.retainOnDelete === true)).toBe(true);
    expect(Object.values(json!.connectionMap.tenants).every((t) => t.database === "acme")).toBe(true);
  });

  test("without a stack file the data-bearing resources are protected", async () => {
    const { code, json } = await planJson(project(undefined));
    expect(code).toBe(0);
    const clusters = json!.resources.filter((r) => r.type === "mongodbatlas:index/advancedCluster:AdvancedCluster");
    expect(clusters.every((r) => r.protect === true)).toBe(true);
  });

  test("an unusable stack file is exit 1 with the key, nothing planned", async () => {
    const { code, err } = await planJson(project("config:\n  tenantry:protect: sometimes\n"));
    expect(code).toBe(1);
    expect(err).toContain("tenantry:protect must be true or false");
  });

  test("a stack file without tenantry:atlasOrgId is refused, as pulumi up refuses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-plan-stack-"));
    mkdirSync(join(dir, "stacks"));
    copyFileSync(join(STACKS, "dev.tenants.yaml"), join(dir, "stacks", "dev.tenants.yaml"));
    writeFileSync(join(dir, "stacks", "Pulumi.dev.yaml"), "config:\n  tenantry:protect: false\n");
    const { code, err } = await planJson(dir);
    expect(code).toBe(1);
    expect(err).toContain("Pulumi.dev.yaml: tenantry:atlasOrgId is required (pulumi up refuses the stack without it)");
  });

  test("a FedRAMP tenant with tenantry:atlasGovOrgId missing fails the plan, naming the stack file and the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-plan-gov-"));
    mkdirSync(join(dir, "stacks"));
    copyFileSync(join(STACKS, "prod.tenants.yaml"), join(dir, "stacks", "prod.tenants.yaml"));
    writeFileSync(join(dir, "stacks", "Pulumi.prod.yaml"), 'config:\n  tenantry:atlasOrgId: "000000000000000000000000"\n');
    const io = memoryIo(dir);
    expect(await runCli(["plan", "--env", "prod", "--json"], io)).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err.join("")).toBe(
      `tenantry plan: the stack settings cannot be used; nothing planned:\n  ${join(dir, "stacks", "Pulumi.prod.yaml")}: tenant [federal-permits] is provisioned through Atlas for Government: set tenantry:atlasGovOrgId\n`,
    );
  }, 120_000);
});
