// The connection map from the facts (hosts, secret ARNs) each stack exports: one map, identical to the single layout's.
import { assembleConnectionMap, type ClusterFacts, type CredentialFacts } from "@tenantry/core/connection-map/build";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { credentialKey, sharedClusterKey, siloClusterKey } from "@tenantry/contract/naming";
import type { Placement } from "@tenantry/core/placement/types";
import { routeKeys, type Layout, type ProgramInput } from "../layout";

/** What a stack contributes to the map: its clusters and credentials with their resolved hosts and ARNs (no secret). */
export interface MapFacts {
  clusters: ClusterFacts[];
  credentials: CredentialFacts[];
}

/** Thrown when two stacks report different facts under one map key (two stacks would own one resource). */
export class ConflictingFactsError extends Error {
  override readonly name = "ConflictingFactsError";
  constructor(readonly key: string) {
    super(`two stacks report different facts for map key ${key}`);
  }
}

/** Map keys in the order the single layout registers them, so the merged map's JSON is byte-identical. */
export function factOrder(layout: Layout): { clusters: string[]; credentials: string[] } {
  const silos = layout.silos.filter((s) => !s.retired);
  return {
    clusters: [...layout.sharedClusters.map((c) => sharedClusterKey(c.cluster.name)), ...silos.map((s) => siloClusterKey(s.tenantId, s.location.generation))],
    credentials: [
      ...layout.sharedClusters.map((c) => credentialKey.shared(c.cluster.name)),
      ...layout.bridges.filter((b) => !b.retired).map((b) => credentialKey.bridge(b.tenantId, b.generation)),
      ...silos.map((s) => credentialKey.silo(s.tenantId, s.location.generation)),
    ],
  };
}

function mergeByKey<T extends { key: string }>(order: readonly string[], lists: readonly (readonly T[])[]): T[] {
  const byKey = new Map<string, T>();
  for (const list of lists) {
    for (const item of list) {
      const seen = byKey.get(item.key);
      if (seen && JSON.stringify(seen) !== JSON.stringify(item)) throw new ConflictingFactsError(item.key);
      byKey.set(item.key, item);
    }
  }
  const rank = new Map(order.map((k, i) => [k, i]));
  return [...byKey.values()].sort((a, b) => (rank.get(a.key) ?? Infinity) - (rank.get(b.key) ?? Infinity));
}

/** The union of several stacks' facts, in the single layout's order. */
export function mergeFacts(layout: Layout, parts: readonly MapFacts[]): MapFacts {
  const order = factOrder(layout);
  return {
    clusters: mergeByKey(order.clusters, parts.map((p) => p.clusters)),
    credentials: mergeByKey(order.credentials, parts.map((p) => p.credentials)),
  };
}

/** Placements every route of which (current and target) has its cluster and credential among the given map keys. */
export function coveredPlacements(placements: readonly Placement[], clusters: ReadonlySet<string>, credentials: ReadonlySet<string>): Placement[] {
  return placements.filter((p) =>
    [p.current, ...(p.target ? [p.target] : [])].every((location) => {
      const keys = routeKeys(p.tenantId, location);
      return clusters.has(keys.cluster) && credentials.has(keys.credential);
    }),
  );
}

/**
 * The connection map of the tenants whose facts are all present (every tenant once every stack has run), assembled
 * by the same function as the single layout's. `missing` lists tenants left out because a stack has not run yet.
 */
export function mapFromFacts(layout: Layout, input: ProgramInput, parts: readonly MapFacts[]): { map: ConnectionMap; missing: string[] } {
  const facts = mergeFacts(layout, parts);
  const placements = coveredPlacements(input.placements, new Set(facts.clusters.map((c) => c.key)), new Set(facts.credentials.map((c) => c.key)));
  const covered = new Set(placements.map((p) => p.tenantId));
  const map = assembleConnectionMap({
    ctx: layout.ctx,
    collections: input.registry.collections,
    clusters: facts.clusters,
    credentials: facts.credentials,
    placements,
    keysOf: routeKeys,
    // The control location is served by the shared stack: absent until its facts are.
    controlCluster: layout.controlCluster !== undefined && facts.clusters.some((c) => c.key === sharedClusterKey(layout.controlCluster ?? "")) ? layout.controlCluster : undefined,
  });
  return { map, missing: input.placements.map((p) => p.tenantId).filter((id) => !covered.has(id)) };
}
