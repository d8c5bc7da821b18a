// `tenantry validate`: exit codes 0 / 1 / 2 and the exact lines printed.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";

const root = join(__dirname, "..", "..");

/** A scratch project directory with stacks/<name> files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-validate-"));
  mkdirSync(join(dir, "stacks"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "stacks", name), text);
  return dir;
}

const VALID = `version: 1
environment: dev
collections:
  - name: orders
sharedClusters:
  - { name: dev-1, residency: us, region: US_EAST_1, instanceSize: M10, backupPolicy: std }
backupPolicies:
  std: { daily: { keepDays: 7 } }
tenants:
  - { id: acme, name: Acme, tier: free, residency: us }
`;

const INVALID = `version: 1
environment: dev
collections:
  - name: orders
sharedClusters:
  - { name: dev-1, residency: us, region: US_EAST_1, instanceSize: M10, backupPolicy: std }
backupPolicies:
  std: { daily: { keepDays: 7 } }
tenants:
  - { id: acme, name: Acme, tier: free, stage: pool, residency: us, compliance: [HIPAA] }
  - { id: beta, name: Beta, tier: free, residency: eu }
`;

async function run(args: string[], cwd: string) {
  const io = memoryIo(cwd);
  const code = await runCli(args, io);
  return { code, out: io.out.join("").split("\n").filter(Boolean), err: io.err.join("") };
}

describe("tenantry validate", () => {
  test("a valid registry (default env dev) exits 0 with a summary", async () => {
    const r = await run(["validate"], project({ "dev.tenants.yaml": VALID }));
    expect(r).toEqual({ code: 0, out: ["stacks/dev.tenants.yaml: valid — 1 tenant (1 pool, 0 bridge, 0 silo), 0 warnings"], err: "" });
  });

  test("an invalid registry exits 1 and prints every problem as FILE:LINE:COL  path  message", async () => {
    const r = await run(["validate", "stacks/dev.tenants.yaml"], project({ "dev.tenants.yaml": INVALID }));
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err.split("\n").filter(Boolean)).toEqual([
      "stacks/dev.tenants.yaml:10:48  tenants[0].stage  tenant [acme] needs stage silo for HIPAA, registry says pool",
      "stacks/dev.tenants.yaml:10:81  tenants[0].compliance  tenant [acme] has HIPAA, which needs daily snapshots kept ≥ 30 days (45 CFR 164.308(a)(7)(ii)(A) (Tenantry default: 30 days)); backup policy [std] (the policy of its shared cluster) keeps 7 days",
      "stacks/dev.tenants.yaml:10:81  tenants[0].compliance  tenant [acme] has HIPAA, which needs yearly snapshots kept ≥ 6 years (45 CFR 164.316(b)(2)); backup policy [std] (the policy of its shared cluster) has no yearly item",
      "stacks/dev.tenants.yaml:11:52  tenants[1].residency  tenant [beta] places in pool and needs a shared cluster in zone eu; declare one in sharedClusters",
      "stacks/dev.tenants.yaml: invalid — 4 errors, 0 warnings",
    ]);
  });

  test("--json: one document on stdout with every problem positioned, nothing on stderr", async () => {
    const r = await run(["validate", "--json"], project({ "dev.tenants.yaml": INVALID }));
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const doc = JSON.parse(r.out.join("\n")) as Record<string, unknown> & { problems: Record<string, unknown>[] };
    expect(doc).toMatchObject({ version: 1, file: "stacks/dev.tenants.yaml", valid: false, tenants: null, errors: 4, warnings: 0 });
    expect(doc.problems[0]).toEqual({
      severity: "error",
      path: "tenants[0].stage",
      message: "tenant [acme] needs stage silo for HIPAA, registry says pool",
      tenantId: "acme",
      file: "stacks/dev.tenants.yaml",
      line: 10,
      col: 48,
    });
    const ok = await run(["validate", "--json"], project({ "dev.tenants.yaml": VALID }));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.join("\n"))).toEqual({ version: 1, file: "stacks/dev.tenants.yaml", valid: true, tenants: { total: 1, pool: 1, bridge: 0, silo: 0 }, errors: 0, warnings: 0, problems: [] });
  });

  test("--env picks stacks/<env>.tenants.yaml, and JSON when only that exists", async () => {
    const dir = project({ "qa.tenants.json": JSON.stringify({ version: 1, environment: "qa", collections: [{ name: "orders" }] }) });
    expect(await run(["validate", "--env", "qa"], dir)).toEqual({ code: 0, out: ["stacks/qa.tenants.json: valid — 0 tenants (0 pool, 0 bridge, 0 silo), 0 warnings"], err: "" });
  });

  test.each([
    [["validate", "--env", "prod"], "tenantry validate: registry file not found: stacks/prod.tenants.yaml"],
    [["validate", "stacks/dev.tenants.yaml", "--env", "dev"], "tenantry validate: give either FILE or --env, not both"],
    [["validate", "--env", "../etc"], 'tenantry validate: --env must be a lowercase environment name such as dev or prod, got "../etc"'],
  ])("usage error %j exits 2: one line and the --help hint", async (args, message) => {
    const r = await run(args, project({ "dev.tenants.yaml": VALID }));
    expect(r).toEqual({ code: 2, out: [], err: `${message}\n(run \`tenantry validate --help\` for usage)\n` });
  });

  test("an unknown flag exits 2 with commander's one-line message and the hint, not the whole help", async () => {
    const r = await run(["validate", "--bogus"], project({ "dev.tenants.yaml": VALID }));
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: unknown option '--bogus'\n(run `tenantry <command> --help` for usage)\n");
  });

  test.each(["dev", "staging", "prod"])("the example registry stacks/%s.tenants.yaml validates (exit 0)", async (env) => {
    const r = await run(["validate", "--env", env], root);
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toMatch(new RegExp(`^stacks/${env}\\.tenants\\.yaml: valid — `));
  });
});
