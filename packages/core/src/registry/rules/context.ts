// What several rules need to know about a (possibly invalid) registry: each tenant's stage and where it would land.
import { currentStage, DEFAULT_SILO_SIZE, sharedClusterFor } from "../stage-policy";
import type { Registry, Stage, Tenant } from "../schema";
import { ZONE_REGIONS, type ResidencyZone } from "../zones";

/** One location a tenant occupies (current, or a move target), resolved leniently: missing parts are undefined. */
export interface Occupancy {
  tenant: Tenant;
  index: number;
  stage: Stage;
  /** "current" or "target" (a declared move). */
  role: "current" | "target";
  /** Shared cluster for pool/bridge (undefined when it does not resolve). */
  sharedCluster?: string | undefined;
  /** Silo fields (undefined when missing). */
  region?: string | undefined;
  instanceSize?: string | undefined;
  backupPolicy?: string | undefined;
}

export function occupancies(registry: Registry): Occupancy[] {
  return registry.tenants.flatMap((tenant, index) => {
    const stage = currentStage(tenant);
    const current: Occupancy =
      stage === "silo"
        ? { tenant, index, stage, role: "current", region: tenant.region, instanceSize: tenant.instanceSize ?? DEFAULT_SILO_SIZE, backupPolicy: tenant.backupPolicy }
        : { tenant, index, stage, role: "current", sharedCluster: sharedClusterFor(registry, tenant.residency, tenant.sharedCluster) };
    const move = tenant.move;
    if (move === undefined) return [current];
    const target: Occupancy =
      move.stage === "silo"
        ? { tenant, index, stage: "silo", role: "target", region: move.region, instanceSize: move.instanceSize ?? DEFAULT_SILO_SIZE, backupPolicy: move.backupPolicy }
        : { tenant, index, stage: move.stage, role: "target", sharedCluster: sharedClusterFor(registry, tenant.residency, move.sharedCluster) };
    return [current, target];
  });
}

/** `US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2` */
export function regionsOf(zone: ResidencyZone): string {
  return orList(ZONE_REGIONS[zone]);
}

export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "(none)";
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** `1,234` */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function isNvme(size: string): boolean {
  return size.endsWith("_NVME");
}
