// Groups a plan for people: tenants per stage and residency zone with what each gets, clusters, resource counts.
import type { Stage } from "@tenantry/core/registry/schema";
import { describeOperations, siloOperations } from "../program/silo-ops";
import type { Plan } from "./model";

const STAGES: readonly Stage[] = ["pool", "bridge", "silo"];

/** One tenant and what it gets, in words and names. */
export interface TenantRow {
  id: string;
  /** Display name from the registry (the id when unknown). */
  name: string;
  stage: Stage;
  status: string;
  residency: string;
  /** Key into the map's clusters, e.g. `shared:app-eu`. */
  clusterKey: string;
  /** Atlas cluster name. */
  clusterName: string;
  /** Atlas region of the cluster. */
  region: string;
  database: string;
  /** Physical collection per logical collection. */
  collections: Record<string, string>;
  /** Backup policy name: the tenant's own (silo) or its shared cluster's. */
  backupPolicy: string | null;
  /** Instance size of the cluster serving the tenant. */
  instanceSize: string | null;
  /** Encryption at rest in words. */
  encryption: string;
  /** A declared move's destination in words, or null. */
  target: string | null;
  /** Why the tenant is at its stage. */
  reasons: readonly string[];
  /** Stage-specific safeguards in words (Backup Compliance Policy, Atlas for Government). */
  safeguards: string[];
  /** Silo only: its own operations in words, one per capability (maintenance window, auditing, scaling, DBA user, alerts). */
  operations: string[];
}

/** Physical collections in short: `t_acme__{orders, notes}` when they share a prefix, else the names. */
export function collectionsText(collections: Record<string, string>): string {
  const names = Object.values(collections);
  const first = names[0];
  const cut = first?.indexOf("__") ?? -1;
  if (first !== undefined && cut > 0 && names.length > 1) {
    const prefix = first.slice(0, cut + 2);
    if (names.every((n) => n.startsWith(prefix))) return `${prefix}{${names.map((n) => n.slice(prefix.length)).join(", ")}}`;
  }
  return names.join(", ");
}

export interface ClusterRow {
  key: string;
  name: string;
  kind: "shared" | "silo";
  residency: string;
  region: string;
  instanceSize: string | null;
  backupPolicy: string | null;
  /** Tenants routed to the cluster now, per stage. */
  tenants: Record<Stage, number>;
}

export interface TenantGroup {
  stage: Stage;
  residency: string;
  tenants: TenantRow[];
}

export interface PlanSummary {
  environment: string;
  tenantCount: number;
  byStage: Record<Stage, number>;
  clusters: ClusterRow[];
  /** Pool, then bridge, then silo; zones alphabetically inside a stage; tenants by id. */
  groups: TenantGroup[];
  /** Cloud resources (components excluded) per type token, most frequent first. */
  resourceCounts: { type: string; count: number }[];
  resourceTotal: number;
  componentTotal: number;
  /** Cloud resources with `protect` / `retainOnDelete`. */
  protectedCount: number;
  retainedCount: number;
}

const emptyStages = (): Record<Stage, number> => ({ pool: 0, bridge: 0, silo: 0 });

/** Short type name: `mongodbatlas:index/advancedCluster:AdvancedCluster` → `mongodbatlas:AdvancedCluster`. */
export function shortType(type: string): string {
  const parts = type.split(":");
  return parts.length === 3 ? `${parts[0]}:${parts[2]}` : type;
}

export function summarize(plan: Plan): PlanSummary {
  const { run, registry } = plan;
  const map = run.connectionMap;
  const placements = new Map(run.placements.map((p) => [p.tenantId, p]));
  const shared = new Map(registry.sharedClusters.map((c) => [c.name, c]));
  const entries = new Map(registry.tenants.map((t) => [t.id, t]));

  const clusters = new Map<string, ClusterRow>();
  for (const [key, c] of Object.entries(map.clusters)) {
    const sc = c.kind === "shared" ? shared.get(c.name) : undefined;
    clusters.set(key, {
      key,
      name: c.name,
      kind: c.kind,
      residency: c.residency,
      region: c.region,
      instanceSize: sc?.instanceSize ?? null,
      backupPolicy: sc?.backupPolicy ?? null,
      tenants: emptyStages(),
    });
  }

  const byStage = emptyStages();
  const groups = new Map<string, TenantGroup>();
  for (const id of Object.keys(map.tenants).sort()) {
    const t = map.tenants[id];
    if (!t) continue;
    const placement = placements.get(id);
    const cluster = clusters.get(t.cluster);
    const loc = placement?.current;
    const silo = loc?.stage === "silo" ? loc : undefined;
    if (silo && cluster) {
      cluster.instanceSize = silo.instanceSize;
      cluster.backupPolicy = silo.backupPolicy;
    }
    if (cluster) cluster.tenants[t.stage] += 1;
    byStage[t.stage] += 1;
    const row: TenantRow = {
      id,
      name: placement?.name ?? id,
      stage: t.stage,
      status: t.status,
      residency: t.residency,
      clusterKey: t.cluster,
      clusterName: cluster?.name ?? t.cluster,
      region: cluster?.region ?? "?",
      database: t.database,
      collections: t.collections,
      backupPolicy: silo ? silo.backupPolicy : (cluster?.backupPolicy ?? null),
      instanceSize: silo ? silo.instanceSize : (cluster?.instanceSize ?? null),
      encryption: silo?.customerManagedKey
        ? "customer-managed key (AWS KMS)"
        : t.stage === "silo"
          ? "Atlas-managed keys"
          : "Atlas-managed keys (shared cluster)",
      target: t.target ? `${t.target.stage} on ${t.target.cluster}` : null,
      reasons: placement?.reasons ?? [],
      safeguards: [
        ...(silo?.backupCompliancePolicy ? ["Backup Compliance Policy"] : []),
        ...(silo?.government ? ["Atlas for Government"] : []),
      ],
      operations: t.stage === "silo" ? describeOperations(siloOperations(entries.get(id) ?? { compliance: placement?.compliance ?? [] })) : [],
    };
    const groupKey = `${t.stage}\u0000${t.residency}`;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { stage: t.stage, residency: t.residency, tenants: [] }));
    group.tenants.push(row);
  }

  const counts = new Map<string, number>();
  let componentTotal = 0;
  let protectedCount = 0;
  let retainedCount = 0;
  for (const r of run.resources) {
    if (r.component) {
      componentTotal += 1;
      continue;
    }
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    if (r.protect) protectedCount += 1;
    if (r.retainOnDelete) retainedCount += 1;
  }
  const resourceCounts = [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));

  return {
    environment: run.environment,
    tenantCount: Object.keys(map.tenants).length,
    byStage,
    clusters: [...clusters.values()].sort((a, b) => (a.kind === b.kind ? a.key.localeCompare(b.key) : a.kind === "shared" ? -1 : 1)),
    groups: [...groups.values()].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.residency.localeCompare(b.residency)),
    resourceCounts,
    resourceTotal: resourceCounts.reduce((n, r) => n + r.count, 0),
    componentTotal,
    protectedCount,
    retainedCount,
  };
}

/** Tenants of a group per cluster, for summarising large pools: cluster key → rows (order kept). */
export function byCluster(rows: readonly TenantRow[]): Map<string, TenantRow[]> {
  const out = new Map<string, TenantRow[]>();
  for (const row of rows) {
    const list = out.get(row.clusterKey);
    if (list) list.push(row);
    else out.set(row.clusterKey, [row]);
  }
  return out;
}
