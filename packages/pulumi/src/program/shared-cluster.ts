// One shared cluster (pool and bridge tenants): cluster, backup schedule, the application's user and secret, project network.
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import { credentialKey, databaseName, sharedSecretName, sharedUserName, type NamingContext } from "@tenantry/contract/naming";
import type { BackupPolicy, NetworkSpec, SharedCluster as SharedClusterSpec } from "@tenantry/core/registry/schema";
import { isDedicatedSize } from "@tenantry/core/registry/schema";
import { awsRegionOf } from "@tenantry/core/registry/zones";
import { backupScheduleArgs, wantsPointInTime } from "./backup";
import { createAccessList, createCredentials, createPrivateLink, dataOptions } from "./children";
import { clusterSafety, REGION_CHANGE_IS_REPLACEMENT, replicationSpecs } from "./cluster-spec";
import { sharedUserRoles } from "./roles";

export interface SharedClusterArgs {
  ctx: NamingContext;
  cluster: SharedClusterSpec;
  /** The zone's shared project (created by compose, or configured). */
  projectId: pulumi.Input<string>;
  policy: BackupPolicy;
  /** Project access list entries this component owns (only the project's first cluster gets them). */
  accessList: NetworkSpec["accessList"];
  /** PrivateLink this component owns (the project's first cluster in that region). */
  privateLink?: NetworkSpec["privateLink"][number];
  /** `protect` on data-bearing children. */
  protect: boolean;
}

/** A shared cluster; pool tenants are rows in the map, bridge tenants add their own BridgeTenant components. */
export class SharedCluster extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:SharedCluster";
  /** Atlas cluster name. */
  readonly clusterName: pulumi.Output<string>;
  /** `mongodb+srv://host` without credentials. */
  readonly standardSrv: pulumi.Output<string>;
  /** ARN of the application's credentials secret. */
  readonly secretArn: pulumi.Output<string>;
  /** The generated password: a Pulumi secret, never exported. */
  readonly password: pulumi.Output<string>;
  /** Connection-map key of the credential. */
  readonly credentialKey: string;

  constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SharedCluster.type, name, {}, opts);
    const { cluster, ctx } = args;
    const awsRegion = awsRegionOf(cluster.region);
    const tags = { "tenantry-environment": ctx.environment, "tenantry-kind": "shared", "tenantry-cluster": cluster.name };
    const dedicated = isDedicatedSize(cluster.instanceSize);

    let endpointService: mongodbatlas.PrivateLinkEndpointService | undefined;
    if (args.privateLink && dedicated) {
      endpointService = createPrivateLink(this, name, args.projectId, cluster.region, awsRegion, args.privateLink, tags);
    }
    createAccessList(this, name, args.projectId, args.accessList);

    const atlasCluster = new mongodbatlas.AdvancedCluster(
      `${name}-cluster`,
      {
        projectId: args.projectId,
        name: cluster.name,
        clusterType: "REPLICASET",
        replicationSpecs: replicationSpecs(cluster.region, cluster.instanceSize),
        ...clusterSafety(cluster.instanceSize, wantsPointInTime(args.policy)),
        advancedConfiguration: { minimumEnabledTlsProtocol: "TLS1_2" },
        tags,
      },
      // The private connection strings are only filled once the endpoint is linked (https://www.mongodb.com/docs/atlas/security-private-endpoint/).
      dataOptions(this, args.protect, {
        replaceOnChanges: REGION_CHANGE_IS_REPLACEMENT,
        ...(endpointService && { dependsOn: [endpointService] }),
      }),
    );

    if (dedicated) {
      new mongodbatlas.CloudBackupSchedule(
        `${name}-backup`,
        {
          projectId: args.projectId,
          clusterName: atlasCluster.name,
          ...backupScheduleArgs(args.policy, atlasCluster.replicationSpecs.apply((specs) => specs[0]?.zoneId ?? "")),
        },
        { parent: this },
      );
    }

    const credentials = createCredentials(this, name, {
      projectId: args.projectId,
      username: sharedUserName(ctx, cluster.name),
      roles: sharedUserRoles(databaseName(ctx)),
      clusterName: atlasCluster.name,
      secretName: sharedSecretName(ctx, cluster.name),
      awsRegion,
      description: `Tenantry ${ctx.environment}: application user of shared cluster ${cluster.name}`,
      protect: args.protect,
      tags,
    });

    this.clusterName = atlasCluster.name;
    this.standardSrv = atlasCluster.connectionStrings.apply((c) => c.standardSrv ?? "");
    this.secretArn = credentials.secretArn;
    this.password = credentials.password;
    this.credentialKey = credentialKey.shared(cluster.name);
    this.registerOutputs({ clusterName: this.clusterName, standardSrv: this.standardSrv, secretArn: this.secretArn });
  }
}
