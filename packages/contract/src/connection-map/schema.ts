// The connection map v1: exported by the Pulumi program, read by the runtime resolver. Depends on zod only.
import { z } from "zod";

const Stage = z.enum(["pool", "bridge", "silo"]);

export const ClusterEntry = z.strictObject({
  /** Atlas cluster name. */
  name: z.string().min(1),
  /** `shared` clusters hold pool and bridge tenants; `silo` clusters hold one tenant. */
  kind: z.enum(["shared", "silo"]),
  /** SRV host without scheme or credentials, e.g. `app-eu.abcde.mongodb.net`. */
  srvHost: z
    .string()
    .min(1)
    .refine((h) => !h.includes("@") && !h.includes("://"), "must be a bare host name, never a URI with credentials"),
  /** Atlas region name. */
  region: z.string().min(1),
  /** AWS region code of the same region. */
  awsRegion: z.string().min(1),
  residency: z.string().min(1),
});

/** A reference to credentials: never the credentials themselves. */
export const CredentialRef = z.strictObject({
  kind: z.literal("aws-secrets-manager"),
  /** ARN of the secret whose JSON holds `{ username, password }`. */
  secretArn: z.string().min(1),
  /** AWS region code of the secret. */
  region: z.string().min(1),
});

export const Route = z.strictObject({
  stage: Stage,
  /** Key into `clusters`. */
  cluster: z.string().min(1),
  /** Key into `credentials`. */
  credential: z.string().min(1),
  database: z.string().min(1),
  /** Physical collection name per logical collection. */
  collections: z.record(z.string(), z.string().min(1)),
});

export const TenantEntry = z.strictObject({
  ...Route.shape,
  status: z.enum(["active", "frozen", "offboarding"]),
  residency: z.string().min(1),
  /** Field names and value that partition this tenant's documents. */
  partition: z.strictObject({
    tenantField: z.literal("tenant_id"),
    tenantValue: z.string().min(1),
    userField: z.literal("user_id"),
  }),
  /** A declared move's destination; routing stays on the current route until cut-over. */
  target: Route.optional(),
});

/**
 * The one control location of the environment: where the mover writes freeze / route overrides and running resolvers
 * poll them (`database.collection` on `cluster`, reached with `credential`). The move journal lives in the same database.
 */
export const ControlLocation = z.strictObject({
  /** Key into `clusters`: the registry's first shared cluster. */
  cluster: z.string().min(1),
  /** Key into `credentials`: that cluster's shared application credential (readWrite on `database`). */
  credential: z.string().min(1),
  /** Database of the overrides and the move journal; the program writes `tenantry` (CONTROL_DATABASE). */
  database: z.string().min(1),
  /** Collection of the overrides; the program writes `overrides` (CONTROL_OVERRIDES_COLLECTION). */
  collection: z.string().min(1),
});

export const CollectionEntry = z.strictObject({
  scope: z.enum(["tenant", "user"]),
});

export const ConnectionMap = z
  .strictObject({
    version: z.literal(1),
    environment: z.string().min(1),
    clusters: z.record(z.string(), ClusterEntry),
    credentials: z.record(z.string(), CredentialRef),
    /** The application's logical collections; the resolver refuses any other name. */
    collections: z.record(z.string(), CollectionEntry),
    tenants: z.record(z.string(), TenantEntry),
    /**
     * Where moves write overrides and resolvers poll them: one location per environment, so a freeze written for a
     * tenant of any zone reaches every resolver. Absent in maps of environments without a shared cluster.
     */
    control: ControlLocation.optional(),
  })
  .superRefine((map, ctx) => {
    const check = (route: z.infer<typeof Route>, path: (string | number)[]) => {
      if (!(route.cluster in map.clusters)) {
        ctx.addIssue({ code: "custom", path: [...path, "cluster"], message: `unknown cluster ${route.cluster}` });
      }
      if (!(route.credential in map.credentials)) {
        ctx.addIssue({ code: "custom", path: [...path, "credential"], message: `unknown credential ${route.credential}` });
      }
      for (const logical of Object.keys(map.collections)) {
        if (!(logical in route.collections)) {
          ctx.addIssue({ code: "custom", path: [...path, "collections"], message: `missing collection ${logical}` });
        }
      }
    };
    if (map.control) {
      if (!(map.control.cluster in map.clusters)) {
        ctx.addIssue({ code: "custom", path: ["control", "cluster"], message: `unknown cluster ${map.control.cluster}` });
      }
      if (!(map.control.credential in map.credentials)) {
        ctx.addIssue({ code: "custom", path: ["control", "credential"], message: `unknown credential ${map.control.credential}` });
      }
    }
    for (const [id, tenant] of Object.entries(map.tenants)) {
      if (tenant.partition.tenantValue !== id) {
        ctx.addIssue({ code: "custom", path: ["tenants", id, "partition"], message: "tenantValue must equal the tenant id" });
      }
      check(tenant, ["tenants", id]);
      if (tenant.target) check(tenant.target, ["tenants", id, "target"]);
    }
  });

export type ClusterEntry = z.infer<typeof ClusterEntry>;
export type CredentialRef = z.infer<typeof CredentialRef>;
export type Route = z.infer<typeof Route>;
export type TenantEntry = z.infer<typeof TenantEntry>;
export type ControlLocation = z.infer<typeof ControlLocation>;
export type ConnectionMap = z.infer<typeof ConnectionMap>;
