// The delete guard: the only way the mover deletes documents. An unfiltered (or foreign-tenant) delete is impossible.
import type { Document, Filter } from "mongodb";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import type { Route } from "@tenantry/contract/connection-map/schema";
import { TENANT_FIELD } from "@tenantry/contract/naming";
import { UnsafeDeleteError } from "./errors";

/** Where a guarded delete may act: one tenant, one route (its own physical namespace), one logical collection. */
export interface DeleteScope {
  tenantId: string;
  route: Route;
  logical: string;
}

/**
 * Asserts the filter has `tenant_id: <the tenant's id>` as a plain string at its top level (top-level fields are ANDed,
 * so no other clause can widen it) and that the collection is the tenant's own physical namespace of that route.
 */
export function assertTenantDelete(collection: BackendCollection, filter: Filter<Document>, scope: DeleteScope): void {
  const ns = `${collection.dbName}.${collection.collectionName}`;
  const physical = scope.route.collections[scope.logical];
  if (physical === undefined) throw new UnsafeDeleteError(ns, `logical collection ${scope.logical} is not in the route`);
  if (collection.dbName !== scope.route.database || collection.collectionName !== physical) {
    throw new UnsafeDeleteError(ns, `not the namespace of tenant [${scope.tenantId}] for ${scope.logical} (${scope.route.database}.${physical})`);
  }
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) throw new UnsafeDeleteError(ns, "filter is not a document");
  const value = (filter as Record<string, unknown>)[TENANT_FIELD];
  if (typeof value !== "string") {
    throw new UnsafeDeleteError(ns, `filter must have ${TENANT_FIELD}: "<tenant id>" at its top level`);
  }
  if (value !== scope.tenantId) {
    throw new UnsafeDeleteError(ns, `filter names tenant [${value}], the scope is tenant [${scope.tenantId}]`);
  }
}

/** deleteMany through the guard; returns the number of deleted documents. */
export async function guardedDeleteMany(collection: BackendCollection, filter: Filter<Document>, scope: DeleteScope): Promise<number> {
  assertTenantDelete(collection, filter, scope);
  const res = await collection.deleteMany(filter);
  return res.deletedCount;
}

/** Deletes the tenant's documents with these `_id`s, one guarded `deleteOne` each in one unordered bulk. */
export async function guardedDeleteEach(collection: BackendCollection, ids: readonly unknown[], scope: DeleteScope): Promise<number> {
  if (ids.length === 0) return 0;
  const filters = ids.map((id) => ({ [TENANT_FIELD]: scope.tenantId, _id: id }) as Filter<Document>);
  for (const filter of filters) assertTenantDelete(collection, filter, scope);
  const res = await collection.bulkWrite(filters.map((filter) => ({ deleteOne: { filter } })), { ordered: false });
  return res.deletedCount;
}
