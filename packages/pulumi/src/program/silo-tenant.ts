// One silo tenant: its own project, cluster, backup schedule, key chain, compliance policy, credentials, network, alerts
// and its own operations (maintenance window, auditing, auto-scaling, customer DBA user, alert routing).
import * as aws from "@pulumi/aws";
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import {
  credentialKey,
  customerDbaSecretName,
  customerDbaUserName,
  databaseName,
  siloClusterName,
  siloProjectName,
  tenantKeyAlias,
  tenantKeyRoleName,
  tenantStageSecretName,
  tenantUserName,
  type NamingContext,
} from "@tenantry/contract/naming";
import type { Location } from "@tenantry/core/placement/types";
import { isDedicatedSize, type BackupPolicy, type NetworkSpec } from "@tenantry/core/registry/schema";
import { awsRegionOf } from "@tenantry/core/registry/zones";
import { alertTarget, siloAlerts } from "./alerts";
import { backupScheduleArgs, policyItems, wantsPointInTime } from "./backup";
import { createAccessList, createCredentials, createPrivateLink, dataOptions } from "./children";
import { autoScalingFields, clusterSafety, REGION_CHANGE_IS_REPLACEMENT, replicationSpecs } from "./cluster-spec";
import type { SiloOperations } from "./silo-ops";

export interface SiloTenantArgs {
  ctx: NamingContext;
  tenantId: string;
  location: Extract<Location, { stage: "silo" }>;
  policy: BackupPolicy;
  /** Atlas organization of the project (the Atlas for Government org for FedRAMP tenants). */
  orgId: string;
  accessList: NetworkSpec["accessList"];
  privateLink?: NetworkSpec["privateLink"][number];
  /** Authorized user of the Backup Compliance Policy (required when the location asks for one). */
  complianceContact?: { email: string; firstName: string; lastName: string };
  alertsEmail?: string;
  /** `protect` on data-bearing children (false while offboarding or retired after a cut-over). */
  protect: boolean;
  /** The silo's own operations (`siloOperations`). @default none: Atlas's maintenance schedule, no auditing, fixed size */
  operations?: SiloOperations;
}

