// Compares the connection map of the last deployment with the next one and names every change, flagging those that lose or move data.
import type { ClusterEntry, ConnectionMap, Route, TenantEntry } from "@tenantry/contract/connection-map/schema";

/** Kinds of change that are safe to apply. */
export const SAFE_KINDS = ["added", "removed", "stage-move", "status-change", "cluster-change", "target-declared", "target-cleared", "control-moved"] as const;
/**
 * Kinds of change that would lose data, strand it or move it across regions (also `stage-move`/`cluster-change` when
 * undeclared, and `control-moved` while a move is declared).
 */
export const DESTRUCTIVE_KINDS = [
  "removed-without-offboarding",
  "region-change",
  "stage-downgrade",
  "database-or-collection-rename",
  "cluster-replaced",
] as const;

export type TenantChangeKind = (typeof SAFE_KINDS)[number] | (typeof DESTRUCTIVE_KINDS)[number];

interface ChangeBase {
  kind: TenantChangeKind;
  /** True when applying the change would destroy data, strand it behind an empty route, or move it to another region. */
  destructive: boolean;
  /** The previous value in words (`pool`, `shared:app-eu`, `EU_WEST_1`); null when there was none. */
  from: string | null;
  /** The next value in words; null when there is none. */
  to: string | null;
  /** One sentence naming the tenant or cluster, what changes and, for destructive changes, what to do instead. */
  message: string;
}

/** A change of one tenant's entry. */
export interface TenantScopedChange extends ChangeBase {
  tenantId: string;
  clusterKey?: undefined;
}

/** A change of one cluster entry (a replacement of the Atlas cluster behind a key, or the control location moving). */
export interface ClusterScopedChange extends ChangeBase {
  kind: "cluster-replaced" | "control-moved";
  clusterKey: string;
  tenantId?: undefined;
}

export type TenantChange = TenantScopedChange | ClusterScopedChange;

/** Thrown by callers that refuse destructive changes (e.g. a deployment guard); carries the offending changes. */
export class DestructiveChangeError extends Error {
  override readonly name = "DestructiveChangeError";
  constructor(readonly changes: readonly TenantChange[]) {
    super(`${changes.length} destructive change(s): ${changes.map((c) => c.message).join("; ")}`);
  }
}

const STAGE_RANK = { pool: 0, bridge: 1, silo: 2 } as const;

/** The destructive changes of a diff. */
export function destructiveChanges(changes: readonly TenantChange[]): TenantChange[] {
  return changes.filter((c) => c.destructive);
}

/** Throws DestructiveChangeError when the diff holds a destructive change. */
export function assertNoDestructiveChanges(changes: readonly TenantChange[]): void {
  const bad = destructiveChanges(changes);
  if (bad.length > 0) throw new DestructiveChangeError(bad);
}

/**
 * Every change between two connection maps: cluster replacements first (by key), then a move of the control location,
 * then tenant changes by tenant id.
 * Pure: reads only its arguments. A stage or cluster change counts as declared when the previous map carried a
 * `target` with that stage and cluster (the data was copied by a move and cut over); otherwise it is destructive,
 * because the new route would point at empty collections while the data stays behind.
 */
export function diffMaps(previous: ConnectionMap, next: ConnectionMap): TenantChange[] {
  const changes: TenantChange[] = [];
  for (const key of Object.keys(previous.clusters).sort()) {
    const before = previous.clusters[key];
    const after = next.clusters[key];
    if (before && after) {
      const change = clusterChange(key, before, after);
      if (change) changes.push(change);
    }
  }
  const control = controlChange(previous, next);
  if (control) changes.push(control);
  const ids = new Set([...Object.keys(previous.tenants), ...Object.keys(next.tenants)]);
  for (const id of [...ids].sort()) {
    changes.push(...tenantChanges(id, previous, next));
  }
  return changes;
}

function clusterChange(key: string, before: ClusterEntry, after: ClusterEntry): ClusterScopedChange | undefined {
  const renamed = before.name !== after.name;
  // A silo cluster's region change is reported once, on its tenant, as region-change.
  const moved = before.region !== after.region && before.kind !== "silo";
  if (!renamed && !moved) return undefined;
  const from = renamed ? before.name : before.region;
  const to = renamed ? after.name : after.region;
  const what = renamed
    ? `Atlas cluster name ${before.name} → ${after.name}: the cluster would be replaced by an empty one`
    : `region ${before.region} → ${after.region}: Atlas would move its data to another region`;
  return {
    clusterKey: key,
    kind: "cluster-replaced",
    destructive: true,
    from,
    to,
    message: `cluster ${key} changes ${what}; keep the old name and region, add a new cluster and move tenants to it`,
  };
}

