// A move seen by a real resolver sharing the control store: writes during the freeze are refused (never dropped),
// reads continue from the source, and after cut-over (and a refresh) the application reads and writes the target.
import type { Document } from "mongodb";
import { afterEach, describe, expect, test } from "vitest";
import { createResolver, type Resolver, TenantFrozenError } from "../../packages/resolver/src";
import { bulkBackendCases as backendCases } from "../support/backends";
import { type Harness, MOVING, SIZES, harness, route, seed } from "./fixtures";

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(backendCase.name, () => {
    let h: Harness | undefined;
    let resolver: Resolver | undefined;
    afterEach(async () => {
      await resolver?.close();
      await h?.close();
      h = resolver = undefined;
    });

    test("pool → bridge under a running resolver", async () => {
      const backend = backendCase.make();
      await seed(backend, "pool");
      h = await harness(backend, "pool", "bridge");
      // A long poll interval: the test refreshes explicitly, standing in for "the freeze bound has passed".
      const app = createResolver({ map: h.map, connector: backend.connector, control: { store: h.control, refreshMs: 3_600_000 } });
      resolver = app;
      const orders = app.forTenant({ tenantId: MOVING }).collection("orders");
      await orders.insertOne({ _id: "before-freeze", sku: "a" } as Document);

      const during: { write?: unknown; reads?: number; stage?: string } = {};
      const mover = h.mover({
        // Every resolver has refreshed by the end of the bound: make this one refresh when the mover waits for it.
        sleep: async () => app.refreshControl(),
        hooks: {
          afterBatch: async (logical, batch) => {
            if (logical !== "orders" || batch !== 2) return;
            during.write = await orders.insertOne({ _id: "during-freeze", sku: "b" } as Document).catch((e: unknown) => e);
            during.reads = await orders.countDocuments({});
            during.stage = app.forTenant({ tenantId: MOVING }).route.stage;
          },
        },
      });
      const record = await mover.start(MOVING, { cutover: true });
      expect(record.state).toBe("cutover");

      expect(during.write).toBeInstanceOf(TenantFrozenError);
      expect(during.write).toMatchObject({ tenantId: MOVING, source: "control", retryable: true });
      expect(during.reads).toBe((SIZES.orders ?? 0) + 1);
      expect(during.stage).toBe("pool");
      // The refused write is nowhere: not silently applied on either side.
      const pool = route(backend, "pool");
      const bridge = route(backend, "bridge");
      const all = [...(await backend.raw("shared:eu", pool.database, "orders")), ...(await backend.raw("shared:eu", bridge.database, "t_acme__orders"))];
      expect(all.filter((d) => d._id === "during-freeze")).toEqual([]);
      // The write made before the freeze was moved.
      expect((await backend.raw("shared:eu", bridge.database, "t_acme__orders")).filter((d) => d._id === "before-freeze")).toHaveLength(1);

      // Cut over: after its next refresh the resolver routes to the target and writes are open again.
      await app.refreshControl();
      const scope = app.forTenant({ tenantId: MOVING });
      expect(scope.route.stage).toBe("bridge");
      await scope.collection("orders").insertOne({ _id: "after-cutover", sku: "c" } as Document);
      const target = await backend.raw("shared:eu", bridge.database, "t_acme__orders");
      expect(target.filter((d) => d._id === "after-cutover")).toHaveLength(1);
      expect((await backend.raw("shared:eu", pool.database, "orders")).filter((d) => d._id === "after-cutover")).toEqual([]);
      expect(await scope.collection("orders").countDocuments({})).toBe((SIZES.orders ?? 0) + 2);
    });
  });
}
