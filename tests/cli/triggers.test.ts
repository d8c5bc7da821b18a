// `tenantry triggers`: recommendations with the threshold each crossed; exit codes.
import { join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "vitest";
import { memoryIo } from "../../src/cli/io";
import { runCli } from "../../src/cli/main";

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
    "6 recommendation(s) for 29 tenant(s); the registry is unchanged — edit it (stage or move) to act on one",
  ]);
});

test("a metrics file naming an unknown tenant exits 1 with its position", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-triggers-"));
  writeFileSync(join(dir, "m.yaml"), "version: 1\ntenants:\n  ghost: { dataSizeGb: 50 }\n");
  const r = await run(["triggers", "--env", "dev", "--metrics", join(dir, "m.yaml")]);
  expect(r.code).toBe(1);
  expect(r.out[0]).toBe(`${join(dir, "m.yaml")}:3:3  tenants.ghost  tenant [ghost] is not in the registry; metrics must name registry tenants`);
});

test.each([
  [["triggers", "--env", "dev", "--metrics", "nope.yaml"], "tenantry triggers: metrics file not found: nope.yaml\n"],
  [["triggers", "--env", "nope", "--metrics", "stacks/prod.metrics.yaml"], "tenantry triggers: registry file not found: stacks/nope.tenants.yaml\n"],
])("missing files exit 2: %j", async (args, message) => {
  expect(await run(args)).toEqual({ code: 2, out: [], err: message });
});

test("--metrics is required (exit 2)", async () => {
  const r = await run(["triggers", "--env", "prod"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("required option '--metrics <file>' not specified");
});
