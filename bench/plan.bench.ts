// The whole `tenantry plan` (load + validate + program under the mock engine + diff + render) of a synthetic registry:
// 10,000 pool + 500 bridge + 50 silo tenants and 1/4, 1/2 of it; wall and CPU time per phase, peak memory, output sizes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { syntheticInput } from "./program-fixture";
import type { BenchResult } from "./types";

const PHASES = ["sdk", "load", "engine", "diff", "text", "markdown", "json"] as const;

interface WorkerResult {
  sdkMs: number;
  loadMs: number;
  engineMs: number;
  diffMs: number;
  textMs: number;
  markdownMs: number;
  jsonMs: number;
  totalMs: number;
  cpuMs: Record<(typeof PHASES)[number], number>;
  tenants: number;
  resources: number;
  components: number;
  changes: number;
  textLines: number;
  markdownChars: number;
  jsonBytes: number;
  peakRssMb: number;
  peakHeapMb: number;
}

const FULL = { pool: 10_000, bridge: 500, silo: 50 };
const SCALES = [0.25, 0.5, 1] as const;

/** Writes the synthetic registry as YAML, as a user's file would be. */
function fixture(dir: string, scale: number): { registry: string } {
  const input = syntheticInput(FULL.pool * scale, FULL.bridge * scale, Math.round(FULL.silo * scale));
  const registry = join(dir, `bench-${scale}.tenants.yaml`);
  writeFileSync(registry, stringify(input.registry));
  return { registry };
}

function measure(registry: string, previous: "self" | "-"): WorkerResult {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "plan-worker.ts"), registry, previous], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as WorkerResult;
}

export function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-plan-bench-"));
  const results: BenchResult[] = [];
  const totals = new Map<number, WorkerResult>();
  for (const scale of SCALES) {
    const { registry } = fixture(dir, scale);
    // "self": the diff phase compares the map with a copy of itself (every tenant walked, no change).
    const r = measure(registry, "self");
    totals.set(scale, r);
    const label = `${r.tenants.toLocaleString("en-US")} tenants`;
    results.push({ name: `plan wall time, ${label}`, value: r.totalMs / 1000, unit: "s", note: `${r.resources} cloud resources + ${r.components} components` });
    results.push({
      name: `plan CPU time, ${label}`,
      value: PHASES.reduce((n, p) => n + (r.cpuMs[p] ?? 0), 0) / 1000,
      unit: "s",
      note: PHASES.map((p) => `${p} ${((r.cpuMs[p] ?? 0) / 1000).toFixed(2)}`).join(", "),
    });
    results.push({ name: `peak RSS, ${label}`, value: r.peakRssMb, unit: "MB" });
    results.push({ name: `peak heap, ${label}`, value: r.peakHeapMb, unit: "MB" });
    results.push({ name: `text output, ${label}`, value: r.textLines, unit: "lines" });
    results.push({ name: `markdown output, ${label}`, value: r.markdownChars, unit: "chars", note: "GitHub comments hold 65,536" });
    results.push({ name: `json output, ${label}`, value: r.jsonBytes / 1e6, unit: "MB" });
  }
  const quarter = totals.get(0.25);
  const full = totals.get(1);
  if (quarter && full) {
    for (const p of ["load", "engine", "json"] as const) {
      results.push({ name: `CPU growth of ${p}, 1/4 → full (4× tenants)`, value: (full.cpuMs[p] ?? 0) / Math.max(1, quarter.cpuMs[p] ?? 0), unit: "×", note: "4× = linear" });
    }
  }
  return Promise.resolve(results);
}
