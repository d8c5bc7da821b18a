// Runs every bench/*.bench.ts (or those named on the command line) and prints one markdown table per file.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { BenchModule, BenchResult } from "./types";

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
}

function table(results: readonly BenchResult[]): string {
  const rows = results.map((r) => `| ${r.name} | ${formatValue(r.value)} | ${r.unit} | ${r.note ?? ""} |`);
  return ["| measurement | value | unit | note |", "|---|---:|---|---|", ...rows].join("\n");
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort();
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as BenchModule;
    const results = await mod.run();
    process.stdout.write(`\n### ${file.replace(/\.bench\.ts$/, "")}\n\n${table(results)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
