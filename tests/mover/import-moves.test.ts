// Import and moves: refused while the tenant's move is unfinished, restored into the route the application reads.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { MoveStateError } from "../../packages/mover/src/errors";
import { exportTenant } from "../../packages/mover/src/export";
import { importTenant } from "../../packages/mover/src/import";
import { memoryTestBackend } from "../support/backends";
import { type Harness, harness, MOVING, seed, tenantSnapshot } from "./fixtures";

let h: Harness;
let dir: string;
beforeEach(async () => {
  const backend = memoryTestBackend();
  await seed(backend, "bridge");
  h = await harness(backend, "bridge", "silo");
  dir = await mkdtemp(join(tmpdir(), "tenantry-import-moves-"));
});
afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const connect = (e: Parameters<Harness["clients"]["connect"]>[0]) => h.clients.connect(e);

test("an import while the tenant's move is unfinished is refused, naming the command to run, and writes nothing", async () => {
  await exportTenant({ map: h.map, tenantId: MOVING, dir, connect });
  await h.mover().start(MOVING);
  await h.mover().cutover(MOVING);
  const before = { source: await tenantSnapshot(h.backend, "bridge"), target: await tenantSnapshot(h.backend, "silo") };
  const error = await importTenant({ map: h.map, tenantId: MOVING, dir, connect, moves: h.store, replace: true }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MoveStateError);
  expect((error as Error).message).toMatch(/import/);
  expect({ source: await tenantSnapshot(h.backend, "bridge"), target: await tenantSnapshot(h.backend, "silo") }).toEqual(before);
});

test("with no move in flight, an import through the move state restores into the current route", async () => {
  const exported = await tenantSnapshot(h.backend, "bridge");
  await exportTenant({ map: h.map, tenantId: MOVING, dir, connect });
  const result = await importTenant({ map: h.map, tenantId: MOVING, dir, connect, moves: h.store });
  expect(result.collections.orders?.verified.count).toBeGreaterThan(0);
  expect(await tenantSnapshot(h.backend, "bridge")).toEqual(exported);
});
