// `tenantry admin find|erase-user` and `tenantry audit` as commands: exit codes and output, on both backends.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { adminEraseUser, adminFind } from "../../packages/cli/src/commands/admin";
import { auditCommand, parseSince } from "../../packages/cli/src/commands/audit";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";
import { backendCases } from "../support/backends";
import { EJSON, SERVED, makeWorld } from "../resolver/admin-fixtures";
import type { World } from "../resolver/admin-fixtures";

for (const b of backendCases) {
  describe.skipIf(b.skip)(`tenantry admin / audit — ${b.name}`, () => {
    let dir: string;
    let world: World;
    const deps = () => ({ connector: world.backend.connector });
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "tenantry-admin-"));
      world = await makeWorld(b.make());
      await writeFile(join(dir, "map.json"), JSON.stringify({ connectionMap: world.map }));
    });
    afterEach(async () => {
      await world.resolver.close();
      await world.backend.close();
      await rm(dir, { recursive: true, force: true });
    });

    test("admin find prints each tenant's documents under its id, with residency and the audit call", async () => {
      const io = memoryIo(dir);
      const code = await adminFind("users", { map: "map.json", filter: '{"email":"same@x"}', reason: "INC-7", actor: "alice", tenants: "acme,sigma,yankee", zone: "eu" }, io, deps());
      expect(io.err.join("")).toBe("");
      expect(code).toBe(0);
      const lines = io.out.join("").split("\n");
      expect(lines.filter((l) => l.startsWith("tenant "))).toEqual([
        `tenant acme  pool shared:eu/${world.map.tenants.acme?.database}  zone eu: 1 document`,
        `tenant sigma  silo silo:sigma/${world.map.tenants.sigma?.database}  zone eu: 1 document`,
        `tenant yankee  pool shared:us/${world.map.tenants.yankee?.database}  zone us: 1 document`,
      ]);
      expect(lines.filter((l) => l.startsWith("  ")).map((l) => (EJSON.parse(l.trim()) as { tenant_id: string }).tenant_id)).toEqual(["acme", "sigma", "yankee"]);
      expect(lines).toContain("residency: data of yankee (us) left zone eu");

      const json = memoryIo(dir);
      expect(await adminFind("users", { map: "map.json", reason: "INC-7", actor: "alice", json: true }, json, deps())).toBe(0);
      const parsed = EJSON.parse(json.out.join("")) as { tenants: { tenantId: string; documents: { tenant_id: string }[] }[] };
      expect(parsed.tenants.map((t) => t.tenantId)).toEqual(SERVED);
      for (const t of parsed.tenants) expect(t.documents.every((d) => d.tenant_id === t.tenantId)).toBe(true);
    });

    test("erase-user --dry-run deletes nothing; without it, exactly the user's documents; a frozen tenant fails the command", async () => {
      const before = await world.everything();
      const dry = memoryIo(dir);
      expect(await adminEraseUser("u2", { map: "map.json", reason: "DSR-3", ticket: "DSR-3", actor: "bob", dryRun: true }, dry, deps())).toBe(0);
      expect(dry.out.join("")).toContain("tenant acme  pool shared:eu/");
      expect(dry.out.join("")).toContain(": would delete 2 (notes 2)\n");
      expect(dry.out.join("")).toContain("dry run: nothing deleted; without --dry-run this deletes 16 documents of user u2 in 8 tenants\n");
      expect(await world.everything()).toEqual(before);

      const real = memoryIo(dir);
      expect(await adminEraseUser("u2", { map: "map.json", reason: "DSR-3", ticket: "DSR-3", actor: "bob" }, real, deps())).toBe(1);
      const out = real.out.join("");
      expect(out).toMatch(/tenant frosty .*: failed: TenantFrozenError: /);
      expect(out).toContain("deleted 14 documents of user u2 in 7 tenants\n");
      const gone = before.filter((t) => {
        const d = EJSON.parse(t, { relaxed: false }) as { user_id?: string; tenant_id?: string };
        return d.user_id === "u2" && d.tenant_id !== undefined && !["frosty", "leaving"].includes(d.tenant_id);
      });
      expect(await world.everything()).toEqual(before.filter((t) => !gone.includes(t)));

      const audit = memoryIo(dir);
      expect(await auditCommand({ env: "test", map: "map.json", actor: "bob" }, audit, deps())).toBe(0);
      const lines = audit.out.join("").trim().split("\n");
      expect(lines).toHaveLength(4);
      expect(lines[0]).toContain('  bob  user.count  started  8 tenants [eu, us]  notes  user u2  ticket DSR-3  reason "DSR-3"  call ');
      expect(lines[3]).toContain("  bob  user.erase (write)  finished  partial  14 documents  ");
      expect(lines[3]).toContain(" ms  failed: frosty TenantFrozenError  call ");
      const json = memoryIo(dir);
      expect(await auditCommand({ env: "test", map: "map.json", tenant: "frosty", json: true }, json, deps())).toBe(0);
      expect((JSON.parse(json.out.join("")) as unknown[]).length).toBe(4);
    });

    test("usage errors exit 2 and run nothing; a refused admin call exits 1", async () => {
      const cases: [() => Promise<number>, string][] = [
        [() => adminFind("users", { map: "map.json", filter: "{nope", reason: "x" }, io, deps()), "--filter is not JSON"],
        [() => adminFind("users", { map: "map.json", filter: "[1]", reason: "x" }, io, deps()), "--filter must be a JSON object"],
        [() => adminFind("users", { map: "missing.json", reason: "x" }, io, deps()), "--map: cannot read missing.json"],
        [() => adminFind("users", { reason: "x" }, io, deps()), "give the connection map with --map FILE (or TENANTRY_MAP)"],
        [() => adminFind("users", { map: "map.json", reason: "x", env: "prod" }, io, deps()), "is the map of environment test, not prod"],
        [() => auditCommand({ map: "map.json" }, io, deps()), "--env is required"],
        [() => auditCommand({ env: "test", map: "map.json", since: "yesterday" }, io, deps()), "--since must be an ISO date"],
      ];
      let io = memoryIo(dir);
      for (const [run, message] of cases) {
        io = memoryIo(dir);
        expect(await run()).toBe(2);
        expect(io.err.join("")).toContain(message);
      }
      const refused = memoryIo(dir);
      expect(await adminFind("users", { map: "map.json", reason: "   " }, refused, deps())).toBe(1);
      expect(refused.err.join("")).toBe("tenantry admin find: AdminContextError: admin reason must not be empty\n");
      expect(await world.audit()).toEqual([]);
    });
  });
}

describe("tenantry admin / audit — parsing", () => {
  test.each([
    ["30m", "2026-12-01T11:30:00.000Z"],
    ["24h", "2026-11-30T12:00:00.000Z"],
    ["7d", "2026-11-24T12:00:00.000Z"],
    ["2026-11-01T00:00:00Z", "2026-11-01T00:00:00.000Z"],
  ])("--since %s", (value, expected) => {
    expect(parseSince(value, new Date("2026-12-01T12:00:00Z")).toISOString()).toBe(expected);
  });

  test("the commands are registered: --reason is required (usage, exit 2)", async () => {
    const io = memoryIo();
    expect(await runCli(["admin", "find", "users", "--map", "x.json"], io)).toBe(2);
    expect(io.err.join("")).toContain("required option '--reason <text>' not specified");
    const erase = memoryIo();
    expect(await runCli(["admin", "erase-user", "u1", "--reason", "r"], erase)).toBe(2);
    expect(erase.err.join("")).toContain("required option '--ticket <id>' not specified");
  });
});
