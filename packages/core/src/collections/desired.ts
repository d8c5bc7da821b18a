// What every physical collection must hold, from the registry: tag-prefixed indexes, the retention TTL index and the
// validator with the tag fields. Pure: no database, no Pulumi.
import type { Document } from "mongodb";
import { defaultIndexName, indexTagFields, PARTITION, prefixIndexKeys } from "@tenantry/contract/connection-map/index-keys";
import type { CollectionSpec, Registry, Stage } from "../registry/schema";

/** The registry's collection declarations and the per-tenant retention overrides (bridge and silo tenants). */
export interface CollectionDeclarations {
  readonly collections: readonly CollectionSpec[];
  /** tenant id → logical collection → retention days. */
  readonly retention: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function declarationsOf(registry: Pick<Registry, "collections" | "tenants">): CollectionDeclarations {
  const retention: Record<string, Record<string, number>> = {};
  for (const t of registry.tenants) if (t.retention !== undefined) retention[t.id] = { ...t.retention };
  return { collections: registry.collections, retention };
}

/** Who a physical collection belongs to: the pool tenants of a cluster together, or one bridge or silo tenant. */
export type Holder = { stage: "pool" } | { stage: Exclude<Stage, "pool">; tenantId: string };

export interface DesiredIndex {
  name: string;
  key: Document;
  unique: boolean;
  /** TTL indexes only. */
  expireAfterSeconds?: number;
}

export interface DesiredValidator {
  validator: Document;
  validationLevel: "strict" | "moderate";
  validationAction: "error" | "warn";
}

export interface DesiredCollection {
  logical: string;
  physical: string;
  indexes: DesiredIndex[];
  validator?: DesiredValidator;
}

export const SECONDS_PER_DAY = 86_400;

/** Name of the retention TTL index on `field`: fixed, so a changed retention is an in-place `collMod`, not a new index. */
export function retentionIndexName(field: string): string {
  return `retention_${field}`;
}

/**
 * Retention days of one collection for one holder: a bridge or silo tenant's override, else the collection's. Pool
 * collections are shared, so only the collection's value applies there (the registry refuses pool overrides).
 */
export function retentionDaysFor(declarations: CollectionDeclarations, spec: CollectionSpec, holder: Holder): number | undefined {
  const override = holder.stage === "pool" ? undefined : declarations.retention[holder.tenantId]?.[spec.name];
  return override ?? spec.retentionDays;
}

/**
 * The validator the server must hold: the declared `$jsonSchema` with the tag fields added as required strings. In a
 * bridge or silo tenant's own collection `tenant_id` is pinned to that tenant, so the server itself refuses a
 * document of another tenant (defence in depth below the resolver).
 */
export function taggedValidator(spec: CollectionSpec, holder: Holder): DesiredValidator | undefined {
  if (spec.validator === undefined) return undefined;
  const schema = spec.validator.$jsonSchema;
  const tags = indexTagFields(spec.scope);
  const properties: Document = { ...(isRecord(schema.properties) ? schema.properties : {}) };
  properties[PARTITION.tenantField] = holder.stage === "pool" ? { bsonType: "string" } : { bsonType: "string", enum: [holder.tenantId] };
  if (spec.scope === "user") properties[PARTITION.userField] = { bsonType: "string" };
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]).filter((r): r is string => typeof r === "string") : [];
  return {
    validator: { $jsonSchema: { ...schema, properties, required: [...new Set([...required, ...tags])] } },
    validationLevel: spec.validator.validationLevel,
    validationAction: spec.validator.validationAction,
  };
}

/** Every index and the validator one physical collection must hold. */
export function desiredCollection(declarations: CollectionDeclarations, spec: CollectionSpec, physical: string, holder: Holder): DesiredCollection {
  const tags = indexTagFields(spec.scope);
  const indexes: DesiredIndex[] = spec.indexes.map((index) => {
    const key = prefixIndexKeys(tags, Object.entries(index.keys));
    return { name: index.name ?? defaultIndexName(key), key, unique: index.unique === true };
  });
  const days = retentionDaysFor(declarations, spec, holder);
  // A TTL index has exactly one field (https://www.mongodb.com/docs/manual/core/index-ttl/): never tag-prefixed.
  if (days !== undefined && spec.retentionField !== undefined) {
    indexes.push({ name: retentionIndexName(spec.retentionField), key: { [spec.retentionField]: 1 }, unique: false, expireAfterSeconds: days * SECONDS_PER_DAY });
  }
  const validator = taggedValidator(spec, holder);
  return { logical: spec.name, physical, indexes, ...(validator && { validator }) };
}

function isRecord(value: unknown): value is Document {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
