// Public types of the admin scope: what compiles, and (@ts-expect-error) what must not — writes need a grant, tenant
// scopes never reach the admin scope.
import type { WithId } from "mongodb";
import { describe, expectTypeOf, test } from "vitest";
import { createResolver } from "../../packages/resolver/src";
import type { AdminCollection, AdminScope, FanOut, FanOutResult, TenantScope, UserFanOut, WritableAdminCollection, WritableFanOut, WritableUserFanOut } from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import { testMap } from "./fixtures";

interface Invoice {
  number: string;
  total: number;
}

describe("admin scope types", () => {
  test("admin() needs actor and reason; fan-outs are read-only unless opened with allowWrites and a ticket", async () => {
    const map = { ...testMap(), control: { cluster: "shared:eu", credential: "shared:eu", database: "tenantry", collection: "overrides" } };
    const resolver = createResolver({ map, connector: memoryConnector() });
    const admin = resolver.admin({ actor: "alice", reason: "INC-1" });
    expectTypeOf(admin).toEqualTypeOf<AdminScope>();
    expectTypeOf(admin.acrossTenants()).toEqualTypeOf<FanOut>();
    expectTypeOf(admin.acrossTenants({ allowWrites: true, ticket: "CHG-1" })).toEqualTypeOf<WritableFanOut>();
    expectTypeOf(admin.forUser("u1")).toEqualTypeOf<UserFanOut>();
    expectTypeOf(admin.forUser("u1", { allowWrites: true, ticket: "DSR-1" })).toEqualTypeOf<WritableUserFanOut>();
    const invoices = admin.acrossTenants().collection<Invoice>("users");
    expectTypeOf(invoices).toEqualTypeOf<AdminCollection<Invoice>>();
    expectTypeOf(() => invoices.find({ number: "x" })).returns.resolves.toEqualTypeOf<FanOutResult<{ readonly documents: WithId<Invoice>[] }>>();
    expectTypeOf(admin.acrossTenants({ allowWrites: true, ticket: "T" }).collection<Invoice>("users")).toEqualTypeOf<WritableAdminCollection<Invoice>>();
    // The admin scope is not part of a tenant scope's type.
    expectTypeOf<TenantScope>().not.toHaveProperty("admin");
    expectTypeOf<TenantScope>().not.toHaveProperty("acrossTenants");

    // Never called: these lines exist for the compiler.
    const _misuse = async (scope: TenantScope): Promise<void> => {
      // @ts-expect-error a reason is required
      resolver.admin({ actor: "alice" });
      // @ts-expect-error an actor is required
      resolver.admin({ reason: "why" });
      // @ts-expect-error a read-only fan-out has no updateMany
      await admin.acrossTenants().collection("users").updateMany({}, { $set: { a: 1 } });
      // @ts-expect-error a read-only fan-out has no deleteMany
      await admin.acrossTenants({ tenants: ["acme"] }).collection("users").deleteMany({});
      // @ts-expect-error allowWrites without a ticket does not compile
      admin.acrossTenants({ allowWrites: true });
      // @ts-expect-error erasure needs the write grant
      await admin.forUser("u1").erase();
      // @ts-expect-error a tenant scope has no way to the admin scope
      scope.admin({ actor: "a", reason: "r" });
      // @ts-expect-error nor do its collections
      void scope.collection("users").admin;
      // @ts-expect-error stages are typed
      admin.acrossTenants({ stages: ["gold"] });
    };
    expectTypeOf(_misuse).toBeFunction();
    await resolver.close();
  });
});