/** A dedicated project + cluster for one tenant, with physical isolation of data, keys, credentials and network. */
export class SiloTenant extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:SiloTenant";
  readonly clusterName: pulumi.Output<string>;
  readonly standardSrv: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string>;
  /** The generated password: a Pulumi secret, never exported. */
  readonly password: pulumi.Output<string>;
  readonly projectId: pulumi.Output<string>;
  readonly credentialKey: string;
  /** ARN of the customer DBA user's secret, when the registry asks for one (never exported in the map). */
  readonly dbaSecretArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: SiloTenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SiloTenant.type, name, {}, opts);
    const { ctx, tenantId, location, policy } = args;
    const { generation } = location;
    const awsRegion = awsRegionOf(location.region);
    const tags = { "tenantry-environment": ctx.environment, "tenantry-kind": "silo", "tenantry-tenant": tenantId };
    const pit = wantsPointInTime(policy);
    const dedicated = isDedicatedSize(location.instanceSize);
    const ops: SiloOperations = args.operations ?? { customerDba: false };
    // Auto-scaling, auditing and maintenance windows exist on dedicated tiers only (REFERENCE §2.3, §2.14).
    const autoScaling = dedicated ? ops.autoScaling : undefined;

    const project = new mongodbatlas.Project(
      `${name}-project`,
      { orgId: args.orgId, name: siloProjectName(ctx, tenantId, generation), tags },
      dataOptions(this, args.protect),
    );

    // Customer-managed key chain (https://www.mongodb.com/docs/atlas/security-aws-kms/): key → Atlas access role → IAM role → authorization → encryption at rest.
    let key: aws.kms.Key | undefined;
    let encryption: mongodbatlas.EncryptionAtRest | undefined;
    if (location.customerManagedKey && dedicated) {
      key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `Tenantry ${ctx.environment}: encryption at rest of tenant ${tenantId}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          // Single-region: a multi-region key would copy key material out of the residency zone.
          multiRegion: false,
          region: awsRegion,
          tags,
        },
        dataOptions(this, args.protect),
      );
      new aws.kms.Alias(`${name}-key-alias`, { name: tenantKeyAlias(ctx, tenantId, generation), targetKeyId: key.keyId, region: awsRegion }, { parent: this });
      const setup = new mongodbatlas.CloudProviderAccessSetup(`${name}-cpa-setup`, { projectId: project.id, providerName: "AWS" }, { parent: this });
      const assumeRolePolicy = setup.awsConfigs.apply((configs) => {
        const config = configs[0];
        return JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: config?.atlasAwsAccountArn ?? "" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": config?.atlasAssumedRoleExternalId ?? "" } },
            },
          ],
        });
      });
      const role = new aws.iam.Role(`${name}-kms-role`, { name: tenantKeyRoleName(ctx, tenantId, generation), assumeRolePolicy, tags }, { parent: this });
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-kms-policy`,
        {
          role: role.id,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: key.arn }],
          }),
        },
        { parent: this },
      );
      const authorization = new mongodbatlas.CloudProviderAccessAuthorization(
        `${name}-cpa-auth`,
        { projectId: project.id, roleId: setup.roleId, aws: { iamAssumedRoleArn: role.arn } },
        // Atlas checks the role can use the key when authorizing: the policy must exist first.
        { parent: this, dependsOn: [rolePolicy] },
      );
      encryption = new mongodbatlas.EncryptionAtRest(
        `${name}-encryption`,
        {
          projectId: project.id,
          awsKmsConfig: { enabled: true, customerMasterKeyId: key.keyId, region: location.region, roleId: authorization.roleId },
        },
        dataOptions(this, args.protect),
      );
    }

    let endpointService: mongodbatlas.PrivateLinkEndpointService | undefined;
    if (args.privateLink && dedicated) {
      endpointService = createPrivateLink(this, name, project.id, location.region, awsRegion, args.privateLink, tags);
    }
    createAccessList(this, name, project.id, args.accessList);

    const cluster = new mongodbatlas.AdvancedCluster(
      `${name}-cluster`,
      {
        // `encryption.projectId` orders the cluster after encryption at rest (https://www.mongodb.com/docs/atlas/security-aws-kms/).
        projectId: encryption ? encryption.projectId : project.id,
        name: siloClusterName(tenantId),
        clusterType: "REPLICASET",
        replicationSpecs: replicationSpecs(location.region, location.instanceSize, autoScaling),
        ...autoScalingFields(autoScaling),
        ...clusterSafety(location.instanceSize, pit),
        encryptionAtRestProvider: encryption ? "AWS" : "NONE",
        advancedConfiguration: { minimumEnabledTlsProtocol: "TLS1_2" },
        tags,
      },
      dataOptions(this, args.protect, {
        replaceOnChanges: REGION_CHANGE_IS_REPLACEMENT,
        ...(endpointService && { dependsOn: [endpointService] }),
      }),
    );

    // Schedules exist on dedicated tiers only; Flex / M0 keep Atlas's automatic snapshots (planLayout warns).
    const schedule = dedicated
      ? new mongodbatlas.CloudBackupSchedule(
          `${name}-backup`,
          {
            projectId: project.id,
            clusterName: cluster.name,
            ...backupScheduleArgs(policy, cluster.replicationSpecs.apply((specs) => specs[0]?.zoneId ?? "")),
            // Under a compliance policy Atlas refuses to delete the schedule; destroy only forgets it (https://www.mongodb.com/docs/atlas/backup/cloud-backup/backup-compliance-policy/).
            ...(location.backupCompliancePolicy && { skipDestroy: true }),
          },
          { parent: this },
        )
      : undefined;

    if (location.backupCompliancePolicy && schedule) {
      const contact = args.complianceContact;
      if (!contact) throw new Error(`tenant [${tenantId}] needs contacts.backupCompliance for its Backup Compliance Policy`);
      const items = policyItems(policy);
      new mongodbatlas.BackupCompliancePolicy(
        `${name}-compliance`,
        {
          projectId: project.id,
          authorizedEmail: contact.email,
          authorizedUserFirstName: contact.firstName,
          authorizedUserLastName: contact.lastName,
          copyProtectionEnabled: true,
          encryptionAtRestEnabled: location.customerManagedKey,
          pitEnabled: pit,
          ...items,
          // Atlas requires an on-demand item; keep on-demand snapshots as long as the daily ones.
          onDemandPolicyItem: { frequencyInterval: 0, retentionUnit: "days", retentionValue: items.policyItemDaily?.retentionValue ?? 7 },
        },
        // Irreversible once enabled: installed after the schedule so the cluster's policy already meets it.
        dataOptions(this, args.protect, { dependsOn: [schedule] }),
      );
    }

    const credentials = createCredentials(this, name, {
      projectId: project.id,
      username: tenantUserName(ctx, tenantId, generation),
      roles: [{ roleName: "readWrite", databaseName: databaseName(ctx) }],
      clusterName: cluster.name,
      secretName: tenantStageSecretName(ctx, "silo", tenantId, generation),
      awsRegion,
      ...(key && { kmsKeyArn: key.arn }),
      description: `Tenantry ${ctx.environment}: silo tenant ${tenantId}`,
      protect: args.protect,
      tags,
    });

    // The tenant's own window: a bridge tenant shares its shared project's window, so only a silo has one of its own.
    if (ops.maintenanceWindow && dedicated) {
      new mongodbatlas.MaintenanceWindow(`${name}-maintenance`, { projectId: project.id, ...ops.maintenanceWindow }, { parent: this });
    }
    if (ops.auditing && dedicated) {
      const { required, ...auditing } = ops.auditing;
      // Removing a compliance-required audit configuration would switch auditing off: protected like the data.
      new mongodbatlas.Auditing(`${name}-auditing`, { projectId: project.id, ...auditing }, required ? dataOptions(this, args.protect) : { parent: this });
    }
    let dba: ReturnType<typeof createCredentials> | undefined;
    if (ops.customerDba) {
      // Roles on the tenant's database only, scoped to its cluster: the customer administers its data, nothing else.
      dba = createCredentials(this, `${name}-dba`, {
        projectId: project.id,
        username: customerDbaUserName(ctx, tenantId, generation),
        roles: [
          { roleName: "readWrite", databaseName: databaseName(ctx) },
          { roleName: "dbAdmin", databaseName: databaseName(ctx) },
        ],
        clusterName: cluster.name,
        secretName: customerDbaSecretName(ctx, tenantId, generation),
        awsRegion,
        ...(key && { kmsKeyArn: key.arn }),
        description: `Tenantry ${ctx.environment}: customer DBA of silo tenant ${tenantId}`,
        protect: args.protect,
        tags,
      });
    }

    for (const alert of siloAlerts(alertTarget(args.alertsEmail), ops.alertsEmail)) {
      const { key: suffix, ...definition } = alert;
      new mongodbatlas.AlertConfiguration(`${name}-alert-${suffix}`, { projectId: project.id, ...definition }, { parent: this });
    }

    this.projectId = project.id;
    this.clusterName = cluster.name;
    this.standardSrv = cluster.connectionStrings.apply((c) => c.standardSrv ?? "");
    this.secretArn = credentials.secretArn;
    this.password = credentials.password;
    this.credentialKey = credentialKey.silo(tenantId, generation);
    this.dbaSecretArn = dba?.secretArn;
    this.registerOutputs({ projectId: this.projectId, clusterName: this.clusterName, standardSrv: this.standardSrv, secretArn: this.secretArn });
  }
}
