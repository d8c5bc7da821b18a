// `tenantry triggers`: recommendations with the threshold each crossed; exit codes.
import { join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "vitest";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";

const root = join(__dirname, "..", "..");

async function run(args: string[], cwd = root) {
  const io = memoryIo(cwd);
  const code = await runCli(args, io);
  return { code, out: io.out.join("").split("\n").filter(Boolean), err: io.err.join("") };
}

test("prod metrics give one recommendation per crossed tenant, with thresholds", async () => {
  const r = await run(["triggers", "--env", "prod", "--metrics", "stacks/prod.metrics.yaml"]);
  expect(r.code).toBe(0);
  expect(r.out).toEqual([
    "tenant [corner-cycles]  pool → bridge",
    "  - data size: 14.2 GB (threshold > 10 GB) → bridge",
    "tenant [driftwood-design]  pool → bridge",
    "  - slow queries (p95): 6.8 s (threshold > 5 s) → bridge",
    "tenant [emberly]  pool → bridge",
    "  - explicit request: isolation (threshold asked for) → bridge",
    "tenant [quarry-billing]  bridge → silo",
    "  - deal size: $1,250,000 (threshold ≥ $1,000,000) → silo",
    "tenant [sonnenschein-energie]  bridge → silo",
    "  - explicit request: sovereignty (threshold asked for) → silo",
    "tenant [union-street-bank]  bridge → silo",
    "  - SLA: 99.99 % (threshold 99.99 %) → silo",
    "6 recommendation(s) for 29 tenant(s) of prod; the registry is unchanged — edit it (stage or move) to act on one",
  ]);
});

test("a metrics file naming an unknown tenant exits 1 with its position", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-triggers-"));
  writeFileSync(join(dir, "m.yaml"), "version: 1\ntenants:\n  ghost: { dataSizeGb: 50 }\n");
  const r = await run(["triggers", "--env", "dev", "--metrics", join(dir, "m.yaml")]);
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
  expect(r.err.split("\n")[0]).toBe(`${join(dir, "m.yaml")}:3:3  tenants.ghost  tenant [ghost] is not in the registry; metrics must name registry tenants`);
});

const hint = "(run `tenantry triggers --help` for usage)\n";
const noEnvMetrics = join(mkdtempSync(join(tmpdir(), "tenantry-triggers-")), "m.yaml");
writeFileSync(noEnvMetrics, "version: 1\ntenants: {}\n");

test.each([
  [["triggers", "--env", "dev", "--metrics", "nope.yaml"], `tenantry triggers: metrics file not found: nope.yaml\n${hint}`],
  [["triggers", "--env", "nope", "--metrics", noEnvMetrics], `tenantry triggers: registry file not found: stacks/nope.tenants.yaml\n${hint}`],
])("missing files exit 2: %j", async (args, message) => {
  expect(await run(args)).toEqual({ code: 2, out: [], err: message });
});

test("the environment comes from the metrics file: prod metrics are checked against the prod registry", async () => {
  const withEnv = await run(["triggers", "--env", "prod", "--metrics", "stacks/prod.metrics.yaml"]);
  const fromFile = await run(["triggers", "--metrics", "stacks/prod.metrics.yaml"]);
  expect(fromFile).toEqual(withEnv);
});

test("--env that contradicts the metrics file's environment exits 1 and names both", async () => {
  const r = await run(["triggers", "--env", "dev", "--metrics", "stacks/prod.metrics.yaml"]);
  expect(r).toEqual({
    code: 1,
    out: [],
    err: "tenantry triggers: stacks/prod.metrics.yaml holds metrics of environment prod, not dev; drop --env or give the dev metrics\n",
  });
});

test("--json: one document with every recommendation and its reasons", async () => {
  const io = memoryIo(root);
  expect(await runCli(["triggers", "--metrics", "stacks/prod.metrics.yaml", "--json"], io)).toBe(0);
  const doc = JSON.parse(io.out.join("")) as { version: number; environment: string; tenants: number; recommendations: { tenantId: string; to: string; reasons: { trigger: string }[] }[] };
  expect(doc.version).toBe(1);
  expect(doc.environment).toBe("prod");
  expect(doc.tenants).toBe(29);
  expect(doc.recommendations.map((r) => [r.tenantId, r.to])).toEqual([
    ["corner-cycles", "bridge"],
    ["driftwood-design", "bridge"],
    ["emberly", "bridge"],
    ["quarry-billing", "silo"],
    ["sonnenschein-energie", "silo"],
    ["union-street-bank", "silo"],
  ]);
  expect(doc.recommendations[0]?.reasons[0]).toEqual({ trigger: "data size", threshold: "> 10 GB", actual: "14.2 GB", stage: "bridge" });
});

test("--metrics is required (exit 2)", async () => {
  const r = await run(["triggers", "--env", "prod"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("required option '--metrics <file>' not specified");
});
