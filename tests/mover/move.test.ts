// The move protocol end to end on the memory backend (and a real MongoDB with MONGODB_URI): pool → bridge, bridge →
// silo, pool → silo; verification, cut-over, finish, clean-up, rollback, faults and resumption.
import type { Document } from "mongodb";
import { afterEach, describe, expect, test } from "vitest";
import type { BackendCollection } from "../../packages/contract/src/backend/types";
import { MoveLockedError, MoveStateError, NoMoveTargetError, RetentionNotElapsedError, VerificationFailedError } from "../../packages/mover/src/errors";
import { MoveStore } from "../../packages/mover/src/store";
import type { MoveState } from "../../packages/mover/src/state";
import { bulkBackendCases as backendCases, type TestBackend } from "../support/backends";
import { type Harness, LOGICAL, MOVING, SIZES, type Stage, harness, makeMap, othersSnapshot, route, seed, tenantSnapshot } from "./fixtures";

const PATHS: [Stage, Stage][] = [
  ["pool", "bridge"],
  ["bridge", "silo"],
  ["pool", "silo"],
];

class Died extends Error {}

async function coll(h: Harness, stage: Stage, logical: string): Promise<BackendCollection> {
  const r = route(h.backend, stage);
  const client = await h.clients.connect({ route: r, cluster: h.map.clusters[r.cluster]!, credentialRef: h.map.credentials[r.credential]! });
  return client.db(r.database).collection(r.collections[logical]!);
}

