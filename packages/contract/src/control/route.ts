// Route identity and route choice under an override: the one rule the resolver and the mover's import share.
import type { RouteIdentity, TenantOverride } from "./types";

/** The parts of a route that name where its documents are. */
export interface RouteParts {
  stage: string;
  cluster: string;
  database: string;
  /** Logical → physical collection names. */
  collections: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
}

/** A stable identity: two routes with equal identities hold the tenant's documents in the same namespaces. */
export function routeIdentity(route: RouteParts): RouteIdentity {
  const entries = route.collections instanceof Map ? [...route.collections] : Object.entries(route.collections);
  const collections = entries.map(([l, p]) => `${l}=${p}`).sort().join(",");
  return [route.stage, route.cluster, route.database, collections].join("\u0000");
}

/** Which of the map's routes an override selects: `current`, `target`, or `none` (the map has no route it names). */
export function chooseRoute(
  override: TenantOverride | undefined,
  current: { identity: RouteIdentity },
  target: { identity: RouteIdentity } | undefined,
): "current" | "target" | "none" {
  if (!override) return "current";
  if (!override.routes) return override.routeTo === "target" && target ? "target" : "current";
  const wanted = override.routeTo === "target" ? override.routes.target : override.routes.source;
  if (current.identity === wanted) return "current";
  if (target?.identity === wanted) return "target";
  return "none";
}
