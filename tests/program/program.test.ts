// Program-level guarantees over the example registries (stacks/*.tenants.yaml), evaluated under recording mocks.
// A mock proves what the program sends; provider-side validation (regions, names) needs `pulumi preview`.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { beforeAll, describe, expect, test } from "vitest";
import { componentName } from "../../packages/contract/src/naming";
import { runOfflineDetailed, type DetailedRun, type RawRegistration } from "../../packages/pulumi/src/plan/engine";
import { loadRegistryFile } from "../../packages/core/src/registry/load";
import { awsRegionOf } from "../../packages/core/src/registry/zones";

const STACKS = join(__dirname, "../../stacks");
const files = readdirSync(STACKS).filter((f) => f.endsWith(".tenants.yaml")).sort();
const runs = new Map<string, DetailedRun>();

beforeAll(async () => {
  for (const file of files) runs.set(file, await runOfflineDetailed(loadRegistryFile(join(STACKS, file))));
});

/** The type token of a provider class (`__pulumiType` is internal, hence not in the typings). */
const typeOf = (cls: unknown): string => (cls as { __pulumiType: string }).__pulumiType;

/** Every provider class the program may use: recorded type tokens must be theirs. */
const CLASSES = [
  mongodbatlas.Project, mongodbatlas.AdvancedCluster, mongodbatlas.CloudBackupSchedule, mongodbatlas.BackupCompliancePolicy,
  mongodbatlas.DatabaseUser, mongodbatlas.CustomDbRole, mongodbatlas.ProjectIpAccessList, mongodbatlas.PrivateLinkEndpoint,
  mongodbatlas.PrivateLinkEndpointService, mongodbatlas.CloudProviderAccessSetup, mongodbatlas.CloudProviderAccessAuthorization,
  mongodbatlas.EncryptionAtRest, mongodbatlas.AlertConfiguration, mongodbatlas.Auditing, mongodbatlas.MaintenanceWindow, aws.kms.Key, aws.kms.Alias, aws.iam.Role, aws.iam.RolePolicy,
  aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion, aws.ec2.VpcEndpoint, aws.ssm.Parameter, random.RandomPassword,
];
const KNOWN_TYPES = new Set([
  ...CLASSES.map(typeOf),
  "tenantry:program:SharedCluster", "tenantry:program:BridgeTenant", "tenantry:program:SiloTenant", "tenantry:program:MapPublication",
  "pulumi:providers:mongodbatlas", "pulumi:providers:aws",
]);

/** Drops secret-wrapped subtrees: what remains is what Pulumi would show and store in plain text. */
function plainParts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainParts);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return "[secret]";
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plainParts(v)]));
  }
  return value;
}
const plainText = (raw: readonly RawRegistration[]) => JSON.stringify(raw.map((r) => plainParts(r.props)));

test("the example registries exist", () => {
  expect(files).toEqual(expect.arrayContaining(["dev.tenants.yaml"]));
});

