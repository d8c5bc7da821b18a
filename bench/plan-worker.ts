// One measured `tenantry plan` in a fresh process (so peak RSS belongs to it): phase timings, output sizes; prints one JSON line.
// Usage: tsx bench/plan-worker.ts <registry.yaml> <previous-map.json|self|-> [stackTraceLimit] [no-callsites]
import { readFileSync } from "node:fs";
import { diffMaps } from "../packages/core/src/connection-map/diff";
import { ConnectionMap } from "../packages/contract/src/connection-map/schema";
import { renderJson } from "../packages/pulumi/src/plan/json";
import { renderMarkdown } from "../packages/pulumi/src/plan/markdown";
import { renderText } from "../packages/pulumi/src/plan/text";
import { loadRegistryFile } from "../packages/core/src/registry/load";

async function main(): Promise<void> {
  const [file = "", previousFile = "-", limitArg, patch] = process.argv.slice(2);
  if (patch === "no-callsites") {
    // Experiment: the SDK's Resource constructor captures a full, source-mapped stack per resource (Resource.callsites
    // forces Error.stackTraceLimit to Infinity); a plan never uses source positions.
    const pulumi = await import("@pulumi/pulumi");
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
  }
  const t = () => performance.now();
  // CPU time (user + system) per phase as well as wall time: the machine may be shared, CPU time is the steadier measure.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const cpuMs: Record<string, number> = {};
  let cpuMark = cpu();
  const phase = (name: string) => {
    const now = cpu();
    cpuMs[name] = now - cpuMark;
    cpuMark = now;
  };
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 25);
  const started = t();
  const engine = await import("../packages/pulumi/src/plan/engine.js");
  await import("../packages/pulumi/src/program/compose.js");
  const sdkMs = t() - started;
  phase("sdk");

  let mark = t();
  const loaded = loadRegistryFile(file);
  const loadMs = t() - mark;
  phase("load");

  mark = t();
  const { run, generatedSecrets } = await engine.runOfflineDetailed(loaded, { registryPath: file, publishToSsm: process.env.TENANTRY_BENCH_PUBLISH === "1" }, limitArg === undefined ? {} : { stackTraceLimit: Number(limitArg) });
  const engineMs = t() - mark;
  phase("engine");

  mark = t();
  // "self": compare with a copy of the map itself, which walks every tenant without finding a change.
  const previous =
    previousFile === "-"
      ? undefined
      : previousFile === "self"
        ? structuredClone(run.connectionMap)
        : ConnectionMap.parse(JSON.parse(readFileSync(previousFile, "utf8")));
  const changes = previous ? diffMaps(previous, run.connectionMap) : [];
  const diffMs = t() - mark;
  phase("diff");

  const plan = { run, changes, compared: previous !== undefined, registry: loaded.registry, knownSecrets: generatedSecrets };
  mark = t();
  const text = renderText(plan);
  const textMs = t() - mark;
  phase("text");
  mark = t();
  const markdown = renderMarkdown(plan);
  const markdownMs = t() - mark;
  phase("markdown");
  mark = t();
  const json = renderJson(plan);
  const jsonMs = t() - mark;
  phase("json");
  const totalMs = t() - started;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  process.stdout.write(
    `${JSON.stringify({
      sdkMs,
      loadMs,
      engineMs,
      diffMs,
      textMs,
      markdownMs,
      jsonMs,
      totalMs,
      cpuMs,
      tenants: run.placements.length,
      resources: run.resources.filter((r) => !r.component).length,
      components: run.resources.filter((r) => r.component).length,
      changes: changes.length,
      textLines: text.split("\n").length,
      markdownChars: markdown.length,
      jsonBytes: Buffer.byteLength(json),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      peakHeapMb: peakHeap / 1e6,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
