// What `tenantry plan` works on: the offline run, the registry it came from and the changes against the last map.
import type { TenantChange } from "@tenantry/core/connection-map/diff";
import type { Registry } from "@tenantry/core/registry/schema";
import type { OfflineRun, RecordedResource } from "./types";

/** One stack of the per-tenant layout in the plan: what it holds and registers. */
export interface PlannedStack {
  name: string;
  kind: "shared" | "silo" | "bridge-shard";
  tenants: string[];
  resources: RecordedResource[];
}

export interface Plan {
  /** The program's evaluation under the mock engine. */
  run: OfflineRun;
  /** Changes against the previous connection map; empty when none was given. */
  changes: TenantChange[];
  /** True when a previous map was given (an empty `changes` then means "no change", not "not compared"). */
  compared: boolean;
  /** The registry as validated (sizes and backup policies of shared clusters are not in the map). */
  registry: Registry;
  /** Raw secret values the offline engine generated: never printed, only searched for in every output (defence in depth). */
  knownSecrets: readonly string[];
  /** The per-tenant layout's stacks (`--layout per-tenant` or `tenantry:stackLayout`); absent for the single layout. */
  stacks?: PlannedStack[];
}
