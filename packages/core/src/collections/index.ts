// Collections, validators, indexes and retention per stage: the library behind `tenantry collections apply|check`.
export { declarationsOf, desiredCollection, retentionDaysFor, retentionIndexName, taggedValidator } from "./desired";
export type { CollectionDeclarations, DesiredCollection, DesiredIndex, DesiredValidator, Holder } from "./desired";
export { collectionTargets, UnknownCollectionsTenantError } from "./targets";
export type { CollectionTarget } from "./targets";
export { applyCollections, applyTarget } from "./apply";
export type { ApplyCollectionsOptions, ApplyOptions, CollectionResult, CollectionsReport, Drift, Failure, Mode, TargetResult } from "./apply";
