// The resolver is what applications install: its import graph must never reach @pulumi/* (nor the test backend).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

const root = resolve(__dirname, "../..");

function resolveLocal(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) if (existsSync(candidate) && candidate.endsWith(".ts")) return candidate;
  throw new Error(`cannot resolve ${specifier} from ${from}`);
}

/** Every file reachable from `entry` through static imports, re-exports, `import()` and `require()`, and every package. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith(".")) queue.push(resolveLocal(file, fileName));
      else packages.add(fileName);
    }
  }
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() };
}

describe("src/resolver import graph", () => {
  const graph = importGraph(join(root, "src/resolver/index.ts"));

  test("reaches no @pulumi package, and only the driver, zod, the AWS secrets client and node builtins", () => {
    expect(graph.packages.filter((p) => p.startsWith("@pulumi/"))).toEqual([]);
    expect(graph.packages.filter((p) => !p.startsWith("node:"))).toEqual(["@aws-sdk/client-secrets-manager", "mongodb", "zod"]);
  });

  test("stays inside the resolver, the shared contracts and the control stores", () => {
    const outside = graph.files.filter((f) => !f.startsWith("src/resolver/"));
    expect(outside).toEqual(["src/backend/types.ts", "src/connection-map/index-keys.ts", "src/connection-map/schema.ts", "src/control/memory-store.ts", "src/control/mongo-store.ts", "src/control/types.ts"]);
  });

  test("the walker sees through re-exports (it would notice a @pulumi import)", () => {
    const testing = importGraph(join(root, "src/testing/index.ts"));
    expect(testing.packages).toContain("mingo");
  });
});
