// `tenantry onboard` / `offboard` in process on copies of the example registries: exact file edits, refusals leave the file byte-identical.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../../packages/cli/src/main";
import { memoryIo } from "../../packages/cli/src/io";

const STACKS = join(__dirname, "../../stacks");

function project(env = "dev"): { dir: string; file: string; original: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-onboard-"));
  mkdirSync(join(dir, "stacks"));
  const file = join(dir, "stacks", `${env}.tenants.yaml`);
  copyFileSync(join(STACKS, `${env}.tenants.yaml`), file);
  return { dir, file, original: readFileSync(file) };
}

async function run(cwd: string, ...argv: string[]) {
  const io = memoryIo(cwd);
  const code = await runCli(argv, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

describe("tenantry onboard", () => {
  test("appends the tenant, keeps every other byte, prints the plan of that tenant alone", async () => {
    const { dir, file, original } = project();
    const r = await run(dir, "onboard", "acme", "--tier", "business", "--residency", "us", "--name", "Acme Corp");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(`${original.toString("utf8")}  - id: acme\n    name: Acme Corp\n    tier: business\n    residency: us\n`);
    expect(r.out).toMatch(/^onboarded tenant \[acme\] as bridge in us into stacks\/dev\.tenants\.yaml/);
    expect(r.out).toContain("1 tenant: 0 pool, 1 bridge, 0 silo");
    expect(r.out).toContain("t_acme__{profiles, orders, invoices, events}");
    for (const other of ["demo-free", "demo-business", "demo-enterprise"]) expect(r.out).not.toContain(other);
  });

  test("a silo tenant with every option", async () => {
    const { dir, file, original } = project();
    const r = await run(
      dir,
      "onboard",
      "globex",
      "--tier=enterprise",
      "--residency=us",
      "--region=US_WEST_2",
      "--instance-size=M30",
      "--backup-policy=dev-silo",
      "--compliance=GDPR",
    );
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(
      `${original.toString("utf8")}  - id: globex\n    name: globex\n    tier: enterprise\n    residency: us\n    region: US_WEST_2\n    instanceSize: M30\n    compliance: [GDPR]\n    backupPolicy: dev-silo\n`,
    );
    expect(r.out).toContain("t-globex US_WEST_2 M30");
  });

  test.each([
    ["an invalid result (SOC2 needs 30-day backups)", ["onboard", "acme", "--tier", "business", "--residency", "us", "--compliance", "SOC2"], 1, "the registry would be invalid after this change (stacks/dev.tenants.yaml left untouched)"],
    ["a region outside the zone", ["onboard", "acme", "--tier", "enterprise", "--residency", "us", "--region", "EU_WEST_1"], 1, "tenants[3].region"],
    ["an id that is not a slug", ["onboard", "Acme!", "--tier", "free", "--residency", "us"], 1, "tenants[3].id"],
    ["an existing id", ["onboard", "demo-free", "--tier", "free", "--residency", "us"], 1, "tenant [demo-free] is already in the registry; stacks/dev.tenants.yaml left untouched"],
    ["an unknown tier", ["onboard", "acme", "--tier", "gold", "--residency", "us"], 2, "argument 'gold' is invalid"],
    ["a missing --residency", ["onboard", "acme", "--tier", "free"], 2, "required option '--residency <zone>' not specified"],
    ["--env and --registry together", ["onboard", "acme", "--tier", "free", "--residency", "us", "--env", "dev", "--registry", "x.yaml"], 2, "give either --env or --registry, not both"],
    ["a missing registry", ["onboard", "acme", "--tier", "free", "--residency", "us", "--env", "qa"], 2, "registry file not found: stacks/qa.tenants.yaml"],
  ])("refuses %s without touching the file", async (_name, argv, code, message) => {
    const { dir, file, original } = project();
    const r = await run(dir, ...argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
    expect(r.out).toBe("");
    expect(readFileSync(file).equals(original)).toBe(true);
  });

  test("a registry that is already invalid is refused without touching it", async () => {
    const { dir, file } = project();
    writeFileSync(file, readFileSync(file, "utf8").replace("tier: free", "tier: platinum"));
    const before = readFileSync(file);
    const r = await run(dir, "onboard", "acme", "--tier", "free", "--residency", "us");
    expect(r.code).toBe(1);
    expect(r.err).toContain("tenants[0].tier");
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe("tenantry offboard", () => {
  test("adds status: offboarding to a block entry; nothing else changes", async () => {
    const { dir, file, original } = project();
    const r = await run(dir, "offboard", "demo-business");
    expect(r.code).toBe(0);
    const lines = original.toString("utf8").split("\n");
    const at = lines.indexOf("    name: Demo Business Inc") + 3;
    lines.splice(at, 0, "    status: offboarding");
    expect(readFileSync(file, "utf8")).toBe(lines.join("\n"));
    expect(r.out).toContain("tenant [demo-business] marked offboarding in stacks/dev.tenants.yaml");
    expect(r.out).toContain("[offboarding]");
  });

  test("replaces the status of a flow entry in place (staging)", async () => {
    const { dir, file, original } = project("staging");
    const r = await run(dir, "offboard", "qa-frozen", "--env", "staging");
    expect(r.code).toBe(0);
    const before = original.toString("utf8").split("\n");
    const after = readFileSync(file, "utf8").split("\n");
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line, after[i]]]));
    expect(changed).toEqual([
      ["  - { id: qa-frozen, name: QA Frozen, tier: free, residency: us, status: frozen }", "  - { id: qa-frozen, name: QA Frozen, tier: free, residency: us, status: offboarding }"],
    ]);
  });

  test("a tenant already offboarding → exit 0, file untouched", async () => {
    const { dir, file } = project("staging");
    expect((await run(dir, "offboard", "qa-frozen", "--env", "staging")).code).toBe(0);
    const before = readFileSync(file);
    const again = await run(dir, "offboard", "qa-frozen", "--env", "staging");
    expect(again.code).toBe(0);
    expect(again.out).toBe("tenant [qa-frozen] needs no change in stacks/staging.tenants.yaml; file left untouched\n");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test("an unknown id → exit 1, file untouched", async () => {
    const { dir, file, original } = project();
    const r = await run(dir, "offboard", "nobody");
    expect(r.code).toBe(1);
    expect(r.err).toBe("tenantry offboard: tenant [nobody] is not in the registry; stacks/dev.tenants.yaml left untouched\n");
    expect(readFileSync(file).equals(original)).toBe(true);
  });
});
