// `tenantry plan` run in process on fixture registries: exit codes, the --json contract, --out, and destructive-change detection per kind.
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../../packages/cli/src/main";
import { memoryIo } from "../../packages/cli/src/io";
import { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { PlanJson } from "../../packages/pulumi/src/plan/json";

const ESC = "\u001b[";
const DEV = join(__dirname, "../../stacks/dev.tenants.yaml");

/** A fresh project directory holding stacks/dev.tenants.yaml (a copy of the example). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-plan-"));
  mkdirSync(join(dir, "stacks"));
  copyFileSync(DEV, join(dir, "stacks", "dev.tenants.yaml"));
  return dir;
}

async function run(cwd: string, ...argv: string[]) {
  const io = memoryIo(cwd);
  const code = await runCli(argv, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

let dir: string;
let baseline: ConnectionMap;

beforeAll(async () => {
  dir = project();
  const r = await run(dir, "plan", "--out", "map.json");
  expect(r.code).toBe(0);
  baseline = ConnectionMap.parse(JSON.parse(readFileSync(join(dir, "map.json"), "utf8")));
});

describe("tenantry plan: exit codes and formats", () => {
  test("default: the dev environment as text, every tenant named", async () => {
    const r = await run(dir, "plan");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("Tenantry plan — environment dev");
    for (const id of ["demo-free", "demo-business", "demo-enterprise"]) expect(r.out).toContain(id);
    // Not a terminal: no ANSI escapes.
    expect(r.out).not.toContain(ESC);
  });

  test("colours on a terminal, none with NO_COLOR", async () => {
    const tty = { ...memoryIo(dir, true), env: {} };
    await runCli(["plan"], tty);
    expect(tty.out.join("")).toContain(`${ESC}1m`);
    const noColor = { ...memoryIo(dir, true), env: { NO_COLOR: "1" } };
    await runCli(["plan"], noColor);
    expect(noColor.out.join("")).not.toContain(ESC);
    expect(noColor.err.join("")).toBe("");
  });

  test("--json follows the contract and its map is a valid connection map", async () => {
    const r = await run(dir, "plan", "--json");
    expect(r.code).toBe(0);
    const doc = PlanJson.parse(JSON.parse(r.out));
    expect(doc.environment).toBe("dev");
    expect(doc.tenants.map((t) => [t.id, t.stage, t.cluster, t.residency, t.region])).toEqual([
      ["demo-free", "pool", "dev-us-1", "us", "US_EAST_1"],
      ["demo-business", "bridge", "dev-us-1", "us", "US_EAST_1"],
      ["demo-enterprise", "silo", "t-demo-enterprise", "us", "US_EAST_2"],
    ]);
    expect(doc.tenants[1]?.collections.orders).toBe("t_demo-business__orders");
    expect(ConnectionMap.parse(doc.connectionMap)).toEqual(baseline);
    expect(doc.changes).toBeNull();
    // Shared resources have tenant null, pool tenants own none.
    expect(doc.resources.some((r) => r.tenant === null && r.type === "mongodbatlas:index/advancedCluster:AdvancedCluster")).toBe(true);
    expect(doc.resources.filter((r) => r.tenant === "demo-free")).toEqual([]);
    const passwords = doc.resources.filter((r) => "password" in r.inputs).map((r) => r.inputs.password);
    expect(passwords.length).toBeGreaterThan(0);
    expect(new Set(passwords)).toEqual(new Set(["[secret]"]));
  });

  test("--markdown renders tables", async () => {
    const r = await run(dir, "plan", "--markdown");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^## Tenantry plan — `dev`/);
    expect(r.out).toContain("| `demo-enterprise` | Demo Enterprise Ltd | us | t-demo-enterprise | US_EAST_2 | M10 | dev-silo |");
  });

  test("--registry FILE plans that file", async () => {
    const r = await run(tmpdir(), "plan", "--registry", join(dir, "stacks", "dev.tenants.yaml"), "--json");
    expect(r.code).toBe(0);
    expect(PlanJson.parse(JSON.parse(r.out)).tenants).toHaveLength(3);
  });

  test.each([
    [["plan", "--env", "dev", "--registry", "x.yaml"], "give either --env or --registry, not both"],
    [["plan", "--json", "--markdown"], "give either --json or --markdown, not both"],
    [["plan", "--env", "nope"], "registry file not found: stacks/nope.tenants.yaml"],
    [["plan", "--env", "Bad Env"], "--env must be a lowercase environment name"],
    [["plan", "--previous", "missing.json"], "--previous: file not found: missing.json"],
    [["plan", "--frobnicate"], "unknown option"],
  ])("usage error %j → exit 2", async (argv, message) => {
    const r = await run(dir, ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe("");
  });

  test("an invalid registry → exit 1 with positioned problems, like validate", async () => {
    const bad = project();
    const file = join(bad, "stacks", "dev.tenants.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("region: US_EAST_2", "region: EU_WEST_1"));
    const r = await run(bad, "plan");
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^stacks\/dev\.tenants\.yaml:\d+:\d+ {2}tenants\[2\]\.region {2}/m);
    expect(r.err).toContain("tenantry plan: stacks/dev.tenants.yaml is invalid");
  });

  test("a file given to --previous that is not a map → exit 1", async () => {
    writeFileSync(join(dir, "junk.json"), JSON.stringify({ version: 2 }));
    const r = await run(dir, "plan", "--previous", "junk.json");
    expect(r.code).toBe(1);
    expect(r.err).toContain("junk.json is not a connection map");
  });

  test("--previous accepts a plan --json document as well as a bare map; no change → exit 0", async () => {
    const json = await run(dir, "plan", "--json");
    writeFileSync(join(dir, "plan.json"), json.out);
    for (const prev of ["map.json", "plan.json"]) {
      const r = await run(dir, "plan", "--previous", prev);
      expect(r.code).toBe(0);
      expect(r.out).toContain("No changes against the previous connection map.");
    }
  });
});

type Mutation = (m: ConnectionMap) => void;
const clone = (m: ConnectionMap): ConnectionMap => JSON.parse(JSON.stringify(m)) as ConnectionMap;
const t = (m: ConnectionMap, id: string) => {
  const entry = m.tenants[id];
  if (!entry) throw new Error(`fixture lacks ${id}`);
  return entry;
};

describe("tenantry plan --previous: one row per kind of change", () => {
  // Each row edits the PREVIOUS map so that the (unchanged) dev registry shows that change against it.
  test.each<[string, Mutation, string, boolean]>([
    ["added", (m) => void delete m.tenants["demo-free"], "added", false],
    [
      "removed after offboarding",
      (m) => void (m.tenants.ghost = { ...t(m, "demo-free"), status: "offboarding", partition: { ...t(m, "demo-free").partition, tenantValue: "ghost" } }),
      "removed",
      false,
    ],
    [
      "removed without offboarding",
      (m) => void (m.tenants.ghost = { ...t(m, "demo-free"), partition: { ...t(m, "demo-free").partition, tenantValue: "ghost" } }),
      "removed-without-offboarding",
      true,
    ],
    ["status change", (m) => void (t(m, "demo-free").status = "frozen"), "status-change", false],
    [
      "target cleared",
      (m) => {
        const { stage, cluster, credential, database, collections } = t(m, "demo-business");
        t(m, "demo-free").target = { stage, cluster, credential, database, collections };
      },
      "target-cleared",
      false,
    ],
    ["undeclared stage move", (m) => void Object.assign(t(m, "demo-business"), { stage: "pool" }), "stage-move", true],
    ["stage downgrade", (m) => void Object.assign(t(m, "demo-free"), { stage: "bridge" }), "stage-downgrade", true],
    [
      "undeclared cluster change",
      (m) => {
        m.clusters["shared:dev-us-0"] = { ...m.clusters["shared:dev-us-1"]!, name: "dev-us-0" };
        t(m, "demo-free").cluster = "shared:dev-us-0";
      },
      "cluster-change",
      true,
    ],
    [
      "silo region change",
      (m) => void Object.assign(m.clusters["silo:demo-enterprise"]!, { region: "US_WEST_2", awsRegion: "us-west-2" }),
      "region-change",
      true,
    ],
    ["database rename", (m) => void (t(m, "demo-free").database = "legacy"), "database-or-collection-rename", true],
    ["collection rename", (m) => void (t(m, "demo-business").collections.orders = "t_demo-business__order"), "database-or-collection-rename", true],
    ["cluster replaced", (m) => void (m.clusters["shared:dev-us-1"]!.name = "dev-us-old"), "cluster-replaced", true],
  ])("%s", async (_name, mutate, kind, destructive) => {
    const prev = clone(baseline);
    mutate(prev);
    ConnectionMap.parse(prev);
    const file = join(dir, `prev-${kind}.json`);
    writeFileSync(file, JSON.stringify(prev));

    const json = await run(dir, "plan", "--previous", file, "--json");
    const changes = PlanJson.parse(JSON.parse(json.out)).changes ?? [];
    expect(changes.map((c) => [c.kind, c.destructive])).toEqual([[kind, destructive]]);
    expect(json.code).toBe(destructive ? 1 : 0);

    const text = await run(dir, "plan", "--previous", file);
    expect(text.code).toBe(destructive ? 1 : 0);
    expect(text.out).toContain(changes[0]?.message);
    if (destructive) {
      expect(text.err).toContain("refused — 1 destructive change against the previous connection map");
      const allowed = await run(dir, "plan", "--previous", file, "--allow-destructive");
      expect(allowed.code).toBe(0);
      expect(allowed.err).toBe("");
    }
  });

  test("a tenant removed from the registry without offboarding is refused", async () => {
    const cut = project();
    const file = join(cut, "stacks", "dev.tenants.yaml");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/ {2}# Stage 1[^]*?residency: us\n/, ""));
    writeFileSync(join(cut, "map.json"), JSON.stringify(baseline));
    const r = await run(cut, "plan", "--previous", "map.json");
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      "✗ tenant [demo-free] is gone from the registry but was active, not offboarding: set `status: offboarding` and deploy first, then remove it",
    );
  });

  test("--out writes the would-be map even when the plan is refused", async () => {
    const prev = clone(baseline);
    delete prev.tenants["demo-free"];
    prev.tenants.ghost = { ...t(baseline, "demo-free"), partition: { ...t(baseline, "demo-free").partition, tenantValue: "ghost" } };
    writeFileSync(join(dir, "prev-ghost.json"), JSON.stringify(prev));
    const out = join(dir, "refused-map.json");
    const r = await run(dir, "plan", "--previous", "prev-ghost.json", "--out", "refused-map.json");
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(true);
    expect(ConnectionMap.parse(JSON.parse(readFileSync(out, "utf8")))).toEqual(baseline);
  });
});
