// The `tenantry` package entry: registry, placement, connection map and naming for tools built on Tenantry.
// The Pulumi program lives in src/index.ts; the runtime resolver in `tenantry/resolver`; the memory backend in `tenantry/testing`.
export { Registry, Tenant, SharedCluster, BackupPolicy, CollectionSpec, MoveSpec } from "./registry/schema";
export type { Stage, Tier, ComplianceFlag, TenantStatus } from "./registry/schema";
export { ZONE_REGIONS, RESIDENCY_ZONES, zoneOf, awsRegionOf, atlasRegionOf } from "./registry/zones";
export type { ResidencyZone, AtlasRegion } from "./registry/zones";
export { parseRegistry, loadRegistryFile, registryPathFor, RegistryNotFoundError } from "./registry/load";
export type { LoadedRegistry } from "./registry/load";
export { formatProblem, RegistryInvalidError } from "./registry/problems";
export type { Problem } from "./registry/problems";
export { registryJsonSchema } from "./registry/json-schema";
export { placeTenants } from "./placement/place";
export type { Placement, Location } from "./placement/types";
export { ConnectionMap, TenantEntry, Route, ClusterEntry, CredentialRef } from "@tenantry/contract/connection-map/schema";
export { diffMaps, destructiveChanges } from "./connection-map/diff";
export type { TenantChange } from "./connection-map/diff";
export * as naming from "@tenantry/contract/naming";