function describeControl(map: ConnectionMap): string | null {
  return map.control ? `${map.control.cluster} ${map.control.database}.${map.control.collection}` : null;
}

/**
 * The control location holds the freezes, cut-overs and journals of moves; running resolvers poll it. Moving it
 * while a move is declared would strand that move's state where nobody looks (a frozen tenant could be unfrozen by
 * omission, a cut-over lost), so it is destructive then, and only reported otherwise.
 */
function controlChange(previous: ConnectionMap, next: ConnectionMap): ClusterScopedChange | undefined {
  const from = describeControl(previous);
  const to = describeControl(next);
  if (from === to) return undefined;
  const moving = Object.keys(previous.tenants).filter((id) => previous.tenants[id]?.target !== undefined).sort();
  const destructive = moving.length > 0;
  const what = `the control location moves ${from ?? "(none)"} → ${to ?? "(none)"}`;
  return {
    clusterKey: next.control?.cluster ?? previous.control?.cluster ?? "",
    kind: "control-moved",
    destructive,
    from,
    to,
    message: destructive
      ? `${what} while moves are declared (${moving.map((id) => `[${id}]`).join(", ")}): their freezes, cut-overs and journals stay at the old location; finish or roll back those moves first, and append new shared clusters (the first one holds the control location)`
      : `${what}: resolvers poll the new location after they reload the map`,
  };
}

function describeRoute(route: Route, map: ConnectionMap): string {
  const region = map.clusters[route.cluster]?.region;
  return `${route.stage} on ${route.cluster}${region ? ` (${region})` : ""}`;
}

function tenantChanges(id: string, previous: ConnectionMap, next: ConnectionMap): TenantScopedChange[] {
  const before = previous.tenants[id];
  const after = next.tenants[id];
  const t = `tenant [${id}]`;
  if (!before && after) {
    const to = describeRoute(after, next);
    return [{ tenantId: id, kind: "added", destructive: false, from: null, to, message: `${t} added: ${to}` }];
  }
  if (before && !after) {
    const from = describeRoute(before, previous);
    if (before.status === "offboarding") {
      return [
        {
          tenantId: id,
          kind: "removed",
          destructive: false,
          from,
          to: null,
          message: `${t} removed after offboarding: its route goes away, its data-bearing resources are retained (retainOnDelete)`,
        },
      ];
    }
    return [
      {
        tenantId: id,
        kind: "removed-without-offboarding",
        destructive: true,
        from,
        to: null,
        message: `${t} is gone from the registry but was ${before.status}, not offboarding: set \`status: offboarding\` and deploy first, then remove it`,
      },
    ];
  }
  if (!before || !after) return [];
  return [...statusChanges(id, before, after), ...routeChanges(id, before, after, previous, next), ...targetChanges(id, before, after, previous, next)];
}

function statusChanges(id: string, before: TenantEntry, after: TenantEntry): TenantScopedChange[] {
  if (before.status === after.status) return [];
  return [
    {
      tenantId: id,
      kind: "status-change",
      destructive: false,
      from: before.status,
      to: after.status,
      message: `tenant [${id}] status ${before.status} → ${after.status}`,
    },
  ];
}

/** True when the previous map declared a move whose target is the next route (the move was cut over). */
function cutOver(before: TenantEntry, after: TenantEntry): boolean {
  return before.target !== undefined && before.target.stage === after.stage && before.target.cluster === after.cluster;
}

