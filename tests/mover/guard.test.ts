// The delete guard refuses every delete that is not one tenant's filter on that tenant's own namespace.
import type { Document } from "mongodb";
import { describe, expect, test } from "vitest";
import type { BackendCollection } from "../../packages/contract/src/backend/types";
import type { Route } from "../../packages/contract/src/connection-map/schema";
import { UnsafeDeleteError } from "../../packages/mover/src/errors";
import { assertTenantDelete, guardedDeleteMany } from "../../packages/mover/src/guard";

const route: Route = { stage: "pool", cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { orders: "orders" } };
const scope = { tenantId: "acme", route, logical: "orders" };

function fakeCollection(dbName: string, collectionName: string): BackendCollection & { calls: unknown[] } {
  const calls: unknown[] = [];
  // Only the namespace and deleteMany matter to the guard; nothing else may be called.
  return {
    dbName,
    collectionName,
    calls,
    deleteMany: (filter: unknown) => {
      calls.push(filter);
      return Promise.resolve({ acknowledged: true, deletedCount: 3 });
    },
  } as unknown as BackendCollection & { calls: unknown[] };
}

describe("assertTenantDelete", () => {
  test.each([
    ["empty filter", {}, 'refused delete on app.orders: filter must have tenant_id: "<tenant id>" at its top level'],
    ["operator instead of a string", { tenant_id: { $exists: true } }, 'refused delete on app.orders: filter must have tenant_id: "<tenant id>" at its top level'],
    ["$in of tenants", { tenant_id: { $in: ["acme", "globex"] } }, 'refused delete on app.orders: filter must have tenant_id: "<tenant id>" at its top level'],
    ["tenant only inside $or", { $or: [{ tenant_id: "acme" }, { x: 1 }] }, 'refused delete on app.orders: filter must have tenant_id: "<tenant id>" at its top level'],
    ["another tenant", { tenant_id: "globex" }, "refused delete on app.orders: filter names tenant [globex], the scope is tenant [acme]"],
  ])("refuses %s", (_name, filter, message) => {
    const coll = fakeCollection("app", "orders");
    expect(() => assertTenantDelete(coll, filter, scope)).toThrow(UnsafeDeleteError);
    expect(() => assertTenantDelete(coll, filter, scope)).toThrow(message);
  });

  test.each([
    ["another database", "other", "orders", "refused delete on other.orders: not the namespace of tenant [acme] for orders (app.orders)"],
    ["another collection", "app", "t_globex__orders", "refused delete on app.t_globex__orders: not the namespace of tenant [acme] for orders (app.orders)"],
  ])("refuses %s", (_name, db, coll, message) => {
    expect(() => assertTenantDelete(fakeCollection(db, coll), { tenant_id: "acme" }, scope)).toThrow(message);
  });

  test("accepts the tenant's filter, with further clauses ANDed", () => {
    const filter: Document = { tenant_id: "acme", _id: { $in: [1, 2] } };
    expect(() => assertTenantDelete(fakeCollection("app", "orders"), filter, scope)).not.toThrow();
  });
});

describe("guardedDeleteMany", () => {
  test("deletes only after the check passes", async () => {
    const coll = fakeCollection("app", "orders");
    await expect(guardedDeleteMany(coll, {}, scope)).rejects.toBeInstanceOf(UnsafeDeleteError);
    expect(coll.calls).toEqual([]);
    await expect(guardedDeleteMany(coll, { tenant_id: "acme" }, scope)).resolves.toBe(3);
    expect(coll.calls).toEqual([{ tenant_id: "acme" }]);
  });
});
