// AdvancedCluster arguments that depend only on region and size (dedicated, Flex or M0). Pure.
import { isDedicatedSize } from "@tenantry/core/registry/schema";
import type { AutoScalingArgs } from "./silo-ops";

export interface RegionConfig {
  providerName: "AWS" | "FLEX" | "TENANT";
  backingProviderName?: "AWS";
  regionName: string;
  priority: number;
  electableSpecs?: { instanceSize: string; nodeCount?: number };
  autoScaling?: AutoScalingArgs;
}

/**
 * One replica-set replication spec in one region (Flex has no electableSpecs, M0 goes through TENANT:
 * https://www.pulumi.com/registry/packages/mongodbatlas/api-docs/advancedcluster/).
 * `autoScaling` (dedicated sizes only) goes with `useEffectiveFields: true` on the cluster (`autoScalingFields`).
 */
export function replicationSpecs(regionName: string, instanceSize: string, autoScaling?: AutoScalingArgs): { regionConfigs: RegionConfig[] }[] {
  const config: RegionConfig =
    instanceSize === "FLEX"
      ? { providerName: "FLEX", backingProviderName: "AWS", regionName, priority: 7 }
      : instanceSize === "M0"
        ? { providerName: "TENANT", backingProviderName: "AWS", regionName, priority: 7, electableSpecs: { instanceSize } }
        : { providerName: "AWS", regionName, priority: 7, electableSpecs: { instanceSize, nodeCount: 3 }, ...(autoScaling && { autoScaling }) };
  return [{ regionConfigs: [config] }];
}

/** Safety flags of a cluster: backups and their retention exist only on dedicated tiers (M10+). */
export function clusterSafety(instanceSize: string, pointInTime: boolean): {
  terminationProtectionEnabled: true;
  backupEnabled: boolean;
  pitEnabled: boolean;
  retainBackupsEnabled?: boolean;
} {
  const dedicated = isDedicatedSize(instanceSize);
  return {
    terminationProtectionEnabled: true,
    backupEnabled: dedicated,
    pitEnabled: dedicated && pointInTime,
    ...(dedicated && { retainBackupsEnabled: true }),
  };
}

/**
 * Atlas moves a cluster to another region in place, i.e. moves the data out of where it was promised to live. Marking
 * the region as replace-on-change turns that into a replacement, which `protect` refuses at preview: a region change
 * is a migration (a declared move), never an edit.
 */
export const REGION_CHANGE_IS_REPLACEMENT = ["replicationSpecs[*].regionConfigs[*].regionName"];

/**
 * With compute auto-scaling Atlas changes the instance size itself; `useEffectiveFields` keeps the configured size in
 * state and the scaled one in `effective*Specs`, so `pulumi up` never scales the cluster back (REFERENCE §2.2, fix (a)).
 */
export function autoScalingFields(autoScaling: AutoScalingArgs | undefined): { useEffectiveFields?: true } {
  return autoScaling ? { useEffectiveFields: true } : {};
}
