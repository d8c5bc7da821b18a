// The Pulumi program's evaluation cost for a synthetic registry (10,000 pool + 500 bridge + 50 silo, and 1/4, 1/2 of it):
// resources per tenant by stage, wall time, peak memory, growth, and the effect of Error.stackTraceLimit.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { assembleConnectionMap } from "../packages/core/src/connection-map/build";
import { OFFLINE_SETTINGS } from "../packages/pulumi/src/program/config";
import { planLayout, routeKeys } from "../packages/pulumi/src/program/layout";
import { syntheticInput } from "./program-fixture";
import type { BenchResult } from "./types";

interface WorkerResult {
  wallMs: number;
  loadMs: number;
  resources: number;
  custom: number;
  shared: number;
  perStage: Record<"pool" | "bridge" | "silo", { tenants: number; resources: number }>;
  peakRssMb: number;
  peakHeapMb: number;
}

const FULL = { pool: 10_000, bridge: 500, silo: 50 };
const SCALES = [0.25, 0.5, 1] as const;
/** Node's default stack trace limit vs none. */
const LIMITS = [10, 0] as const;

function measure(pool: number, bridge: number, silo: number, limit: number): WorkerResult {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "program-worker.ts"), String(pool), String(bridge), String(silo), String(limit)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as WorkerResult;
}

/** The program's own work (layout + map assembly), in-process, best of 3: must grow linearly with tenants. */
function ownWorkMs(scale: number): number {
  return Math.min(ownWorkOnce(scale), ownWorkOnce(scale), ownWorkOnce(scale));
}

function ownWorkOnce(scale: number): number {
  const input = syntheticInput(FULL.pool * scale, FULL.bridge * scale, Math.round(FULL.silo * scale));
  const started = performance.now();
  const layout = planLayout(OFFLINE_SETTINGS, input);
  const clusters = [
    ...layout.sharedClusters.map((c) => ({ key: `shared:${c.cluster.name}`, name: c.cluster.name, kind: "shared" as const, region: c.cluster.region, awsRegion: "x", residency: c.cluster.residency })),
    ...layout.silos.map((s) => ({ key: `silo:${s.tenantId}`, name: `t-${s.tenantId}`, kind: "silo" as const, region: s.location.region, awsRegion: "x", residency: s.residency })),
  ].map((c) => ({ ...c, standardSrv: `mongodb+srv://${c.name}.abcde.mongodb.net` }));
  const credentials = [
    ...layout.sharedClusters.map((c) => `shared:${c.cluster.name}`),
    ...layout.bridges.map((b) => `bridge:${b.tenantId}`),
    ...layout.silos.map((s) => `silo:${s.tenantId}`),
  ].map((key) => ({ key, secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${key}`, region: "us-east-1" }));
  assembleConnectionMap({ ctx: layout.ctx, collections: input.registry.collections, clusters, credentials, placements: input.placements, keysOf: routeKeys });
  return performance.now() - started;
}

export function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const wall = new Map<string, number>();
  ownWorkMs(0.25); // warm-up: JIT, zod schema compilation
  for (const scale of SCALES) {
    const n = { pool: FULL.pool * scale, bridge: FULL.bridge * scale, silo: Math.round(FULL.silo * scale) };
    const label = `${n.pool}p+${n.bridge}b+${n.silo}s`;
    for (const limit of LIMITS) {
      const r = measure(n.pool, n.bridge, n.silo, limit);
      wall.set(`${scale}/${limit}`, r.wallMs);
      const tag = `${label}, stackTraceLimit ${limit}`;
      results.push({ name: `evaluation time ${tag}`, value: r.wallMs / 1000, unit: "s", note: `${r.resources} resources (${r.custom} custom); SDK loading apart: ${(r.loadMs / 1000).toFixed(1)} s` });
      results.push({ name: `peak RSS ${tag}`, value: r.peakRssMb, unit: "MB" });
      results.push({ name: `max sampled heap ${tag}`, value: r.peakHeapMb, unit: "MB", note: "sampled every 25 ms: a lower bound of the peak" });
      if (scale === 1 && limit === 0) {
        for (const stage of ["pool", "bridge", "silo"] as const) {
          const s = r.perStage[stage];
          results.push({ name: `resources per ${stage} tenant`, value: s.tenants ? s.resources / s.tenants : 0, unit: "resources", note: "component included" });
        }
        results.push({ name: "shared resources (projects, shared clusters)", value: r.shared, unit: "resources" });
        results.push({ name: "time per registered resource, stackTraceLimit 0", value: r.wallMs / r.resources, unit: "ms" });
      }
    }
    const ratio = (wall.get(`${scale}/10`) ?? 0) / (wall.get(`${scale}/0`) ?? 1);
    results.push({ name: `speed-up of stackTraceLimit 0 at ${label}`, value: ratio, unit: "×" });
    results.push({ name: `program's own work (layout + map) at ${label}`, value: ownWorkMs(scale), unit: "ms", note: "in-process, no Pulumi" });
  }
  results.push({
    name: "growth 1/4 → full scale (4× tenants), stackTraceLimit 0",
    value: (wall.get("1/0") ?? 0) / (wall.get("0.25/0") ?? 1),
    unit: "×",
    note: "4× = linear",
  });
  return Promise.resolve(results);
}
