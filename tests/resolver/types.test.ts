// Public types of tenantry/resolver and tenantry/testing: what compiles, and (@ts-expect-error) what must not.
import type { BulkWriteResult, Collection, Document, MongoClient, ObjectId, WithId } from "mongodb";
import { describe, expectTypeOf, test } from "vitest";
import type { BackendClient, BackendCollection, Connector } from "../../packages/contract/src/backend/types";
import { createResolver } from "../../packages/resolver/src";
import type {
  IsolationReason,
  Resolver,
  ResolverOptions,
  RouteInfo,
  ScopedCollection,
  ScopedCursor,
  ScopedFindCursor,
  TenantContext,
  TenantFrozenError,
  TenantScope,
} from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import type { MemoryConnector } from "../../packages/testing/src";
import { testMap } from "./fixtures";

interface User {
  email: string;
  name?: string;
  n: number;
}

describe("public types", () => {
  test("the driver's Collection and MongoClient fit the backend surface", () => {
    expectTypeOf<Collection<Document>>().toExtend<BackendCollection>();
    expectTypeOf<MongoClient>().toExtend<BackendClient>();
    expectTypeOf<MemoryConnector>().toExtend<Connector>();
  });

  test("resolver, scope and collection read like driver code", async () => {
    const resolver = createResolver({ map: testMap(), connector: memoryConnector() });
    expectTypeOf(resolver).toEqualTypeOf<Resolver>();
    expectTypeOf<Parameters<Resolver["forTenant"]>[0]>().toEqualTypeOf<TenantContext>();
    const scope = resolver.forTenant({ tenantId: "acme", userId: "u1" });
    expectTypeOf(scope).toEqualTypeOf<TenantScope>();
    expectTypeOf(scope.route).toEqualTypeOf<RouteInfo>();
    expectTypeOf(scope.route.stage).toEqualTypeOf<"pool" | "bridge" | "silo">();
    const users = scope.collection<User>("users");
    expectTypeOf(users).toEqualTypeOf<ScopedCollection<User>>();
    expectTypeOf(() => users.findOne({ email: "a" })).returns.resolves.toEqualTypeOf<WithId<User> | null>();
    expectTypeOf(() => users.find({ n: { $gt: 1 } })).returns.toEqualTypeOf<ScopedFindCursor<WithId<User>>>();
    expectTypeOf(() => users.find().sort({ n: 1 }).limit(1).toArray()).returns.resolves.toEqualTypeOf<WithId<User>[]>();
    expectTypeOf(() => users.aggregate<{ total: number }>([])).returns.toEqualTypeOf<ScopedCursor<{ total: number }>>();
    expectTypeOf(() => users.insertOne({ email: "a", n: 1 })).returns.resolves.toHaveProperty("insertedId").toEqualTypeOf<ObjectId>();
    expectTypeOf(() => users.bulkWrite([])).returns.resolves.toEqualTypeOf<BulkWriteResult>();
    expectTypeOf<TenantFrozenError["retryable"]>().toEqualTypeOf<true>();
    expectTypeOf<IsolationReason>().toExtend<string>();
    // The control store is optional (the map's control location), and polling can be switched off, but not half-way.
    expectTypeOf<{ refreshMs: number }>().toExtend<NonNullable<ResolverOptions["control"]>>();
    expectTypeOf<false>().toExtend<NonNullable<ResolverOptions["control"]>>();
    // @ts-expect-error `true` is not an option: omit `control` for the map's location
    expectTypeOf<true>().toExtend<NonNullable<ResolverOptions["control"]>>();

    // Never called: these lines exist for the compiler.
    const _misuse = async (): Promise<void> => {
      // @ts-expect-error tenantId is required
      resolver.forTenant({});
      // @ts-expect-error tenantId is a string
      resolver.forTenant({ tenantId: 42 });
      // @ts-expect-error a required field is missing from the typed document
      await users.insertOne({ n: 1 });
      // @ts-expect-error unscopable: counts every tenant
      await users.estimatedDocumentCount();
      // @ts-expect-error unscopable: the collection is shared
      await users.drop();
      // @ts-expect-error no raw collection, db or client is reachable
      void users.collection;
      // @ts-expect-error no client on the scope
      void scope.client;
      // @ts-expect-error filters are typed by the schema
      await users.findOne({ n: "not a number" });
    };
    expectTypeOf(_misuse).toBeFunction();
    await resolver.close();
  });
});
