// Every physical name Tenantry creates (projects, clusters, databases, collections, users, roles, secrets).
// Names are identity in Pulumi and in Atlas: changing a function here renames, i.e. replaces, real resources.

/** Naming context of one stack: the configured prefix and the registry's environment. */
export interface NamingContext {
  /** Short slug naming the product, e.g. `acme`; at most 12 characters. */
  prefix: string;
  /** Registry environment, e.g. `prod`; at most 12 characters. */
  environment: string;
}

/**
 * Generation of a tenant's dedicated resources: bumped when a move within a stage (bridge → bridge, silo → silo) is
 * cut over, so the target can be provisioned beside the current placement under other names. Generation 1 names are
 * the names deployed before generations existed and must never change (a rename is a replacement).
 */
export const FIRST_GENERATION = 1;
/** Highest generation the registry accepts: keeps `-g<n>` within 4 characters so every name stays within its limit. */
export const MAX_GENERATION = 99;

/** Suffix of a physical name (Atlas project, role, user; AWS secret, KMS alias, IAM role; Pulumi names): none for generation 1, `-g<n>` after. */
export function generationSuffix(generation: number = FIRST_GENERATION): string {
  return generation === FIRST_GENERATION ? "" : `-g${generation}`;
}

/** Suffix of a connection-map key (`silo:<id>#g2`): `#` never occurs in ids or cluster names, so keys stay unambiguous. */
function keySuffix(generation: number = FIRST_GENERATION): string {
  return generation === FIRST_GENERATION ? "" : `#g${generation}`;
}

export const TENANT_FIELD = "tenant_id";
export const USER_FIELD = "user_id";

/** Atlas project of a residency zone's shared clusters (project names ≤ 64 chars). */
export function sharedProjectName(ctx: NamingContext, zone: string): string {
  return `${ctx.prefix}-${ctx.environment}-${zone}`;
}

/** Atlas project of a silo tenant (≤ 12 + 1 + 12 + 3 + 32 + 4 = 64 characters, Atlas's limit). */
export function siloProjectName(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `${ctx.prefix}-${ctx.environment}-t-${tenantId}${generationSuffix(generation)}`;
}

/** Atlas cluster name of a silo tenant (unique in its first 23 characters within its own project; every generation has its own project, so no suffix). */
export function siloClusterName(tenantId: string): string {
  return `t-${tenantId}`;
}

/** The application database, the same in every stage so a move keeps the database name. */
export function databaseName(ctx: NamingContext): string {
  return ctx.prefix;
}

/** Physical collection of a logical collection for a tenant at a stage. */
export function collectionName(stage: "pool" | "bridge" | "silo", tenantId: string, logical: string): string {
  return stage === "bridge" ? `t_${tenantId}__${logical}` : logical;
}

/** Database user of a shared cluster's application. */
export function sharedUserName(ctx: NamingContext, cluster: string): string {
  return `${ctx.prefix}-${ctx.environment}-${cluster}-app`;
}

/** Database user of a bridge or silo tenant (two bridge generations may share a project). */
export function tenantUserName(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `${ctx.prefix}-${ctx.environment}-t-${tenantId}${generationSuffix(generation)}`;
}

/** Database user of a silo tenant's own administrator (`customerDba`): readWrite + dbAdmin on the tenant's database only. */
export function customerDbaUserName(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `${tenantUserName(ctx, tenantId, generation)}-dba`;
}

/** Secrets Manager name of the customer DBA user's credentials, beside the tenant's own. */
export function customerDbaSecretName(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `${tenantSecretName(ctx, tenantId)}/dba${generationSuffix(generation)}`;
}

/** Custom role that reaches only a bridge tenant's collections (letters, digits, _ and -). */
export function bridgeRoleName(tenantId: string, generation?: number): string {
  return `t-${tenantId}${generationSuffix(generation)}-rw`;
}

/** Secrets Manager name of a shared cluster's application credentials. */
export function sharedSecretName(ctx: NamingContext, cluster: string): string {
  return `tenantry/${ctx.prefix}/${ctx.environment}/shared/${cluster}`;
}

/** Secrets Manager name of a bridge or silo tenant's credentials. */
export function tenantSecretName(ctx: NamingContext, tenantId: string): string {
  return `tenantry/${ctx.prefix}/${ctx.environment}/tenants/${tenantId}`;
}

/** KMS alias of a silo tenant's customer-managed key. */
export function tenantKeyAlias(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `alias/tenantry-${ctx.prefix}-${ctx.environment}-${tenantId}${generationSuffix(generation)}`;
}

/** IAM role Atlas assumes to use a silo tenant's key (≤ 64 characters: `registry/rules/ids.ts` checks it). */
export function tenantKeyRoleName(ctx: NamingContext, tenantId: string, generation?: number): string {
  return `tenantry-${ctx.prefix}-${ctx.environment}-${tenantId}${generationSuffix(generation)}-kms`;
}

/** Key of a cluster in the connection map: shared clusters by name, silo clusters by tenant. */
export function sharedClusterKey(cluster: string): string {
  return `shared:${cluster}`;
}
export function siloClusterKey(tenantId: string, generation?: number): string {
  return `silo:${tenantId}${keySuffix(generation)}`;
}

/** Pulumi logical names of the components (children derive theirs from these). */
export const componentName = {
  shared: (cluster: string) => `shared-${cluster}`,
  bridge: (tenantId: string, generation?: number) => `bridge-${tenantId}${generationSuffix(generation)}`,
  silo: (tenantId: string, generation?: number) => `silo-${tenantId}${generationSuffix(generation)}`,
  sharedProject: (zone: string) => `project-${zone}`,
};

/** Key of a credential in the connection map: one per shared cluster, one per bridge or silo tenant (a move may hold both). */
export const credentialKey = {
  shared: (cluster: string) => `shared:${cluster}`,
  bridge: (tenantId: string, generation?: number) => `bridge:${tenantId}${keySuffix(generation)}`,
  silo: (tenantId: string, generation?: number) => `silo:${tenantId}${keySuffix(generation)}`,
};

/** Secrets Manager name of a tenant's credentials at one stage (a bridge → silo move holds both at once). */
export function tenantStageSecretName(ctx: NamingContext, stage: "bridge" | "silo", tenantId: string, generation?: number): string {
  return `${tenantSecretName(ctx, tenantId)}/${stage}${generationSuffix(generation)}`;
}

/** SSM parameter prefix under which the connection map is published (one parameter per tenant + one for the rest). */
export function mapParameterPrefix(ctx: NamingContext): string {
  return `/tenantry/${ctx.prefix}/${ctx.environment}/map`;
}

/** Database of the runtime control plane of moves on the control cluster: overrides (resolvers poll) and the move journal. */
export const CONTROL_DATABASE = "tenantry";
/** The control collection in CONTROL_DATABASE: one move state document per tenant (route override, step, lease, journal). */
export const CONTROL_OVERRIDES_COLLECTION = "overrides";
/** Earlier moves' state documents, archived when a tenant moves again, in CONTROL_DATABASE. */
export const MOVES_COLLECTION = "tenantry_moves";
