// `tenantry move`, `export`, `import` as commands: exit codes, what they print, over the memory backend.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { exportCommand } from "../../packages/cli/src/commands/export";
import { importCommand } from "../../packages/cli/src/commands/import";
import { move } from "../../packages/cli/src/commands/move";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";
import { memoryTestBackend } from "../support/backends";
import { MOVING, makeMap, seed } from "../mover/fixtures";

describe("tenantry move / export / import", () => {
  let dir: string;
  let backend: ReturnType<typeof memoryTestBackend>;
  const clock = { now: new Date("2026-11-28T12:00:00Z") };
  const deps = () => ({ connector: backend.connector, now: () => clock.now, sleep: () => Promise.resolve() });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenantry-cli-"));
    backend = memoryTestBackend();
    await seed(backend, "pool");
    // Stack outputs hold the map under `connectionMap`; both shapes are accepted.
    await writeFile(join(dir, "map.json"), JSON.stringify({ connectionMap: makeMap(backend, "pool", "bridge") }));
    await writeFile(join(dir, "after.json"), JSON.stringify(makeMap(backend, "bridge", undefined)));
    await writeFile(join(dir, "nomove.json"), JSON.stringify(makeMap(backend, "pool", undefined)));
    const { control: _control, ...withoutControl } = makeMap(backend, "pool", "bridge");
    await writeFile(join(dir, "nocontrol.json"), JSON.stringify(withoutControl));
  });
  afterEach(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("start → status → cleanup too early → finish → cleanup", async () => {
    const io = memoryIo(dir);
    expect(await move("start", MOVING, { map: "map.json", batchSize: "1000", actor: "ops-alice", cutover: true }, io, deps())).toBe(0);
    const out = io.out.join("");
    expect(out).toContain("tenant [acme]  move acme@2026-11-28T12:00:00.000Z  state cutover\n");
    expect(out).toContain("  from pool shared:eu/app  to bridge shared:eu/app\n");
    expect(out).toContain("  orders: copied 2500 in 3 batches  verified 2500 docs ");
    expect(out).toContain("  route override: target, writes open\n");
    expect(out).toContain("next: set cutOver: true on the tenant's move in the registry, run pulumi up, then `tenantry move finish` (or `tenantry move rollback`)\n");

    const status = memoryIo(dir);
    expect(await move("status", MOVING, { map: "map.json" }, status, deps())).toBe(0);
    const lines = status.out.join("").split("\n");
    expect(lines).toContain("journal:");
    expect(lines.filter((l) => / ops-alice +cutover /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => / ops-alice +copy-collection +collection=orders copied=2500 batches=3$/.test(l))).toHaveLength(1);

    // Clean-up before finish is refused by the state machine, naming the command to run.
    const unordered = memoryIo(dir);
    expect(await move("cleanup", MOVING, { map: "after.json" }, unordered, deps())).toBe(1);
    expect(unordered.err.join("")).toBe(
      "tenantry move: tenant [acme]: cleanup refused in state cutover (needs finished | cleaned): set cutOver: true on the tenant's move in the registry, run pulumi up, then `tenantry move finish` (or `tenantry move rollback`)\n",
    );
    expect(await move("finish", MOVING, { map: "map.json" }, memoryIo(dir), deps())).toBe(1);
    expect(await move("finish", MOVING, { map: "after.json" }, memoryIo(dir), deps())).toBe(0);

    const early = memoryIo(dir);
    expect(await move("cleanup", MOVING, { map: "after.json" }, early, deps())).toBe(1);
    expect(early.err.join("")).toBe("tenantry move: tenant [acme]: clean-up is refused before 2026-12-05T12:00:00.000Z (retention window after cut-over)\n");
    clock.now = new Date("2026-12-06T00:00:00Z");
    const cleanup = memoryIo(dir);
    expect(await move("cleanup", MOVING, { map: "after.json" }, cleanup, deps())).toBe(0);
    expect(cleanup.out.join("")).toContain("state cleaned");
    expect(backend.memory.raw("shared:eu", "app", "orders").filter((d) => d.tenant_id === MOVING)).toEqual([]);
  });

  test.each([
    ["unknown action", ["bogus", MOVING, { map: "map.json" }], 2, `tenantry move: unknown action "bogus": one of start, resume, verify, cutover, rollback, cleanup, finish, status\n(run \`tenantry move --help\` for usage)\n`],
    ["missing map file", ["start", MOVING, { map: "nope.json" }], 2, `tenantry move: ${"<dir>"}/nope.json: file not found\n(run \`tenantry move --help\` for usage)\n`],
    ["bad batch size", ["start", MOVING, { map: "map.json", batchSize: "0" }], 2, `tenantry move: --batch-size must be a positive integer, got "0"\n(run \`tenantry move --help\` for usage)\n`],
    ["no declared target", ["start", MOVING, { map: "nomove.json" }], 1, "tenantry move: tenant [acme] has no declared move target in the connection map (add move: to the registry and run pulumi up)\n"],
    ["unknown tenant", ["start", "nobody", { map: "map.json" }], 1, "tenantry move: tenant [nobody] is not in the connection map\n"],
    ["map without a control location", ["start", MOVING, { map: "nocontrol.json" }], 1, "tenantry move: the connection map declares no control location (`control`): regenerate it with pulumi up (or tenantry plan --out), or pass --control-cluster <key> and give every resolver the same store\n"],
    ["resume without a move", ["resume", MOVING, { map: "map.json" }], 1, "tenantry move: tenant [acme]: resume refused in state none (needs declared | frozen | copying | copied | verified | cutover | rolling-back): run `tenantry move start` once the registry declares the move\n"],
  ] as const)("%s", async (_name, [action, tenant, opts], code, message) => {
    const io = memoryIo(dir);
    expect(await move(action, tenant, { ...opts }, io, deps())).toBe(code);
    expect(io.err.join("").replace(dir, "<dir>")).toBe(message);
  });

  test("the commands are registered: a usage error through runCli exits 2", async () => {
    const io = memoryIo(dir);
    expect(await runCli(["move", "bogus", MOVING, "--map", "map.json"], io)).toBe(2);
    expect(await runCli(["export", MOVING], memoryIo(dir))).toBe(2);
    expect(await runCli(["import", MOVING, "--map", "map.json"], memoryIo(dir))).toBe(2);
  });

  test("a missing --registry file is a usage error (exit 2) naming the file, like every command", async () => {
    const io = memoryIo(dir);
    expect(await move("start", MOVING, { map: "map.json", registry: "nope.yaml" }, io, deps())).toBe(2);
    expect(io.err.join("")).toBe("tenantry move: registry file not found: nope.yaml\n(run `tenantry move --help` for usage)\n");
  });

  test("a server that cannot be reached fails within --timeout with the driver's cause", async () => {
    const io = memoryIo(dir);
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    expect(await move("status", MOVING, { map: "map.json", uri: "mongodb://127.0.0.1:1/", timeout: "300" }, io, {})).toBe(1);
    expect(io.err.join("")).toMatch(/^tenantry move: MongoServerSelectionError: .*ECONNREFUSED 127\.0\.0\.1:1/);
  });

  test("--json: move status, export and import print one documented document each", async () => {
    const status = memoryIo(dir);
    expect(await move("status", "nobody-moved", { map: "nomove.json", json: true }, status, deps())).toBe(1);
    const st = memoryIo(dir);
    expect(await move("status", MOVING, { map: "map.json", json: true }, st, deps())).toBe(0);
    const doc = JSON.parse(st.out.join("")) as { version: number; tenantId: string; move: { state: string; collections: { name: string }[] } | null; journal: unknown[] };
    expect(doc.version).toBe(1);
    expect(doc.tenantId).toBe(MOVING);
    expect(Object.keys(doc)).toEqual(["version", "tenantId", "move", "journal"]);
    const exp = memoryIo(dir);
    expect(await exportCommand(MOVING, { map: "nomove.json", out: "backup-json", json: true }, exp, deps())).toBe(0);
    const e = JSON.parse(exp.out.join("")) as { version: number; collections: { name: string; count: number; hash: string }[]; source: { stage: string } };
    expect(e.version).toBe(1);
    expect(e.source.stage).toBe("pool");
    expect(e.collections.find((c) => c.name === "orders")?.count).toBe(2500);
    const imp = memoryIo(dir);
    expect(await importCommand(MOVING, { map: "nomove.json", in: "backup-json", json: true }, imp, deps())).toBe(0);
    const i = JSON.parse(imp.out.join("")) as { version: number; replace: boolean; collections: { name: string; upserted: number; deleted: number; count: number }[] };
    expect(i.version).toBe(1);
    expect(i.replace).toBe(false);
    expect(i.collections.find((c) => c.name === "orders")).toMatchObject({ upserted: 2500, deleted: 0, count: 2500 });
  });

  test("export then import; a tampered export exits 1", async () => {
    const io = memoryIo(dir);
    expect(await exportCommand(MOVING, { map: "nomove.json", out: "backup" }, io, deps())).toBe(0);
    expect(io.out.join("")).toContain("orders: 2500 documents  ");
    expect(io.out.join("")).toContain("exported tenant [acme] from pool shared:eu to backup\n");
    const imp = memoryIo(dir);
    expect(await importCommand(MOVING, { map: "nomove.json", in: "backup" }, imp, deps())).toBe(0);
    expect(imp.out.join("")).toContain("orders: 2500 upserted, 0 deleted, verified 2500 documents ");
    await writeFile(join(dir, "backup", "events.ejson"), "{}\n");
    const bad = memoryIo(dir);
    expect(await importCommand(MOVING, { map: "nomove.json", in: "backup" }, bad, deps())).toBe(1);
    expect(bad.err.join("")).toContain("events.ejson: file bytes differ from the manifest's sha256 (altered or truncated)\n");
  });

  test("export and import need no control location: a map without one still works for per-tenant backups", async () => {
    expect(await exportCommand(MOVING, { map: "nocontrol.json", out: "backup" }, memoryIo(dir), deps())).toBe(0);
    expect(await importCommand(MOVING, { map: "nocontrol.json", in: "backup" }, memoryIo(dir), deps())).toBe(0);
  });
});
