// The layering rules (tests/architecture/layers.ts) hold for every import of every source file, before and after the
// workspace split: each layer imports only the layers and npm packages it may, entry-only layers are reached through
// their entry, the resolver's graph never reaches the control plane, and no two folders import each other.
import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { importEdges, isEntry, type Layer, layerOf, packageOf, RULES, sourceFiles } from "./layers";

const root = resolve(__dirname, "../..");
const files = sourceFiles(root, ["src", "packages"]).filter((f) => f.startsWith("src/") || /^packages\/[^/]+\/src\//.test(f));
const edges = importEdges(root, files);

function allowedPackage(layer: Layer, pkg: string): boolean {
  if (pkg.startsWith("node:") || builtinModules.includes(pkg)) return true;
  return RULES[layer].packages.some((p) => (p.endsWith("*") ? pkg.startsWith(p.slice(0, -1)) : pkg === p));
}

/** The top folder a file belongs to: `src/registry/rules/x.ts` → `src/registry`; a file at `src/` is its own node; after the split,
 * every file of a package belongs to the package. */
function folderOf(file: string): string {
  const m = /^((?:packages\/[^/]+\/)?src)\/([^/]+)(\/.*)?$/.exec(file);
  if (!m) return file;
  // After the split a package is the unit (what src/<folder> was before it): its inner folders may cite each other.
  if (m[1]?.startsWith("packages/")) return m[1];
  return `${m[1]}/${m[2]}`;
}

/** Strongly connected components of size > 1 (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Every file reachable from `entry`, and every npm package those files import. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const e of edges) {
      if (e.from !== file) continue;
      if (e.to !== undefined) queue.push(e.to);
      else packages.add(packageOf(e.specifier));
    }
  }
  return { files: seen, packages };
}

describe("layering", () => {
  test("the walker sees sources, type-only imports, re-exports and dynamic imports", () => {
    expect(files.length).toBeGreaterThan(50);
    const resolverEntry = files.find((f) => isEntry(f, "resolver"))!;
    // index.ts re-exports the control stores; credentials.ts loads the AWS SDK with import().
    expect([...closure(resolverEntry).packages]).toContain("@aws-sdk/client-secrets-manager");
    expect(edges.some((e) => layerOf(e.from) === "resolver" && e.to !== undefined && layerOf(e.to) === "contract")).toBe(true);
  });

  test("every source file has a layer (a new folder needs a line in SOURCE_LAYERS)", () => {
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  test("each layer imports only the layers it may", () => {
    const bad = edges
      .filter((e) => e.to !== undefined)
      .map((e) => ({ e, from: layerOf(e.from)!, to: layerOf(e.to!)! }))
      .filter(({ from, to }) => from !== undefined && to !== undefined && from !== to && !RULES[from].layers.includes(to))
      .map(({ e, from, to }) => `${e.from} (${from}) imports ${e.to} (${to})`);
    expect(bad).toEqual([]);
  });

  test("the resolver and the memory backend are reached only through their public entry", () => {
    const bad = edges
      .filter((e) => e.to !== undefined)
      .filter((e) => {
        const from = layerOf(e.from);
        const to = layerOf(e.to!);
        return to !== undefined && from !== to && RULES[to].entryOnly === true && !isEntry(e.to!, to);
      })
      .map((e) => `${e.from} imports ${e.to}`);
    expect(bad).toEqual([]);
  });

  test("each layer imports only the npm packages it may", () => {
    const bad = edges
      .filter((e) => e.to === undefined)
      .filter((e) => {
        const layer = layerOf(e.from);
        return layer !== undefined && !allowedPackage(layer, packageOf(e.specifier));
      })
      .map((e) => `${e.from} (${layerOf(e.from)}) imports ${e.specifier}`);
    expect(bad).toEqual([]);
  });

  test("the resolver's whole graph reaches no control-plane file and no @pulumi/*, mingo, yaml or commander", () => {
    const { files: reached, packages } = closure(files.find((f) => isEntry(f, "resolver"))!);
    expect([...reached].filter((f) => !["resolver", "contract"].includes(layerOf(f) ?? ""))).toEqual([]);
    expect([...packages].filter((p) => p.startsWith("@pulumi/") || ["mingo", "yaml", "commander"].includes(p))).toEqual([]);
  });

  test("no two folders import each other, directly or through others", () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      if (e.to === undefined) continue;
      const [a, b] = [folderOf(e.from), folderOf(e.to)];
      if (!graph.has(a)) graph.set(a, new Set());
      if (a !== b) graph.get(a)!.add(b);
    }
    expect(cycles(graph)).toEqual([]);
  });
});
