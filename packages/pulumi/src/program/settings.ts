// Program settings as plain typed values: their schema, defaults and the mapping from stack configuration keys.
// No Pulumi import: the offline plan and the CLI use this without loading the SDK.
import { z } from "zod";

/** Every setting the program needs; plain values so the composition is testable without Config. */
export interface ProgramSettings {
  /** Atlas organization that owns the commercial projects (`tenantry:atlasOrgId`). */
  atlasOrgId: string;
  /** Atlas for Government organization, required only when a FedRAMP / `us-gov` tenant exists (`tenantry:atlasGovOrgId`). */
  atlasGovOrgId?: string;
  /** AWS region of the default provider and of published SSM parameters (`tenantry:awsRegion`, else `aws:region`). @default us-east-1 */
  awsRegion: string;
  /** AWS CLI profile of the GovCloud account, used for AWS resources of `us-gov` tenants (`tenantry:awsGovProfile`). */
  awsGovProfile?: string;
  /** Path of the tenant registry, relative to the project root (`tenantry:registryPath`). @default stacks/<stack>.tenants.yaml */
  registryPath: string;
  /** Short slug prefixed to every physical name, at most 12 characters (`tenantry:namingPrefix`). @default app */
  namingPrefix: string;
  /** `protect` on data-bearing resources; turn off only for throw-away environments (`tenantry:protect`). @default true */
  protect: boolean;
  /** Publish the connection map to SSM Parameter Store, one parameter per tenant (`tenantry:publishToSsm`). @default false */
  publishToSsm: boolean;
  /** Existing Atlas project per residency zone for shared clusters, instead of creating one (`tenantry:sharedProjectIds`). @default {} */
  sharedProjectIds: Record<string, string>;
  /**
   * How the environment is split into Pulumi stacks (`tenantry:stackLayout`): `single` keeps every resource in the
   * environment's stack; `per-tenant` keeps a shared stack, one stack per silo tenant and bridge shards (README "Past
   * one stack"). @default single
   */
  stackLayout: StackLayout;
  /** At most this many bridge tenants per bridge shard stack in the per-tenant layout (`tenantry:bridgeShardSize`). @default 50 */
  bridgeShardSize: number;
  /**
   * The environment's shared stack (`tenantry:environmentStack`): tenant stacks of the per-tenant layout name it so
   * their part and registry follow from their own stack name. @default the stack itself
   */
  environmentStack?: string;
}

export const STACK_LAYOUTS = ["single", "per-tenant"] as const;
export type StackLayout = (typeof STACK_LAYOUTS)[number];

/** Defaults of the optional keys (the org id placeholder only serves the offline plan; real stacks must set it). */
export const DEFAULT_SETTINGS: ProgramSettings = {
  atlasOrgId: "000000000000000000000000",
  awsRegion: "us-east-1",
  registryPath: "stacks/dev.tenants.yaml",
  namingPrefix: "app",
  protect: true,
  publishToSsm: false,
  sharedProjectIds: {},
  stackLayout: "single",
  bridgeShardSize: 50,
};

/** What the offline plan runs with: the defaults plus a placeholder Atlas for Government org. */
export const OFFLINE_SETTINGS: ProgramSettings = { ...DEFAULT_SETTINGS, atlasGovOrgId: "000000000000000000000001" };

const ATLAS_ID = /^[0-9a-f]{24}$/;

/** Validates settings however they were obtained (config or a caller); throws SettingsError listing every bad key. */
export const SettingsSchema = z.strictObject({
  atlasOrgId: z.string().regex(ATLAS_ID, "must be a 24-character Atlas organization id"),
  atlasGovOrgId: z.string().regex(ATLAS_ID, "must be a 24-character Atlas organization id").optional(),
  awsRegion: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region code such as eu-central-1"),
  awsGovProfile: z.string().min(1).optional(),
  registryPath: z.string().min(1),
  namingPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, "must be a lowercase slug")
    .max(12),
  protect: z.boolean(),
  publishToSsm: z.boolean(),
  sharedProjectIds: z.record(z.string(), z.string().regex(ATLAS_ID, "must be a 24-character Atlas project id")),
  stackLayout: z.enum(STACK_LAYOUTS, { error: "must be single or per-tenant" }),
  // Pulumi's update of a stack grows with its resources; 500 bridge tenants × 6 resources is a stack of 3,000.
  bridgeShardSize: z.number().int("must be a whole number").min(1, "must be at least 1").max(500, "must be at most 500"),
  environmentStack: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi stack name").optional(),
});

/** Thrown when the stack configuration cannot be used; `problems` holds `key: message` lines. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid tenantry settings:\n  ${problems.join("\n  ")}`);
  }
}

/** Merges `partial` over `base` (the defaults) and validates the result. */
export function resolveSettings(
  partial: Partial<ProgramSettings> = {},
  base: ProgramSettings = DEFAULT_SETTINGS,
): ProgramSettings {
  const merged = { ...base, ...stripUndefined(partial) };
  const parsed = SettingsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => `${i.path.join(".") || "(settings)"}: ${i.message}`));
  }
  return parsed.data;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where stack configuration comes from: `pulumi.Config` under `pulumi up`, the stack file for the offline plan. */
export interface ConfigSource {
  /** A `tenantry:<key>` value. */
  get(key: string): string | undefined;
  getBoolean(key: string): boolean | undefined;
  getObject<T>(key: string): T | undefined;
  /** A `tenantry:<key>` number (Pulumi parses the string). */
  getNumber(key: string): number | undefined;
  /** `aws:region`, the fallback of `tenantry:awsRegion`. */
  awsRegion(): string | undefined;
}

/** Maps stack configuration keys to settings: the one mapping, whatever the source. */
export function settingsFrom(source: ConfigSource, stack: string, base: ProgramSettings = DEFAULT_SETTINGS): ProgramSettings {
  const environmentStack = source.get("environmentStack");
  return resolveSettings(
    {
      atlasOrgId: source.get("atlasOrgId"),
      atlasGovOrgId: source.get("atlasGovOrgId"),
      awsRegion: source.get("awsRegion") ?? source.awsRegion(),
      awsGovProfile: source.get("awsGovProfile"),
      registryPath: source.get("registryPath") ?? `stacks/${environmentStack ?? stack}.tenants.yaml`,
      namingPrefix: source.get("namingPrefix"),
      protect: source.getBoolean("protect"),
      publishToSsm: source.getBoolean("publishToSsm"),
      sharedProjectIds: source.getObject<Record<string, string>>("sharedProjectIds"),
      stackLayout: source.get("stackLayout") as StackLayout | undefined,
      bridgeShardSize: source.getNumber("bridgeShardSize"),
      environmentStack,
    },
    base,
  );
}
