// The tenant registry v1 (`stacks/<env>.tenants.yaml`): the zod schema is the contract; types are inferred from it.
import { z } from "zod";
import { ATLAS_REGIONS, RESIDENCY_ZONES } from "./zones";
import { FIRST_GENERATION, MAX_GENERATION } from "@tenantry/contract/naming";

export const STAGES = ["pool", "bridge", "silo"] as const;
export const TIERS = ["free", "business", "enterprise"] as const;
export const COMPLIANCE_FLAGS = ["SOC2", "ISO27001", "HIPAA", "FedRAMP", "GDPR"] as const;
export const TENANT_STATUSES = ["active", "frozen", "offboarding"] as const;

export const Stage = z.enum(STAGES).describe("Isolation stage: pool (shared collections), bridge (own collections), silo (own project and cluster).");
export const Tier = z.enum(TIERS).describe("Commercial tier; gives the default stage: free → pool, business → bridge, enterprise → silo.");
export const ComplianceFlag = z.enum(COMPLIANCE_FLAGS);
export const TenantStatus = z.enum(TENANT_STATUSES);
export const ResidencyZoneSchema = z.enum(RESIDENCY_ZONES).describe("Residency zone: where the tenant's data may live.");
export const AtlasRegionSchema = z.enum(ATLAS_REGIONS).describe("Atlas region name for AWS, e.g. EU_CENTRAL_1.");

/** Atlas instance sizes Tenantry accepts (https://www.mongodb.com/docs/atlas/reference/amazon-aws/). M0 and FLEX are not dedicated tiers. */
export const INSTANCE_SIZE_PATTERN =
  /^(M0|FLEX|M(10|20|30|40|50|60|80|140|200|300)|M(40|50|60|80|200|400)_NVME|M(30|40|50|60|80|140|200|300)_GEN_2|R(40|50|60|80|200|300|400|700)(_GEN_2)?)$/;
export const InstanceSize = z
  .string()
  .regex(INSTANCE_SIZE_PATTERN, "must be an Atlas AWS instance size such as M10, M30, M40_NVME, R40 or FLEX")
  .describe("Atlas instance size, e.g. M30.");

/** True for sizes that support cloud backup schedules, PIT and customer-managed keys (M10+). */
export function isDedicatedSize(size: string): boolean {
  return size !== "M0" && size !== "FLEX";
}

/** Lowercase slug used for tenant ids and shared cluster names. */
export const SLUG_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const TENANT_ID_MAX = 32;

const positiveInt = z.number().int().positive();

export const BackupPolicy = z
  .strictObject({
    hourly: z
      .strictObject({
        everyHours: positiveInt.describe("Snapshot interval in hours: 1, 2, 4, 6, 8 or 12 (NVMe: 12)."),
        keepDays: positiveInt.describe("Days each hourly snapshot is kept."),
      })
      .optional(),
    daily: z.strictObject({ keepDays: positiveInt.describe("Days each daily snapshot is kept.") }).optional(),
    weekly: z.strictObject({ keepWeeks: positiveInt.describe("Weeks each weekly snapshot is kept.") }).optional(),
    monthly: z.strictObject({ keepMonths: positiveInt.describe("Months each monthly snapshot is kept.") }).optional(),
    yearly: z.strictObject({ keepYears: positiveInt.describe("Years each yearly snapshot is kept.") }).optional(),
    pointInTimeDays: positiveInt
      .optional()
      .describe("Continuous backup (point-in-time restore) window in days; must not exceed the hourly retention."),
    copyTo: z
      .array(AtlasRegionSchema)
      .optional()
      .describe("Atlas regions that receive snapshot copies; they must lie in the residency zone of the cluster."),
  })
  .describe("A named backup policy, checked against Atlas's cloud backup rules.");

/** Longest retention accepted: Atlas TTL `expireAfterSeconds` must stay within a 32-bit int (68 years). */
export const MAX_RETENTION_DAYS = 24_855;
const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const Validator = z
  .strictObject({
    $jsonSchema: z
      .record(z.string(), z.unknown())
      .describe("A MongoDB $jsonSchema (https://www.mongodb.com/docs/manual/core/schema-validation/specify-json-schema/)."),
    validationLevel: z.enum(["strict", "moderate"]).default("strict").describe("strict: every insert and update; moderate: documents already valid. @default strict"),
    validationAction: z.enum(["error", "warn"]).default("error").describe("error: refuse invalid writes; warn: log them. @default error"),
  })
  .describe("Schema validation of one collection (https://www.mongodb.com/docs/manual/core/schema-validation/).");

export const IndexSpec = z.strictObject({
  keys: z
    .record(z.string().min(1), z.union([z.literal(1), z.literal(-1), z.enum(["text", "2dsphere", "hashed"])]))
    .describe("Index keys in order, e.g. { email: 1 }. Tenantry prefixes tenant_id (and user_id in user-scoped collections) itself."),
  unique: z
    .boolean()
    .optional()
    .describe("Unique within a tenant, and within a user in user-scoped collections (the tags lead the key). @default false"),
  name: z.string().min(1).optional().describe("Index name; derived from the keys when omitted."),
});