function routeChanges(id: string, before: TenantEntry, after: TenantEntry, previous: ConnectionMap, next: ConnectionMap): TenantScopedChange[] {
  const t = `tenant [${id}]`;
  const out: TenantScopedChange[] = [];
  const declared = cutOver(before, after);
  const undeclaredHint = `declare a move (\`move:\` in the registry), deploy, copy the data with \`tenantry move\`, then cut over`;
  // The route the data lives on after a completed move is the previous target, else the previous route.
  const base: Route = declared && before.target ? before.target : before;

  if (before.stage !== after.stage) {
    const down = STAGE_RANK[after.stage] < STAGE_RANK[before.stage];
    if (declared) {
      out.push({
        tenantId: id,
        kind: down ? "stage-downgrade" : "stage-move",
        destructive: false,
        from: before.stage,
        to: after.stage,
        message: `${t} moves ${before.stage} → ${after.stage} (declared move cut over to ${after.cluster})`,
      });
    } else if (down) {
      out.push({
        tenantId: id,
        kind: "stage-downgrade",
        destructive: true,
        from: before.stage,
        to: after.stage,
        message: `${t} moves down ${before.stage} → ${after.stage} without a declared move: the new route would be empty and its isolation lower; ${undeclaredHint}`,
      });
    } else {
      out.push({
        tenantId: id,
        kind: "stage-move",
        destructive: true,
        from: before.stage,
        to: after.stage,
        message: `${t} moves ${before.stage} → ${after.stage} without a declared move: the new route would be empty; ${undeclaredHint}`,
      });
    }
  } else if (before.cluster !== after.cluster) {
    out.push({
      tenantId: id,
      kind: "cluster-change",
      destructive: !declared,
      from: before.cluster,
      to: after.cluster,
      message: declared
        ? `${t} moves ${before.cluster} → ${after.cluster} (declared move cut over)`
        : `${t} moves ${before.cluster} → ${after.cluster} without a declared move: the new route would be empty; ${undeclaredHint}`,
    });
  }

  const regionBefore = previous.clusters[base.cluster]?.region;
  const regionAfter = next.clusters[after.cluster]?.region;
  if (before.stage === "silo" && after.stage === "silo" && regionBefore !== undefined && regionAfter !== undefined && regionBefore !== regionAfter) {
    out.push({
      tenantId: id,
      kind: "region-change",
      destructive: true,
      from: regionBefore,
      to: regionAfter,
      message: `${t} silo region ${regionBefore} → ${regionAfter}: Atlas would move the tenant's data to another region (a residency risk); declare a move to a new silo instead`,
    });
  }

  // Physical names only compare on the same stage and cluster: a move renames by design (bridge collections are t_<id>__<name>).
  if (base.stage === after.stage && base.cluster === after.cluster) {
    if (base.database !== after.database) {
      out.push({
        tenantId: id,
        kind: "database-or-collection-rename",
        destructive: true,
        from: base.database,
        to: after.database,
        message: `${t} database ${base.database} → ${after.database}: the new database would be empty; physical names must not change`,
      });
    }
    for (const logical of Object.keys(after.collections).sort()) {
      const was = base.collections[logical];
      const now = after.collections[logical];
      if (was !== undefined && now !== undefined && was !== now) {
        out.push({
          tenantId: id,
          kind: "database-or-collection-rename",
          destructive: true,
          from: `${base.database}.${was}`,
          to: `${after.database}.${now}`,
          message: `${t} collection ${logical}: ${base.database}.${was} → ${after.database}.${now}: the new collection would be empty; physical names must not change`,
        });
      }
    }
  }
  return out;
}

function sameRoute(a: Route, b: Route): boolean {
  if (a.stage !== b.stage || a.cluster !== b.cluster || a.credential !== b.credential || a.database !== b.database) return false;
  const ka = Object.keys(a.collections);
  return ka.length === Object.keys(b.collections).length && ka.every((k) => a.collections[k] === b.collections[k]);
}

function targetChanges(id: string, before: TenantEntry, after: TenantEntry, previous: ConnectionMap, next: ConnectionMap): TenantScopedChange[] {
  const t = `tenant [${id}]`;
  if (after.target && (!before.target || !sameRoute(before.target, after.target))) {
    const from = before.target ? describeRoute(before.target, previous) : null;
    const to = describeRoute(after.target, next);
    return [
      {
        tenantId: id,
        kind: "target-declared",
        destructive: false,
        from,
        to,
        message: `${t} move declared to ${to}${from ? ` (was ${from})` : ""}: the target is provisioned, routing stays on ${after.stage} until cut-over`,
      },
    ];
  }
  // A target that became the route is reported as the move itself.
  if (before.target && !after.target && !cutOver(before, after)) {
    const from = describeRoute(before.target, previous);
    return [
      {
        tenantId: id,
        kind: "target-cleared",
        destructive: false,
        from,
        to: null,
        message: `${t} declared move to ${from} withdrawn: routing stays on ${after.stage} on ${after.cluster}`,
      },
    ];
  }
  return [];
}
