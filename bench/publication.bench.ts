// `tenantry plan` with SSM publication on and off (format 2: index + shards): 2,637 and 10,550 tenants, each plan in a
// fresh process, wall time and peak RSS; the ratio of the full plan to the quarter plan with publication on.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { syntheticInput } from "./program-fixture";
import type { BenchResult } from "./types";

interface WorkerResult {
  totalMs: number;
  tenants: number;
  resources: number;
  peakRssMb: number;
}

const FULL = { pool: 10_000, bridge: 500, silo: 50 };

function fixture(dir: string, scale: number): string {
  const input = syntheticInput(FULL.pool * scale, FULL.bridge * scale, Math.round(FULL.silo * scale));
  const registry = join(dir, `bench-${scale}.tenants.yaml`);
  writeFileSync(registry, stringify(input.registry));
  return registry;
}

function measure(registry: string, publish: boolean): WorkerResult {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "plan-worker.ts"), registry, "-"], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    env: { ...process.env, TENANTRY_BENCH_PUBLISH: publish ? "1" : "0" },
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as WorkerResult;
}

export function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-publication-bench-"));
  const results: BenchResult[] = [];
  const quarter = fixture(dir, 0.25);
  const full = fixture(dir, 1);
  const runs = [
    ["quarter, publication off", measure(quarter, false)],
    ["quarter, publication on", measure(quarter, true)],
    ["full, publication on", measure(full, true)],
  ] as const;
  for (const [label, r] of runs) {
    const name = `${r.tenants.toLocaleString("en-US")} tenants, ${label.split(", ")[1]}`;
    results.push({ name: `plan wall time, ${name}`, value: r.totalMs / 1000, unit: "s", note: `${r.resources} resources` });
    results.push({ name: `peak RSS, ${name}`, value: r.peakRssMb, unit: "MB", note: label.startsWith("full") ? "target ≤ 1,200" : "" });
  }
  const q = runs[1][1];
  const f = runs[2][1];
  results.push({ name: "wall time, full ÷ quarter, publication on", value: f.totalMs / q.totalMs, unit: "×", note: "4× tenants; target ≤ 4.5×" });
  results.push({ name: "publication cost at the quarter plan (on ÷ off)", value: q.totalMs / runs[0][1].totalMs, unit: "×" });
  return Promise.resolve(results);
}