export const CollectionSpec = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-zA-Z0-9_]*$/, "must start with a lowercase letter and hold only letters, digits and _")
    .max(48)
    .describe("Logical collection name the application uses."),
  scope: z
    .enum(["tenant", "user"])
    .default("tenant")
    .describe("tenant: filtered by tenant_id; user: user-private, also filtered by user_id. @default tenant"),
  indexes: z.array(IndexSpec).default([]).describe("Indexes the application needs (tenant_id is prefixed)."),
  validator: Validator.optional().describe("Server-side document validation; `tenantry collections apply` adds the tag fields to it."),
  retentionDays: positiveInt
    .max(MAX_RETENTION_DAYS)
    .optional()
    .describe("Documents expire this many days after `retentionField` (a TTL index); bridge and silo tenants may override it."),
  retentionField: z
    .string()
    .regex(FIELD_PATTERN, "must be a top-level field name")
    .optional()
    .describe("The date field the TTL index reads; required when this collection has a retention, here or in a tenant."),
});

export const SharedCluster = z.strictObject({
  name: z.string().regex(SLUG_PATTERN, "must be a lowercase slug").max(23).describe("Atlas cluster name (unique in its first 23 characters)."),
  residency: ResidencyZoneSchema,
  region: AtlasRegionSchema,
  instanceSize: InstanceSize,
  backupPolicy: z.string().min(1).describe("Name of an entry in backupPolicies."),
  projectId: z
    .string()
    .regex(/^[0-9a-f]{24}$/, "must be a 24-character Atlas project id")
    .optional()
    .describe("Use this existing Atlas project instead of creating one for the residency zone."),
});

export const MoveSpec = z
  .strictObject({
    stage: Stage.describe("Target stage of the move."),
    sharedCluster: z.string().optional().describe("Target shared cluster (pool/bridge targets)."),
    region: AtlasRegionSchema.optional().describe("Target region (silo targets)."),
    instanceSize: InstanceSize.optional().describe("Target instance size (silo targets)."),
    backupPolicy: z.string().optional().describe("Target backup policy (silo targets)."),
    customerManagedKey: z
      .boolean()
      .optional()
      .describe("Target: encrypt the silo with a tenant KMS key (silo targets). @default the tenant's own setting; forced on for HIPAA and FedRAMP."),
    cutOver: z
      .boolean()
      .optional()
      .describe(
        "Set after `tenantry move cutover`: the target becomes the tenant's route, the source stays registered with protect lifted until `move:` is removed. @default false",
      ),
  })
  .describe("A declared move to another stage, cluster or region: the target is provisioned, routing stays on the current placement until cut-over.");

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

export const MaintenanceWindowSpec = z
  .strictObject({
    day: z.enum(WEEKDAYS).describe("Day the window starts (the project's time zone)."),
    hour: z.number().int().min(0).max(23).describe("Hour the window starts, 0-23."),
    autoDefer: z.boolean().default(false).describe("Defer each scheduled maintenance by one week automatically. @default false"),
  })
  .describe("Silo only: the maintenance window of the tenant's project; bridge and pool tenants share their cluster's window.");