describe.each(files)("%s", (file) => {
  const run = () => runs.get(file)!;

  test("pool tenants register zero resources", () => {
    const pool = run().run.placements.filter((p) => p.current.stage === "pool" && (!p.target || p.target.stage === "pool"));
    for (const p of pool) expect([p.tenantId, run().run.resources.filter((r) => r.tenant === p.tenantId)]).toEqual([p.tenantId, []]);
  });

  test("every silo cluster is in its tenant's region", () => {
    for (const p of run().run.placements) {
      for (const loc of [p.current, p.target]) {
        if (loc?.stage !== "silo") continue;
        // A silo → silo move holds two silos: each location's resources are its component's (`silo-<id>`, `silo-<id>-g2`).
        const prefix = `${componentName.silo(p.tenantId, loc.generation)}-`;
        const mine = run().run.resources.filter((r) => r.tenant === p.tenantId && r.name.startsWith(prefix) && !/^-g\d+-/.test(r.name.slice(prefix.length - 1)));
        const cluster = mine.find((r) => r.type === typeOf(mongodbatlas.AdvancedCluster));
        expect(cluster?.inputs.replicationSpecs).toEqual([{ regionConfigs: [expect.objectContaining({ regionName: loc.region })] }]);
        for (const r of mine.filter((x) => typeof x.inputs.region === "string" && x.type.startsWith("aws:"))) {
          expect([r.name, r.inputs.region]).toEqual([r.name, awsRegionOf(loc.region)]);
        }
      }
    }
  });

  test("every data-bearing resource is protected and retained (offboarding tenants: retained only)", () => {
    const data = new Set([
      mongodbatlas.Project, mongodbatlas.AdvancedCluster, mongodbatlas.BackupCompliancePolicy, mongodbatlas.EncryptionAtRest,
      aws.kms.Key, aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion,
    ].map(typeOf));
    const offboarding = new Set(run().run.placements.filter((p) => p.status === "offboarding").map((p) => p.tenantId));
    const resources = run().run.resources.filter((r) => data.has(r.type));
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      const protect = !(r.tenant && offboarding.has(r.tenant));
      expect({ name: r.name, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ name: r.name, protect, retainOnDelete: true });
    }
  });

  test("no output, map value or plain input holds a generated password; password outputs are secrets; the map is not", async () => {
    const { generatedSecrets, raw, program } = run();
    expect(generatedSecrets.length).toBe(program.sharedClusters.size + program.bridges.size + program.silos.size);
    const map = JSON.stringify(run().run.connectionMap);
    const inputs = JSON.stringify(run().run.resources.map((r) => r.inputs));
    const plain = plainText(raw);
    for (const secret of generatedSecrets) {
      expect(map.includes(secret)).toBe(false);
      expect(inputs.includes(secret)).toBe(false);
      expect(plain.includes(secret)).toBe(false);
    }
    for (const c of [...program.sharedClusters.values(), ...program.bridges.values(), ...program.silos.values()]) {
      expect(await pulumi.isSecret(c.password)).toBe(true);
    }
    expect(await pulumi.isSecret(program.connectionMap)).toBe(false);
    expect(map).not.toMatch(/mongodb(\+srv)?:\/\/[^"]*@/);
  });

  test("HIPAA tenants have CMK encryption, PIT and a compliance policy", () => {
    for (const p of run().run.placements.filter((x) => x.compliance.includes("HIPAA"))) {
      const mine = run().run.resources.filter((r) => r.tenant === p.tenantId);
      const cluster = mine.find((r) => r.type === typeOf(mongodbatlas.AdvancedCluster));
      expect(cluster?.inputs).toMatchObject({ encryptionAtRestProvider: "AWS", pitEnabled: true });
      expect(mine.filter((r) => r.type === typeOf(mongodbatlas.EncryptionAtRest))).toHaveLength(1);
      expect(mine.filter((r) => r.type === typeOf(mongodbatlas.BackupCompliancePolicy))).toHaveLength(1);
      expect(mine.filter((r) => r.type === typeOf(aws.kms.Key))).toHaveLength(1);
    }
  });

  test("`type::name` keys are unique (mocks do not catch duplicates) and type tokens are the providers' own", () => {
    const keys = run().run.resources.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of run().run.resources) expect([r.name, KNOWN_TYPES.has(r.type)]).toEqual([r.name, true]);
  });

  test("FedRAMP tenants go through Atlas for Government and the GovCloud AWS provider", () => {
    const fedramp = new Set(run().run.placements.filter((p) => p.compliance.includes("FedRAMP")).map((p) => p.tenantId));
    const tenantOf = new Map(run().run.resources.map((r) => [`${r.type}::${r.name}`, r.tenant]));
    for (const r of run().raw.filter((x) => x.custom && fedramp.has(tenantOf.get(`${x.type}::${x.name}`) ?? ""))) {
      const expected = r.type.startsWith("mongodbatlas:") ? "pulumi:providers:mongodbatlas::atlas-gov::" : r.type.startsWith("aws:") ? "pulumi:providers:aws::aws-gov::" : "";
      expect([r.name, r.provider.includes(expected)]).toEqual([r.name, true]);
    }
    const orgs = run().run.resources.filter((r) => r.tenant && fedramp.has(r.tenant) && r.type === typeOf(mongodbatlas.Project)).map((r) => r.inputs.orgId);
    expect(orgs.every((o) => o === "000000000000000000000001")).toBe(true);
  });

  test("no access list entry opens a project to the internet", () => {
    for (const r of run().run.resources.filter((x) => x.type === typeOf(mongodbatlas.ProjectIpAccessList))) {
      expect(r.inputs.cidrBlock).not.toMatch(/\/0$/);
    }
  });
});
