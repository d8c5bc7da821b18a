// What running the Pulumi program offline (under the mock engine) yields: the contract between the engine and `tenantry plan`.
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import type { Placement } from "@tenantry/core/placement/types";
import type { Problem } from "@tenantry/core/registry/problems";

/** One resource the program registered, as the engine saw it. */
export interface RecordedResource {
  /** Pulumi type token, e.g. `mongodbatlas:index/advancedCluster:AdvancedCluster`. */
  type: string;
  /** Pulumi logical name. */
  name: string;
  /** Tenant whose component owns it; null for shared resources. */
  tenant: string | null;
  /** Inputs as sent to the provider; every secret value replaced by the string "[secret]". */
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
  /** True for ComponentResources (they have no provider and no cloud counterpart). */
  component: boolean;
  /** Logical name of the parent component, when any. */
  parent?: string;
}

/** The result of evaluating the program for one environment without a cloud. */
export interface OfflineRun {
  environment: string;
  placements: Placement[];
  resources: RecordedResource[];
  connectionMap: ConnectionMap;
  /** Registry warnings plus the program's own (capacity, project limits). */
  warnings: Problem[];
}