export const AuditingSpec = z
  .strictObject({
    enabled: z.boolean().optional().describe("@default true for HIPAA and FedRAMP tenants, else false"),
    filter: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Audit filter (https://www.mongodb.com/docs/atlas/database-auditing/); @default authentication, users and roles, and DDL"),
    authorizationSuccess: z.boolean().default(false).describe("Also audit successful authorizations (every read and write; costly). @default false"),
  })
  .describe("Silo only: database auditing of the tenant's project.");

export const AutoScalingSpec = z
  .strictObject({
    minInstanceSize: InstanceSize.describe("Smallest size Atlas may scale the silo down to."),
    maxInstanceSize: InstanceSize.describe("Largest size Atlas may scale the silo up to."),
    scaleDown: z.boolean().default(true).describe("Allow scaling down to minInstanceSize. @default true"),
  })
  .describe("Silo only: compute auto-scaling bounds of the dedicated cluster (its instanceSize must lie within them).");

export const Tenant = z.strictObject({
  id: z
    .string()
    .regex(SLUG_PATTERN, "must be a lowercase slug: a-z, 0-9 and -, starting with a letter")
    .max(TENANT_ID_MAX)
    .describe("Stable tenant id; part of database, collection, user and secret names."),
  name: z.string().min(1).describe("Display name."),
  tier: Tier,
  stage: Stage.optional().describe("Explicit stage; may raise the tier default, never go below the compliance floor."),
  residency: ResidencyZoneSchema,
  sharedCluster: z.string().optional().describe("Shared cluster for pool/bridge tenants. @default the first shared cluster of the zone"),
  region: AtlasRegionSchema.optional().describe("Silo only: the region of the dedicated cluster."),
  instanceSize: InstanceSize.optional().describe("Silo only: size of the dedicated cluster. @default M10"),
  compliance: z.array(ComplianceFlag).default([]).describe("Compliance regimes; HIPAA/FedRAMP need silo, SOC2/ISO27001 bridge or silo."),
  backupPolicy: z.string().optional().describe("Silo only: name of an entry in backupPolicies."),
  customerManagedKey: z.boolean().optional().describe("Silo only: encrypt with a tenant KMS key. Forced on for HIPAA and FedRAMP."),
  sla: z.enum(["99.9", "99.95", "99.99"]).optional().describe("Availability commitment; 99.99 is a stage 3 trigger."),
  status: TenantStatus.default("active").describe("Lifecycle: active, frozen (writes refused), offboarding (resources retained, then removed from the program)."),
  generation: z
    .number()
    .int()
    .min(FIRST_GENERATION)
    .max(MAX_GENERATION)
    .optional()
    .describe(
      "Bridge/silo only: bumped when a move within a stage (another shared cluster, another region) is cut over; part of the names of its dedicated resources. @default 1",
    ),
  move: MoveSpec.optional(),
  retention: z
    .record(z.string(), positiveInt.max(MAX_RETENTION_DAYS))
    .optional()
    .describe("Bridge/silo only: retention days per collection for this tenant's own collections (a pool tenant shares the collection's TTL)."),
  maintenanceWindow: MaintenanceWindowSpec.optional(),
  auditing: AuditingSpec.optional(),
  autoScaling: AutoScalingSpec.optional(),
  customerDba: z
    .boolean()
    .optional()
    .describe("Silo only: a database user for the customer's own administrator (readWrite + dbAdmin on the tenant's database), password in Secrets Manager. @default false"),
  alerts: z
    .strictObject({ email: z.email().describe("The tenant's own contact for its cluster's alerts (in addition to contacts.alertsEmail).") })
    .optional()
    .describe("Silo only: route the silo's Atlas alerts to the tenant's own contact as well."),
});

export const Contact = z.strictObject({
  email: z.email(),
  firstName: z.string().min(1),
  lastName: z.string().min(1),
});

export const NetworkSpec = z.strictObject({
  accessList: z
    .array(
      z.strictObject({
        cidr: z.cidrv4().describe("Application egress CIDR. 0.0.0.0/0 is refused."),
        comment: z.string().optional(),
      }),
    )
    .default([])
    .describe("IP access list entries for every project Tenantry manages."),
  privateLink: z
    .array(
      z.strictObject({
        region: AtlasRegionSchema,
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/),
        subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(1),
        securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).default([]),
      }),
    )
    .default([])
    .describe("Application VPCs per region; clusters in these regions get an AWS PrivateLink endpoint."),
});

export const Registry = z
  .strictObject({
    $schema: z.string().optional().describe("Path to the JSON Schema (editor support)."),
    version: z.literal(1),
    environment: z.string().regex(SLUG_PATTERN, "must be a lowercase slug").max(12).describe("Environment name, e.g. prod."),
    collections: z.array(CollectionSpec).min(1).describe("The application's logical collections."),
    sharedClusters: z.array(SharedCluster).default([]),
    backupPolicies: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), BackupPolicy).default({}),
    contacts: z
      .strictObject({
        backupCompliance: Contact.optional().describe("Authorized user of Backup Compliance Policies (required for HIPAA/FedRAMP silos)."),
        alertsEmail: z.email().optional().describe("Where Atlas alerts of silo clusters are sent."),
      })
      .default({}),
    network: NetworkSpec.default({ accessList: [], privateLink: [] }),
    tenants: z.array(Tenant).default([]),
  })
  .describe("Tenantry tenant registry v1.");

export type Stage = z.infer<typeof Stage>;
export type Tier = z.infer<typeof Tier>;
export type ComplianceFlag = z.infer<typeof ComplianceFlag>;
export type TenantStatus = z.infer<typeof TenantStatus>;
export type BackupPolicy = z.infer<typeof BackupPolicy>;
export type CollectionSpec = z.infer<typeof CollectionSpec>;
export type Validator = z.infer<typeof Validator>;
export type MaintenanceWindowSpec = z.infer<typeof MaintenanceWindowSpec>;
export type AuditingSpec = z.infer<typeof AuditingSpec>;
export type AutoScalingSpec = z.infer<typeof AutoScalingSpec>;
export type IndexSpec = z.infer<typeof IndexSpec>;
export type SharedCluster = z.infer<typeof SharedCluster>;
export type Tenant = z.infer<typeof Tenant>;
export type MoveSpec = z.infer<typeof MoveSpec>;
export type NetworkSpec = z.infer<typeof NetworkSpec>;
export type Registry = z.infer<typeof Registry>;
/** The registry as written in the file, before defaults. */
export type RegistryInput = z.input<typeof Registry>;
