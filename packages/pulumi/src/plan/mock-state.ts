// Realistic fake provider state per resource type, for running the program under Pulumi mocks (offline plan, tests, bench).
import { createHash, randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { awsRegionOf } from "@tenantry/core/registry/zones";

/** AWS account the fake ARNs belong to. */
export const MOCK_AWS_ACCOUNT = "123456789012";
/** Atlas's own AWS account, as CloudProviderAccessSetup reports it. */
export const MOCK_ATLAS_AWS_ACCOUNT_ARN = "arn:aws:iam::536727724300:root";

/** Deterministic hex of `n` characters derived from the parts (same program, same ids: plans are reproducible). */
export function hexOf(n: number, ...parts: string[]): string {
  let out = "";
  for (let i = 0; out.length < n; i++) out += createHash("sha256").update(`${i}\0${parts.join("\0")}`).digest("hex");
  return out.slice(0, n);
}

function uuidOf(...parts: string[]): string {
  const h = hexOf(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `arn:aws:` or `arn:aws-us-gov:` by region. */
function partition(region: string): string {
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

export interface MockStateOptions {
  /** Region of resources that do not set `region` (the default AWS provider's). @default us-east-1 */
  defaultAwsRegion?: string;
  /** Region of resources created through a provider that sets one (e.g. the GovCloud provider), by provider reference. */
  providerRegion?: (providerRef: string | undefined) => string | undefined;
}

/** What the mocks produced that a caller may need: every generated password, to prove none leaks. */
export interface MockState {
  mocks: pulumi.runtime.Mocks;
  generatedSecrets: string[];
}

type State = Record<string, unknown>;

/** Builds the mocks: `newResource` returns inputs plus the computed outputs the program and the map read. */
export function createMockState(options: MockStateOptions = {}): MockState {
  const generatedSecrets: string[] = [];
  const defaultRegion = options.defaultAwsRegion ?? "us-east-1";

  const newResource = (args: pulumi.runtime.MockResourceArgs): { id: string; state: State } => {
    const inputs = (args.inputs ?? {}) as State;
    const name = args.name;
    const region = (typeof inputs.region === "string" && inputs.region) || options.providerRegion?.(args.provider) || defaultRegion;
    const arnBase = (service: string, withRegion = true) => `arn:${partition(region)}:${service}:${withRegion ? region : ""}:${MOCK_AWS_ACCOUNT}`;
    const atlasId = hexOf(24, args.type, name);
    const str = (v: unknown, fallback: string) => (typeof v === "string" && v ? v : fallback);

    switch (args.type) {
      case "mongodbatlas:index/project:Project":
        return { id: atlasId, state: { ...inputs, clusterCount: 0, created: "2026-01-01T00:00:00Z" } };
      case "mongodbatlas:index/advancedCluster:AdvancedCluster": {
        const clusterName = str(inputs.name, name);
        const host = `${clusterName}.${hexOf(5, "srv", String(inputs.projectId), clusterName)}.mongodb.net`;
        const specs = Array.isArray(inputs.replicationSpecs) ? (inputs.replicationSpecs as State[]) : [];
        return {
          id: `${String(inputs.projectId)}-${clusterName}`,
          state: {
            ...inputs,
            clusterId: atlasId,
            stateName: "IDLE",
            mongoDbVersion: "8.0.4",
            connectionStrings: { standardSrv: `mongodb+srv://${host}`, standard: `mongodb://${host}:27017`, privateEndpoints: [] },
            replicationSpecs: specs.map((s, i) => ({ ...s, zoneId: hexOf(24, "zone", clusterName, String(i)), externalId: hexOf(24, "shard", clusterName, String(i)) })),
          },
        };
      }
      case "mongodbatlas:index/cloudBackupSchedule:CloudBackupSchedule":
        return { id: atlasId, state: { ...inputs, clusterId: hexOf(24, "cluster", String(inputs.clusterName)), idPolicy: hexOf(24, "policy", name), nextSnapshot: "2026-01-01T18:00:00Z" } };
      case "mongodbatlas:index/backupCompliancePolicy:BackupCompliancePolicy":
        return { id: atlasId, state: { ...inputs, state: "ACTIVE", updatedDate: "2026-01-01T00:00:00Z", updatedUser: str(inputs.authorizedEmail, "") } };
      case "mongodbatlas:index/databaseUser:DatabaseUser":
        return { id: `${String(inputs.projectId)}-${String(inputs.username)}-admin`, state: { ...inputs } };
      case "mongodbatlas:index/customDbRole:CustomDbRole":
        return { id: `${String(inputs.projectId)}-${String(inputs.roleName)}`, state: { ...inputs } };
      case "mongodbatlas:index/projectIpAccessList:ProjectIpAccessList":
        return { id: `${String(inputs.projectId)}-${String(inputs.cidrBlock)}`, state: { ...inputs } };
      case "mongodbatlas:index/privateLinkEndpoint:PrivateLinkEndpoint":
        return {
          id: atlasId,
          state: {
            ...inputs,
            privateLinkId: atlasId,
            endpointServiceName: `com.amazonaws.vpce.${awsRegionOf(String(inputs.region))}.vpce-svc-${hexOf(17, "svc", name)}`,
            regionName: inputs.region,
            status: "AVAILABLE",
            interfaceEndpoints: [],
          },
        };
      case "mongodbatlas:index/privateLinkEndpointService:PrivateLinkEndpointService":
        return { id: atlasId, state: { ...inputs, awsConnectionStatus: "AVAILABLE", interfaceEndpointId: inputs.endpointServiceId } };
      case "mongodbatlas:index/cloudProviderAccessSetup:CloudProviderAccessSetup":
        return {
          id: atlasId,
          state: {
            ...inputs,
            roleId: atlasId,
            awsConfigs: [{ atlasAwsAccountArn: MOCK_ATLAS_AWS_ACCOUNT_ARN, atlasAssumedRoleExternalId: uuidOf("external", name) }],
          },
        };
      case "mongodbatlas:index/cloudProviderAccessAuthorization:CloudProviderAccessAuthorization":
        return { id: atlasId, state: { ...inputs, authorizedDate: "2026-01-01T00:00:00Z", featureUsages: [] } };
      case "mongodbatlas:index/encryptionAtRest:EncryptionAtRest":
        return { id: str(inputs.projectId, atlasId), state: { ...inputs } };
      case "mongodbatlas:index/alertConfiguration:AlertConfiguration":
        return { id: atlasId, state: { ...inputs, alertConfigurationId: atlasId } };
      case "random:index/randomPassword:RandomPassword": {
        // Really random: the generated value must never be predictable from the program, even in a plan.
        const length = typeof inputs.length === "number" ? inputs.length : 32;
        const result = randomBytes(length * 2).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, length);
        generatedSecrets.push(result);
        return { id: "none", state: { ...inputs, result, bcryptHash: `$2a$10$${hexOf(53, "bcrypt", result)}` } };
      }
      case "aws:kms/key:Key": {
        const keyId = uuidOf("kms", name);
        return { id: keyId, state: { ...inputs, keyId, arn: `${arnBase("kms")}:key/${keyId}` } };
      }
      case "aws:kms/alias:Alias":
        return { id: str(inputs.name, name), state: { ...inputs, arn: `${arnBase("kms")}:${str(inputs.name, name)}`, targetKeyArn: `${arnBase("kms")}:key/${String(inputs.targetKeyId)}` } };
      case "aws:iam/role:Role": {
        const roleName = str(inputs.name, name);
        return { id: roleName, state: { ...inputs, arn: `${arnBase("iam", false)}:role/${roleName}`, uniqueId: `AROA${hexOf(17, "role", roleName).toUpperCase()}` } };
      }
      case "aws:iam/rolePolicy:RolePolicy":
        return { id: `${String(inputs.role)}:${name}`, state: { ...inputs } };
      case "aws:secretsmanager/secret:Secret": {
        const secretName = str(inputs.name, name);
        const arn = `${arnBase("secretsmanager")}:secret:${secretName}-${hexOf(6, "secret", secretName)}`;
        return { id: arn, state: { ...inputs, arn, region } };
      }
      case "aws:secretsmanager/secretVersion:SecretVersion":
        return { id: `${String(inputs.secretId)}|${hexOf(8, "v", name)}`, state: { ...inputs, secretArn: inputs.secretId, versionId: uuidOf("version", name) } };
      case "aws:ec2/vpcEndpoint:VpcEndpoint": {
        const id = `vpce-${hexOf(17, "vpce", name)}`;
        return { id, state: { ...inputs, arn: `${arnBase("ec2")}:vpc-endpoint/${id}`, state: "available", dnsEntries: [], networkInterfaceIds: [] } };
      }
      case "aws:ssm/parameter:Parameter":
        return { id: str(inputs.name, name), state: { ...inputs, arn: `${arnBase("ssm")}:parameter${str(inputs.name, name)}`, version: 1 } };
      default:
        // Providers (`pulumi:providers:*`) and anything unmodelled: an id, and the inputs echoed back.
        return { id: `${name}-${hexOf(8, args.type, name)}`, state: { ...inputs } };
    }
  };

  const call = (args: pulumi.runtime.MockCallArgs): Record<string, unknown> => {
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
      return { accountId: MOCK_AWS_ACCOUNT, arn: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:user/tenantry`, userId: "AIDATENANTRY" };
    }
    if (args.token === "aws:index/getRegion:getRegion") return { name: defaultRegion, region: defaultRegion };
    return {};
  };

  return { mocks: { newResource, call }, generatedSecrets };
}
