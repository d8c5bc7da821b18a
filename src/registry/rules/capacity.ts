// Capacity: Atlas's recommended collections + indexes per cluster and its per-project user / custom role limits.
import type { Registry } from "../schema";
import type { ResidencyZone } from "../zones";
import { count, occupancies } from "./context";
import { error, type RuleProblem, warning } from "./types";

/**
 * Recommended maximum of collections + indexes per cluster (REFERENCE §7, atlas-limits): M10 5,000; M20/M30 10,000;
 * M40 and larger 100,000. Flex allows at most 500 collections (indexes not counted), and M0 the same.
 */
export function recommendedObjects(size: string): { limit: number; counts: "collections" | "collections + indexes" } {
  if (size === "FLEX" || size === "M0") return { limit: 500, counts: "collections" };
  if (size === "M10") return { limit: 5_000, counts: "collections + indexes" };
  if (/^M(20|30)(_GEN_2)?$/.test(size)) return { limit: 10_000, counts: "collections + indexes" };
  return { limit: 100_000, counts: "collections + indexes" };
}

/** Per-project limits (REFERENCE §7): default 100, raisable through Project limits up to these maxima. */
export const PROJECT_DEFAULT_LIMIT = 100;
export const PROJECT_MAX_USERS = 900;
export const PROJECT_MAX_CUSTOM_ROLES = 1_400;

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
  // One shared project per residency zone: 1 app user per shared cluster + 1 user and 1 custom role per bridge tenant.
  const zones = new Map<ResidencyZone, { first: number; clusters: number; bridges: Set<string> }>();
  registry.sharedClusters.forEach((c, i) => {
    const z = zones.get(c.residency) ?? { first: i, clusters: 0, bridges: new Set<string>() };
    z.clusters += 1;
    // Per (cluster, tenant): a bridge → bridge move within the zone holds a user and a role on each side.
    for (const t of bridgeTenants.get(c.name) ?? []) z.bridges.add(`${c.name}/${t}`);
    zones.set(c.residency, z);
  });
  for (const [zone, z] of zones) {
    const tenants = new Set([...z.bridges].map((k) => k.slice(k.indexOf("/") + 1))).size;
    const bridgeWho = tenants === z.bridges.size ? `${z.bridges.size} bridge tenants` : `${z.bridges.size} bridge placements of ${tenants} tenants, moves within the zone on both sides`;
    const users = z.clusters + z.bridges.size;
    const roles = z.bridges.size;
    const at = ["sharedClusters", z.first];
    const what = `shared project of zone ${zone}`;
    if (users > PROJECT_MAX_USERS) {
      problems.push(error(at, `${what} needs ${count(users)} database users (${z.clusters} shared cluster(s) + ${bridgeWho}), above Atlas's maximum ${count(PROJECT_MAX_USERS)} per project; move bridge tenants to silo or to another zone's project`));
    } else if (users > PROJECT_DEFAULT_LIMIT) {
      problems.push(warning(at, `${what} needs ${count(users)} database users (${z.clusters} shared cluster(s) + ${bridgeWho}), above Atlas's default ${PROJECT_DEFAULT_LIMIT} per project; raise it (up to ${count(PROJECT_MAX_USERS)}) through Project limits`));
    }
    if (roles > PROJECT_MAX_CUSTOM_ROLES) {
      problems.push(error(at, `${what} needs ${count(roles)} custom roles (one per bridge tenant), above Atlas's maximum ${count(PROJECT_MAX_CUSTOM_ROLES)} per project; move bridge tenants to silo`));
    } else if (roles > PROJECT_DEFAULT_LIMIT) {
      problems.push(warning(at, `${what} needs ${count(roles)} custom roles (one per bridge tenant), above Atlas's default ${PROJECT_DEFAULT_LIMIT} per project; raise it (up to ${count(PROJECT_MAX_CUSTOM_ROLES)}) through Project limits`));
    }
  }
  return problems;
}
