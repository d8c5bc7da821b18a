// The `tenantry plan --json` machine contract, and the last guard that no secret value is ever printed.
import { z } from "zod";
import { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { DESTRUCTIVE_KINDS, SAFE_KINDS } from "@tenantry/core/connection-map/diff";
import { SecretLeakError } from "./errors";
import { findSecrets } from "./leak-guard";
import type { Plan } from "./model";
import type { RecordedResource } from "./types";

const ResourceJson = z.strictObject({
  type: z.string(),
  name: z.string(),
  /** Owning tenant; null for shared resources. */
  tenant: z.string().nullable(),
  /** Inputs as sent to the provider, every secret as "[secret]". */
  inputs: z.record(z.string(), z.unknown()),
  protect: z.boolean(),
  retainOnDelete: z.boolean(),
  component: z.boolean(),
  parent: z.string().nullable(),
});

/** The JSON document `tenantry plan --json` prints: the contract scripts and CI rely on (extend, never rename). */
export const PlanJson = z.strictObject({
  /** Contract version of this document. */
  version: z.literal(1),
  environment: z.string(),
  tenants: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      stage: z.enum(["pool", "bridge", "silo"]),
      status: z.enum(["active", "frozen", "offboarding"]),
      /** Atlas cluster name. */
      cluster: z.string(),
      /** Key of the cluster in `connectionMap.clusters`. */
      clusterKey: z.string(),
      residency: z.string(),
      /** Atlas region of the cluster. */
      region: z.string(),
      database: z.string(),
      /** Physical collection per logical collection. */
      collections: z.record(z.string(), z.string()),
      /** A declared move's destination (stage and cluster key), or null. */
      target: z.strictObject({ stage: z.enum(["pool", "bridge", "silo"]), cluster: z.string() }).nullable(),
      reasons: z.array(z.string()),
    }),
  ),
  resources: z.array(ResourceJson),
  connectionMap: ConnectionMap,
  warnings: z.array(
    z.strictObject({
      severity: z.enum(["error", "warning"]),
      path: z.string(),
      message: z.string(),
      tenantId: z.string().nullable(),
      file: z.string().nullable(),
      line: z.number().nullable(),
      col: z.number().nullable(),
    }),
  ),
  /** Null when no previous map was given. */
  changes: z
    .array(
      z.strictObject({
        tenantId: z.string().nullable(),
        clusterKey: z.string().nullable(),
        kind: z.enum([...SAFE_KINDS, ...DESTRUCTIVE_KINDS]),
        destructive: z.boolean(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        message: z.string(),
      }),
    )
    .nullable(),
  /** The per-tenant layout's stacks, each with the resources it registers (absent for the single layout). */
  stacks: z
    .array(
      z.strictObject({
        name: z.string(),
        kind: z.enum(["shared", "silo", "bridge-shard"]),
        tenants: z.array(z.string()),
        resources: z.array(ResourceJson),
      }),
    )
    .optional(),
});
export type PlanJson = z.infer<typeof PlanJson>;

export { SecretLeakError } from "./errors";
export { findSecrets, SECRET_MASK } from "./leak-guard";

/** Builds the JSON document of a plan (a plain object; `renderJson` checks and serialises it). */
export function planJson(plan: Plan): PlanJson {
  const { run } = plan;
  const map = run.connectionMap;
  return {
    version: 1,
    environment: run.environment,
    tenants: run.placements.flatMap((p) => {
      const t = map.tenants[p.tenantId];
      if (!t) return [];
      const cluster = map.clusters[t.cluster];
      return [
        {
          id: p.tenantId,
          name: p.name,
          stage: t.stage,
          status: t.status,
          cluster: cluster?.name ?? t.cluster,
          clusterKey: t.cluster,
          residency: t.residency,
          region: cluster?.region ?? "",
          database: t.database,
          collections: t.collections,
          target: t.target ? { stage: t.target.stage, cluster: t.target.cluster } : null,
          reasons: [...p.reasons],
        },
      ];
    }),
    resources: run.resources.map(resourceJson),
    connectionMap: map,
    warnings: run.warnings.map((w) => ({
      severity: w.severity,
      path: w.path,
      message: w.message,
      tenantId: w.tenantId ?? null,
      file: w.file ?? null,
      line: w.line ?? null,
      col: w.col ?? null,
    })),
    changes: plan.compared
      ? plan.changes.map((c) => ({
          tenantId: c.tenantId ?? null,
          clusterKey: c.clusterKey ?? null,
          kind: c.kind,
          destructive: c.destructive,
          from: c.from,
          to: c.to,
          message: c.message,
        }))
      : null,
    ...(plan.stacks && { stacks: plan.stacks.map((s) => ({ name: s.name, kind: s.kind, tenants: s.tenants, resources: s.resources.map(resourceJson) })) }),
  };
}

function resourceJson(r: RecordedResource): PlanJson["resources"][number] {
  return {
    type: r.type,
    name: r.name,
    tenant: r.tenant,
    inputs: r.inputs,
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    component: r.component,
    parent: r.parent ?? null,
  };
}

/** The `--json` output: pretty JSON with a trailing newline; throws SecretLeakError rather than print a secret. */
export function renderJson(plan: Plan, known: readonly string[] = plan.knownSecrets): string {
  const doc = planJson(plan);
  const leaks = findSecrets(doc, known);
  if (leaks.length > 0) throw new SecretLeakError(leaks);
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The `--out` file: the would-be connection map, checked like every other output. */
export function renderConnectionMap(plan: Plan, known: readonly string[] = plan.knownSecrets): string {
  const leaks = findSecrets(plan.run.connectionMap, known);
  if (leaks.length > 0) throw new SecretLeakError(leaks);
  return `${JSON.stringify(plan.run.connectionMap, null, 2)}\n`;
}
