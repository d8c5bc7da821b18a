// Which tenants an admin fan-out works on, where each one lives now, and what crossing zones that means.
import { UnknownTenantError } from "../errors";
import type { ResolverCore } from "../scoped-collection";
import type { CompiledTenant } from "../routing";
import { AdminContextError, TenantSelectionError } from "./errors";

export type Stage = "pool" | "bridge" | "silo";

/** Which tenants a fan-out selects. Omitted fields select everything. */
export interface FanOutSelection {
  /** Only these tenants, in this order (each must be in the map). @default every tenant that is not offboarding */
  tenants?: readonly string[];
  /** Only tenants whose current route is at one of these stages. */
  stages?: readonly Stage[];
  /**
   * Only tenants of this residency zone: the fan-out then gathers no data of another zone. Naming a tenant of another
   * zone in `tenants` is refused (TenantSelectionError), never silently dropped.
   */
  residency?: string;
}

/** Where a tenant's data is when the fan-out reaches it. */
export interface TenantPlace {
  readonly tenantId: string;
  readonly stage: Stage;
  /** Connection-map key of the cluster. */
  readonly cluster: string;
  readonly database: string;
  /** The tenant's residency zone. */
  readonly zone: string;
}

/** The tenants selected and the zones they live in. */
export interface Selection {
  readonly tenants: readonly string[];
  /** Tenants left out of a default selection because they are offboarding (their data is no longer served). */
  readonly skipped: readonly string[];
  readonly zones: readonly string[];
  readonly tenantsByZone: Readonly<Record<string, readonly string[]>>;
}

/** Which zones a fan-out's results come from, and which tenants' data left its zone to reach the operator. */
export interface ResidencyReport {
  readonly zones: readonly string[];
  readonly tenantsByZone: Readonly<Record<string, readonly string[]>>;
  /** The zone results are gathered in (`admin({ zone })`), when the operator said. */
  readonly gatheredIn: string | undefined;
  /**
   * True when some tenant's data left its zone: a tenant outside `gatheredIn`, or — `gatheredIn` unknown — results
   * from more than one zone gathered in one place.
   */
  readonly crossesZones: boolean;
  /** Tenants (and their zones) outside `gatheredIn`; empty when `gatheredIn` is unknown. */
  readonly leftZone: readonly { readonly tenantId: string; readonly zone: string }[];
}

const STAGES: ReadonlySet<string> = new Set(["pool", "bridge", "silo"]);

function tenantOf(core: ResolverCore, tenantId: string): CompiledTenant {
  const tenant = core.map.tenants.get(tenantId);
  if (!tenant) throw new UnknownTenantError(tenantId);
  return tenant;
}

/** The route operations take now: the move's target once cut over (control override), else the current route. */
function routeOf(core: ResolverCore, tenant: CompiledTenant) {
  const override = core.control.overrides.get(tenant.id);
  return override?.routeTo === "target" && tenant.target ? tenant.target : tenant.current;
}

function zoneOf(core: ResolverCore, tenantId: string): string {
  return core.map.map.tenants[tenantId]?.residency ?? "";
}

/** Where the tenant is now (the fan-out reports it with each tenant's result). */
export function placeOf(core: ResolverCore, tenantId: string): TenantPlace {
  const tenant = tenantOf(core, tenantId);
  const route = routeOf(core, tenant);
  return { tenantId, stage: route.info.stage, cluster: route.info.cluster, database: route.info.database, zone: zoneOf(core, tenantId) };
}

function byZone(core: ResolverCore, tenants: readonly string[]): { zones: string[]; tenantsByZone: Record<string, string[]> } {
  const tenantsByZone: Record<string, string[]> = {};
  for (const id of tenants) (tenantsByZone[zoneOf(core, id)] ??= []).push(id);
  return { zones: Object.keys(tenantsByZone).sort(), tenantsByZone };
}

/** Validates a selection against the current map; throws for unknown tenants, bad stages and zone conflicts. */
export function select(core: ResolverCore, options: FanOutSelection | undefined): Selection {
  if (options !== undefined && (options === null || typeof options !== "object")) throw new AdminContextError("options", "must be an object");
  const { tenants, stages, residency } = options ?? {};
  if (stages !== undefined && (!Array.isArray(stages) || stages.some((s) => !STAGES.has(s)))) throw new AdminContextError("options", "stages must be an array of pool, bridge, silo");
  if (residency !== undefined && (typeof residency !== "string" || residency === "")) throw new AdminContextError("options", "residency must be a zone name");
  const stageOk = (id: string): boolean => stages === undefined || stages.includes(routeOf(core, tenantOf(core, id)).info.stage);
  let chosen: string[];
  const skipped: string[] = [];
  if (tenants !== undefined) {
    if (!Array.isArray(tenants) || tenants.some((t) => typeof t !== "string")) throw new AdminContextError("options", "tenants must be an array of tenant ids");
    chosen = [...new Set(tenants)];
    for (const id of chosen) {
      tenantOf(core, id);
      const zone = zoneOf(core, id);
      if (residency !== undefined && zone !== residency) throw new TenantSelectionError(id, `lives in zone ${zone}; the fan-out is confined to ${residency}`);
    }
    chosen = chosen.filter(stageOk);
  } else {
    chosen = [];
    for (const [id, tenant] of core.map.tenants) {
      if (residency !== undefined && zoneOf(core, id) !== residency) continue;
      if (!stageOk(id)) continue;
      if (tenant.status === "offboarding") skipped.push(id);
      else chosen.push(id);
    }
    chosen.sort();
  }
  return { tenants: chosen, skipped, ...byZone(core, chosen) };
}

/** What the fan-out over `tenants` means for residency, seen from `gatheredIn`. */
export function residencyOf(core: ResolverCore, tenants: readonly string[], gatheredIn: string | undefined): ResidencyReport {
  const { zones, tenantsByZone } = byZone(core, tenants);
  const leftZone = gatheredIn === undefined ? [] : tenants.map((tenantId) => ({ tenantId, zone: zoneOf(core, tenantId) })).filter((t) => t.zone !== gatheredIn);
  const crossesZones = gatheredIn === undefined ? zones.length > 1 : leftZone.length > 0;
  return { zones, tenantsByZone, gatheredIn, crossesZones, leftZone };
}

/** Runs `work` over `items` with at most `limit` at once; results in input order. Never rejects (work reports itself). */
export async function eachBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