/** Raw count of acme's documents at a stage (duplicates would show up here: `_id` is unique per collection). */
async function counts(h: Harness, stage: Stage): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const logical of LOGICAL) out[logical] = await (await coll(h, stage, logical)).countDocuments({ tenant_id: MOVING });
  return out;
}

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(backendCase.name, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });
    async function setup(from: Stage, to: Stage): Promise<{ h: Harness; backend: TestBackend; before: Record<string, string[]>; others: string[] }> {
      const backend = backendCase.make();
      await seed(backend, from);
      h = await harness(backend, from, to);
      return { h, backend, before: await tenantSnapshot(backend, from), others: await othersSnapshot(backend) };
    }

    describe.each(PATHS)("%s → %s", (from, to) => {
      test("moves every document, verified; cut-over, finish and clean-up leave other tenants byte-identical", async () => {
        const { h, backend, before, others } = await setup(from, to);
        const record = await h.mover().start(MOVING, { cutover: true });
        expect(record.state).toBe("cutover");
        expect(await tenantSnapshot(backend, to)).toEqual(before);
        expect(await tenantSnapshot(backend, from)).toEqual(before);
        expect(await counts(h, to)).toEqual(SIZES);
        expect(await othersSnapshot(backend)).toEqual(others);
        for (const logical of LOGICAL) {
          expect(record.collections[logical]?.target).toEqual(record.collections[logical]?.source);
          expect(record.collections[logical]?.target?.count).toBe(SIZES[logical]);
        }
        // The freeze waited its bound before the first read.
        expect(h.sleeps).toEqual([10_000]);
        const override = (await h.control.readAll()).get(MOVING);
        expect(override).toMatchObject({ writes: "open", routeTo: "target", moveId: record.moveId, routes: record.routes });

        // Finish needs the map to route to the target itself.
        await expect(h.mover().finish(MOVING)).rejects.toThrow(MoveStateError);
        const finished = await h.mover({ map: makeMap(backend, to, undefined) }).finish(MOVING);
        expect(finished.state).toBe("finished");
        // Still open to the target: resolvers on the old map keep the target; clean-up clears the override.
        expect((await h.control.readAll()).get(MOVING)).toMatchObject({ writes: "open", routeTo: "target" });

        // Clean-up: refused inside the retention window, then deletes the source documents of acme only.
        await expect(h.mover().cleanup(MOVING)).rejects.toThrow(RetentionNotElapsedError);
        expect(await tenantSnapshot(backend, from)).toEqual(before);
        h.clock.now = new Date(h.clock.now.getTime() + 7 * 86_400_000 + 1);
        const cleaned = await h.mover().cleanup(MOVING);
        expect(cleaned.state).toBe("cleaned");
        expect(await counts(h, from)).toEqual({ events: 0, notes: 0, orders: 0 });
        expect(await tenantSnapshot(backend, to)).toEqual(before);
        expect(await othersSnapshot(backend)).toEqual(others);
        await expect(h.mover().rollback(MOVING)).rejects.toThrow(MoveStateError);

        const { entries, record: last } = await h.mover().status(MOVING);
        const steps = entries.map((e) => e.step).filter((s) => s !== "lease");
        expect(steps).toEqual(["declare", "freeze", "indexes", "copy-collection", "copy-collection", "copy-collection", "copied", "verify", "verify", "cutover", "finish", "cleanup-proven", "cleanup"]);
        expect(entries.every((e) => e.actor === "tester")).toBe(true);
        expect(last).toMatchObject({ state: "cleaned", route: null, lease: null, collections: { orders: { copied: 2500, batches: 5, done: true } } });
        expect((await h.control.readAll()).has(MOVING)).toBe(false);
      });

      test("a document altered on the target blocks the cut-over", async () => {
        const { h } = await setup(from, to);
        const verified = await h.mover().start(MOVING);
        expect(verified.state).toBe("verified");
        const orders = await coll(h, to, "orders");
        const victim = (await orders.find({ tenant_id: MOVING }).sort({ _id: 1 }).limit(1).toArray())[0] as Document;
        await orders.updateOne({ _id: victim._id as never }, { $set: { seq: 12345 } });
        const error = await h.mover().cutover(MOVING).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VerificationFailedError);
        expect(error).toMatchObject({ collection: "orders", expected: { count: 2500 }, actual: { count: 2500 } });
        const { record } = await h.mover().status(MOVING);
        expect(record?.state).toBe("copied");
        expect((await h.control.readAll()).get(MOVING)).toMatchObject({ writes: "frozen", routeTo: "current" });
      });
    });

    test("a start without a declared target is refused; a second start while one runs is refused", async () => {
      const backend = backendCase.make();
      await seed(backend, "pool");
      h = await harness(backend, "pool", "bridge");
      await expect(h.mover({ map: makeMap(backend, "pool", undefined) }).start(MOVING)).rejects.toThrow(NoMoveTargetError);
      await expect(h.mover({ hooks: { afterStep: (s) => { if (s === "frozen") throw new Died("x"); } } }).start(MOVING)).rejects.toThrow(Died);
      await expect(h.mover().start(MOVING)).rejects.toThrow(
        "tenant [acme]: start refused in state frozen (needs none | finished | cleaned | rolled-back): run `tenantry move resume` (or `tenantry move rollback`)",
      );
    });

    describe("the process dies, another mover resumes: same verified result, no duplicates, no loss", () => {
      const STEPS: MoveState[] = ["declared", "frozen", "copying", "copied", "verified", "cutover"];
      test.each(STEPS)("after %s", async (step) => {
        const { h, backend, before, others } = await setup("pool", "silo");
        const dying = h.mover({ hooks: { afterStep: (s) => { if (s === step) throw new Died(step); } } });
        await expect(dying.start(MOVING, { cutover: true })).rejects.toThrow(Died);
        const record = await h.mover().resume(MOVING, { cutover: true });
        expect(record.state).toBe("cutover");
        expect(await counts(h, "silo")).toEqual(SIZES);
        expect(await tenantSnapshot(backend, "silo")).toEqual(before);
        expect(await othersSnapshot(backend)).toEqual(others);
      });

      test.each([1, 2, 4, 5])("inside the copy, after batch %i of orders", async (k) => {
        const { h, backend, before } = await setup("pool", "bridge");
        const dying = h.mover({ hooks: { afterBatch: (logical, batch) => { if (logical === "orders" && batch === k) throw new Died(`batch ${k}`); } } });
        await expect(dying.start(MOVING)).rejects.toThrow(Died);
        const { record: crashed } = await h.mover().status(MOVING);
        expect(crashed?.state).toBe("copying");
        expect(crashed?.collections.orders).toMatchObject({ copied: k * 500, batches: k });
        expect(await (await coll(h, "bridge", "orders")).countDocuments({ tenant_id: MOVING })).toBe(k * 500);
        const resumed = await h.mover().resume(MOVING);
        expect(resumed.state).toBe("verified");
        // Resumed after the checkpoint: the other batches only, so 2500 documents written in total for orders.
        expect(resumed.collections.orders).toMatchObject({ copied: 2500, batches: 5 });
        expect(await counts(h, "bridge")).toEqual(SIZES);
        expect(await tenantSnapshot(backend, "bridge")).toEqual(before);
      });

      test("a live mover's lease refuses a second mover", async () => {
        const { h } = await setup("pool", "bridge");
        let refused: unknown;
        const first = h.mover({
          leaseMs: 60_000,
          hooks: {
            afterBatch: async (logical, batch) => {
              if (logical !== "notes" || batch !== 1) return;
              refused = await h.mover().resume(MOVING).catch((e: unknown) => e);
            },
          },
        });
        await first.start(MOVING);
        expect(refused).toBeInstanceOf(MoveLockedError);
        expect(refused).toMatchObject({ tenantId: MOVING, holder: "tester-1" });
      });

      test("a crashed mover's lease (never released) blocks others until it expires, then the move is taken over", async () => {
        const { h, backend, before } = await setup("pool", "bridge");
        await expect(h.mover({ hooks: { afterStep: (s) => { if (s === "copying") throw new Died("x"); } } }).start(MOVING)).rejects.toThrow(Died);
        // A hard crash (kill -9) releases nothing: a holder that takes the lease and never lets go stands in for it.
        const ghost = new MoveStore(h.store, undefined, { actor: "ghost", owner: "ghost@host:1", leaseMs: 60_000, now: () => h.clock.now });
        await ghost.acquire(MOVING, "resume");
        await expect(h.mover().resume(MOVING)).rejects.toThrow("tenant [acme]: the move is held by ghost@host:1 until 2026-11-28T12:01:10.000Z");
        // Takeover only after the expiry plus the clock skew allowance (5 s).
        h.clock.now = new Date(h.clock.now.getTime() + 60_001);
        await expect(h.mover().resume(MOVING)).rejects.toThrow(MoveLockedError);
        h.clock.now = new Date(h.clock.now.getTime() + 5_000);
        expect((await h.mover().resume(MOVING)).state).toBe("verified");
        expect(await tenantSnapshot(backend, "bridge")).toEqual(before);
      });
    });

    describe("rollback returns the tenant to its source with nothing lost", () => {
      const STEPS: MoveState[] = ["declared", "frozen", "copying", "copied", "verified"];
      test.each(STEPS)("from %s", async (step) => {
        const { h, backend, before, others } = await setup("pool", "bridge");
        await expect(h.mover({ hooks: { afterStep: (s) => { if (s === step) throw new Died(step); } } }).start(MOVING)).rejects.toThrow(Died);
        const record = await h.mover().rollback(MOVING);
        expect(record.state).toBe("rolled-back");
        expect(await tenantSnapshot(backend, "pool")).toEqual(before);
        expect(await counts(h, "bridge")).toEqual({ events: 0, notes: 0, orders: 0 });
        expect((await h.control.readAll()).has(MOVING)).toBe(false);
        expect(await othersSnapshot(backend)).toEqual(others);
        // A new move can start afterwards.
        expect((await h.mover().start(MOVING)).state).toBe("verified");
      });

      test("from cutover: writes made on the target since cut-over come back to the source", async () => {
        const { h, backend, others } = await setup("pool", "silo");
        await h.mover().start(MOVING, { cutover: true });
        const orders = await coll(h, "silo", "orders");
        const first = (await orders.find({ tenant_id: MOVING }).sort({ _id: 1 }).limit(2).toArray());
        await orders.insertOne({ _id: "new-after-cutover", tenant_id: MOVING, seq: 1 });
        await orders.updateOne({ _id: first[0]!._id as never }, { $set: { note: "changed on the target" } });
        await orders.deleteOne({ _id: first[1]!._id as never });
        const onTarget = await tenantSnapshot(backend, "silo");
        const record = await h.mover().rollback(MOVING);
        expect(record.state).toBe("rolled-back");
        expect(await tenantSnapshot(backend, "pool")).toEqual(onTarget);
        expect(await counts(h, "silo")).toEqual({ events: 0, notes: 0, orders: 0 });
        expect(await othersSnapshot(backend)).toEqual(others);
        const { entries } = await h.mover().status(MOVING);
        expect(entries.map((e) => e.step).filter((s) => s !== "lease").slice(-4)).toEqual(["rollback-start", "rollback-decided", "rollback-copied-back", "rolled-back"]);
        // Waited for the freeze before copying back, and for the route-back before deleting the target copy.
        expect(h.sleeps).toEqual([10_000, 10_000, 10_000]);
      });

      test("a rollback that dies resumes to the same result", async () => {
        const { h, backend, before } = await setup("pool", "bridge");
        await h.mover().start(MOVING, { cutover: true });
        const stop = h.backend.kind === "memory" ? (backend as TestBackend & { memory: { failWrite: (o: object) => () => void } }).memory.failWrite({ nth: 700, where: { kind: "delete" } }) : () => undefined;
        if (h.backend.kind === "memory") await expect(h.mover().rollback(MOVING)).rejects.toThrow();
        stop();
        expect((await h.mover().rollback(MOVING)).state).toBe("rolled-back");
        expect(await tenantSnapshot(backend, "pool")).toEqual(before);
        expect(await counts(h, "bridge")).toEqual({ events: 0, notes: 0, orders: 0 });
      });
    });

    test("a write fault inside a batch (partial bulk) is repaired by resuming: upserts are idempotent", async () => {
      const backend = backendCase.make();
      if (backend.kind !== "memory") return;
      await seed(backend, "pool");
      h = await harness(backend, "pool", "bridge");
      const before = await tenantSnapshot(backend, "pool");
      const memory = (backend as TestBackend & { memory: { failWrite: (o: object) => () => void } }).memory;
      memory.failWrite({ nth: 250, where: { collection: "t_acme__notes", method: "bulkWrite" } });
      await expect(h.mover().start(MOVING)).rejects.toThrow();
      const resumed = await h.mover().resume(MOVING);
      expect(resumed.state).toBe("verified");
      expect(await tenantSnapshot(backend, "bridge")).toEqual(before);
      expect(await counts(h, "bridge")).toEqual(SIZES);
    });
  });
}
