// THE index prefixing rule: every index an application, the mover or `tenantry collections apply` creates leads with
// the collection's partition tags. Depends on the connection-map contract only, so the resolver can import it.
import type { Document } from "mongodb";
import type { ConnectionMap, TenantEntry } from "./schema";

type Scope = ConnectionMap["collections"][string]["scope"];
type Partition = Pick<TenantEntry["partition"], "tenantField" | "userField">;

/** The partition fields of every map (the schema pins them): `tenant_id`, `user_id`. */
export const PARTITION: Readonly<Partition> = Object.freeze({ tenantField: "tenant_id", userField: "user_id" });

/**
 * The tag fields an index of a collection of `scope` is prefixed with: `tenant_id`, and `user_id` for user-scoped
 * collections. The user tag is part of the key because the resolver scopes user-private data per user: a unique key
 * per tenant only would let one user learn from a duplicate-key error that another user's document exists.
 */
export function indexTagFields(scope: Scope, partition: Partition = PARTITION): string[] {
  return scope === "user" ? [partition.tenantField, partition.userField] : [partition.tenantField];
}

/**
 * Prefixes `keys` with `tagFields` (ascending), dropping any tag field the caller listed itself so the tags stay the
 * leading fields in one fixed order. Uniqueness then holds within a tenant (and user), never across tenants, and every
 * tenant-filtered query can use the index in every stage — which is what makes a moved tenant's indexes identical.
 */
export function prefixIndexKeys(tagFields: readonly string[], keys: Iterable<readonly [string, unknown]>): Document {
  const prefixed: Document = {};
  for (const field of tagFields) prefixed[field] = 1;
  for (const [field, direction] of keys) if (!tagFields.includes(field)) prefixed[field] = direction;
  return prefixed;
}

/** The name the server and the driver give an index without an explicit name: `tenant_id_1_email_1`. */
export function defaultIndexName(keys: Readonly<Record<string, unknown>>): string {
  // Same rule as the driver's createIndex (https://www.mongodb.com/docs/manual/indexes/#index-names).
  return Object.entries(keys)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join("_");
}
