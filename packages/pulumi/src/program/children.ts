// Child-resource groups several components share (credentials, access list, PrivateLink); each registers under a given parent.
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NetworkSpec } from "@tenantry/core/registry/schema";
import { assertClosedCidr, cidrSlug } from "./network";

/** Options for data-bearing children: `protect` as configured, always `retainOnDelete` so a removal never deletes data. */
export function dataOptions(parent: pulumi.Resource, protect: boolean, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { ...extra, parent, protect, retainOnDelete: true };
}

export interface CredentialArgs {
  projectId: pulumi.Input<string>;
  username: string;
  roles: { roleName: pulumi.Input<string>; databaseName: string }[];
  /** Atlas cluster the user may reach (`scopes`); always set so a user never reaches the whole project. */
  clusterName: pulumi.Input<string>;
  secretName: string;
  /** AWS region code of the secret: the cluster's region. */
  awsRegion: string;
  /** KMS key ARN encrypting the secret (silo with customer-managed key). */
  kmsKeyArn?: pulumi.Input<string>;
  description: string;
  protect: boolean;
  tags: Record<string, string>;
}

export interface Credentials {
  password: pulumi.Output<string>;
  user: mongodbatlas.DatabaseUser;
  secret: aws.secretsmanager.Secret;
  secretArn: pulumi.Output<string>;
}

/** RandomPassword → DatabaseUser (scoped to one cluster) → Secrets Manager secret `{username,password}` in the cluster's region. */
export function createCredentials(parent: pulumi.Resource, name: string, args: CredentialArgs): Credentials {
  // No special characters: the password goes into URIs, and 32 alphanumerics carry ~190 bits.
  const generated = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent });
  // The engine marks `result` secret through additionalSecretOutputs; wrapping it here makes that hold in our own code
  // too (and under mocks, which ignore additionalSecretOutputs).
  const password = pulumi.secret(generated.result);
  const user = new mongodbatlas.DatabaseUser(
    `${name}-user`,
    {
      projectId: args.projectId,
      username: args.username,
      authDatabaseName: "admin",
      password,
      roles: args.roles,
      scopes: [{ type: "CLUSTER", name: args.clusterName }],
      description: args.description,
    },
    { parent, deleteBeforeReplace: true },
  );
  const secret = new aws.secretsmanager.Secret(
    `${name}-secret`,
    {
      name: args.secretName,
      description: args.description,
      region: args.awsRegion,
      ...(args.kmsKeyArn && { kmsKeyId: args.kmsKeyArn }),
      tags: args.tags,
    },
    dataOptions(parent, args.protect),
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-secret-version`,
    {
      secretId: secret.id,
      region: args.awsRegion,
      // jsonStringify keeps the password's secretness (https://www.pulumi.com/docs/iac/concepts/secrets/).
      secretString: pulumi.jsonStringify({ username: args.username, password }),
    },
    dataOptions(parent, args.protect),
  );
  return { password, user, secret, secretArn: secret.arn };
}

/** One ProjectIpAccessList entry per CIDR, named after the CIDR. */
export function createAccessList(
  parent: pulumi.Resource,
  name: string,
  projectId: pulumi.Input<string>,
  entries: NetworkSpec["accessList"],
): mongodbatlas.ProjectIpAccessList[] {
  return entries.map((entry) => {
    assertClosedCidr(entry.cidr);
    return new mongodbatlas.ProjectIpAccessList(
      `${name}-access-${cidrSlug(entry.cidr)}`,
      { projectId, cidrBlock: entry.cidr, comment: entry.comment ?? "tenantry" },
      { parent },
    );
  });
}

/** Atlas PrivateLink endpoint service + the application's interface VPC endpoint + the link between them (https://www.mongodb.com/docs/atlas/security-private-endpoint/). */
export function createPrivateLink(
  parent: pulumi.Resource,
  name: string,
  projectId: pulumi.Input<string>,
  atlasRegion: string,
  awsRegion: string,
  spec: NetworkSpec["privateLink"][number],
  tags: Record<string, string>,
): mongodbatlas.PrivateLinkEndpointService {
  const endpoint = new mongodbatlas.PrivateLinkEndpoint(
    `${name}-pl-endpoint`,
    // Atlas format, and never switch formats later: that would replace the endpoint (https://www.mongodb.com/docs/atlas/security-private-endpoint/).
    { projectId, providerName: "AWS", region: atlasRegion },
    { parent },
  );
  const vpce = new aws.ec2.VpcEndpoint(
    `${name}-pl-vpce`,
    {
      vpcId: spec.vpcId,
      serviceName: endpoint.endpointServiceName,
      vpcEndpointType: "Interface",
      subnetIds: spec.subnetIds,
      securityGroupIds: spec.securityGroupIds,
      region: awsRegion,
      tags,
    },
    { parent },
  );
  return new mongodbatlas.PrivateLinkEndpointService(
    `${name}-pl-service`,
    { projectId, privateLinkId: endpoint.privateLinkId, endpointServiceId: vpce.id, providerName: "AWS" },
    { parent },
  );
}
