// One measured offline run in a fresh process (so peak RSS belongs to this run): prints one JSON line.
// Usage: tsx bench/program-worker.ts <pool> <bridge> <silo> <stackTraceLimit>
import { runOfflineDetailed } from "../packages/pulumi/src/plan/engine";
import { syntheticInput } from "./program-fixture";

async function main(): Promise<void> {
  const [pool = 0, bridge = 0, silo = 0, limit = 10] = process.argv.slice(2).map(Number);
  const input = syntheticInput(pool, bridge, silo);
  // Loading the provider SDKs is a fixed cost, measured apart from the evaluation.
  const loadStarted = performance.now();
  await import("../packages/pulumi/src/program/compose.js");
  const loadMs = performance.now() - loadStarted;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 25);
  const started = performance.now();
  const { run } = await runOfflineDetailed(input, {}, { stackTraceLimit: limit });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const stageOf = new Map(run.placements.map((p) => [p.tenantId, p.current.stage]));
  const perStage: Record<string, { tenants: number; resources: number }> = {
    pool: { tenants: 0, resources: 0 },
    bridge: { tenants: 0, resources: 0 },
    silo: { tenants: 0, resources: 0 },
  };
  for (const stage of stageOf.values()) perStage[stage]!.tenants++;
  for (const r of run.resources) if (r.tenant) perStage[stageOf.get(r.tenant)!]!.resources++;
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      loadMs,
      resources: run.resources.length,
      custom: run.resources.filter((r) => !r.component).length,
      shared: run.resources.filter((r) => !r.tenant).length,
      perStage,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      peakHeapMb: peakHeap / 1e6,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
