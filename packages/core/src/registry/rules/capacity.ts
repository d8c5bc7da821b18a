// Capacity: Atlas's recommended collections + indexes per cluster and its per-project user / custom role maxima.
import { projectLimitFinding } from "../project-limits";
import type { Registry } from "../schema";
import { count, occupancies } from "./context";
import { error, type RuleProblem, warning } from "./types";

/**
 * Recommended maximum of collections + indexes per cluster (https://www.mongodb.com/docs/atlas/reference/atlas-limits/): M10 5,000; M20/M30 10,000;
 * M40 and larger 100,000. Flex allows at most 500 collections (indexes not counted), and M0 the same.
 */
export function recommendedObjects(size: string): { limit: number; counts: "collections" | "collections + indexes" } {
  if (size === "FLEX" || size === "M0") return { limit: 500, counts: "collections" };
  if (size === "M10") return { limit: 5_000, counts: "collections + indexes" };
  if (/^M(20|30)(_GEN_2)?$/.test(size)) return { limit: 10_000, counts: "collections + indexes" };
  return { limit: 100_000, counts: "collections + indexes" };
}

export function capacityRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  // One copy of the logical collections: each collection, its declared indexes and its _id index.
  const perCopyObjects = registry.collections.reduce((n, c) => n + 1 + c.indexes.length + 1, 0);
  const perCopyCollections = registry.collections.length;
  const bridgeTenants = new Map<string, Set<string>>(); // cluster → bridge tenants (current or move target)
  for (const o of occupancies(registry)) {
    if (o.stage !== "bridge" || o.sharedCluster === undefined) continue;
    bridgeTenants.set(o.sharedCluster, (bridgeTenants.get(o.sharedCluster) ?? new Set()).add(o.tenant.id));
  }
  registry.sharedClusters.forEach((c, i) => {
    const bridges = bridgeTenants.get(c.name)?.size ?? 0;
    const { limit, counts } = recommendedObjects(c.instanceSize);
    const per = counts === "collections" ? perCopyCollections : perCopyObjects;
    const total = per * (1 + bridges);
    if (total > limit) {
      problems.push(
        warning(
          ["sharedClusters", i, "instanceSize"],
          `shared cluster [${c.name}] holds ${count(total)} ${counts} (pool copy + ${bridges} bridge tenant(s), ${per} each), above Atlas's ${counts === "collections" ? "limit of" : "recommended"} ${count(limit)} for ${c.instanceSize}; size up or spread bridge tenants over more clusters`,
        ),
      );
    }
  });
  // One shared project per residency zone (or the project a cluster is pinned to): 1 app user per shared cluster + 1
  // user and 1 custom role per bridge tenant. Only the maximum is checked here: above the default the program raises
  // the limit of a project it manages, and says so once (src/program/layout.ts, same verdict).
  const projects = new Map<string, { first: number; clusters: number; bridges: Set<string>; label: string }>();
  registry.sharedClusters.forEach((c, i) => {
    const key = c.projectId ?? c.residency;
    const p = projects.get(key) ?? { first: i, clusters: 0, bridges: new Set<string>(), label: c.projectId ?? `of zone ${c.residency}` };
    p.clusters += 1;
    // Per (cluster, tenant): a bridge → bridge move within the project holds a user and a role on each side.
    for (const t of bridgeTenants.get(c.name) ?? []) p.bridges.add(`${c.name}/${t}`);
    projects.set(key, p);
  });
  for (const p of projects.values()) {
    const tenants = new Set([...p.bridges].map((k) => k.slice(k.indexOf("/") + 1))).size;
    const bridgeWho = tenants === p.bridges.size ? `${p.bridges.size} bridge tenants` : `${p.bridges.size} bridge placements of ${tenants} tenants, moves within the project on both sides`;
    for (const [kind, n, detail] of [
      ["users", p.clusters + p.bridges.size, `${p.clusters} shared cluster(s) + ${bridgeWho}`],
      ["roles", p.bridges.size, "one per bridge tenant"],
    ] as const) {
      const finding = projectLimitFinding(kind, n, { project: p.label, managed: true, detail });
      if (finding?.severity === "error") problems.push(error(["sharedClusters", p.first], finding.message));
    }
  }
  return problems;
}
