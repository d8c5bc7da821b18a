// The layering rules as data: which layer (package) each source file belongs to, which layers and npm packages each
// may import. tests/architecture/layering.test.ts enforces them; the workspace split reads the same table.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export type Layer = "contract" | "resolver" | "testing" | "core" | "pulumi" | "mover" | "cli" | "app";

export interface LayerRule {
  /** Layers this one may import (itself always). */
  layers: readonly Layer[];
  /** npm packages (besides node builtins) it may import; a trailing `*` matches a scope. */
  packages: readonly string[];
  /** True when other layers may reach it only through its entry (`src/index.ts`). */
  entryOnly?: boolean;
}

export const RULES: Readonly<Record<Layer, LayerRule>> = {
  // The map schema, physical names, the database surface, override types, file reading: zod (and driver types).
  contract: { layers: [], packages: ["zod", "mongodb"] },
  // What applications install: the driver, zod and the optional AWS clients, never the control plane.
  resolver: { layers: ["contract"], packages: ["mongodb", "zod", "@aws-sdk/client-secrets-manager", "@aws-sdk/client-ssm"], entryOnly: true },
  testing: { layers: ["contract"], packages: ["mingo", "mongodb"], entryOnly: true },
  // Registry, placement, map assembly and diff: no cloud SDK; the driver for its types only (collection declarations).
  core: { layers: ["contract"], packages: ["yaml", "zod", "mongodb"] },
  // The Pulumi components and the offline engine.
  // @secretlint/*: the plan's leak guard (secretlint's recommended preset).
  pulumi: { layers: ["contract", "core"], packages: ["@pulumi/*", "@secretlint/*", "yaml", "zod", "picocolors"] },
  // core: the registry's index and collection declarations (types only; src/collections from issue 13 joins core).
  mover: { layers: ["contract", "resolver", "core"], packages: ["mongodb", "zod"] },
  cli: { layers: ["contract", "resolver", "testing", "core", "pulumi", "mover"], packages: ["commander", "picocolors", "mongodb", "zod", "yaml"] },
  // The deployable Pulumi project's entry (src/index.ts).
  app: { layers: ["contract", "core", "pulumi"], packages: ["@pulumi/pulumi"] },
};

/**
 * Before the split: file (or folder, ending in `/`) → layer; the first match wins. A folder not listed here fails the
 * layering test by name, so a new folder gets a layer (and a package) on purpose.
 */
export const SOURCE_LAYERS: readonly (readonly [string, Layer])[] = [
  ["src/index.ts", "app"],
  ["packages/contract/src/naming.ts", "contract"],
  ["packages/contract/src/files.ts", "contract"],
  ["packages/contract/src/atomic-write.ts", "contract"],
  ["src/backend/", "contract"],
  ["packages/contract/src/connection-map/schema.ts", "contract"],
  ["packages/contract/src/connection-map/document.ts", "contract"],
  // The one index prefixing rule (issue 13) that the resolver, the mover and `collections apply` share.
  ["packages/contract/src/connection-map/index-keys.ts", "contract"],
  // The published map format (index + shards): the program writes it, the resolver's SSM loader reads it.
  ["packages/contract/src/connection-map/publication.ts", "contract"],
  ["packages/contract/src/control/types.ts", "contract"],
  // Route identity and choice under an override: the one rule the resolver and the mover share.
  ["packages/contract/src/control/route.ts", "contract"],
  ["src/control/", "resolver"],
  ["src/resolver/", "resolver"],
  ["src/testing/", "testing"],
  ["packages/core/src/index.ts", "core"],
  ["src/registry/", "core"],
  ["src/placement/", "core"],
  ["src/connection-map/", "core"],
  // Collections, indexes and validators per stage from the registry (issue 13).
  ["src/collections/", "core"],
  ["src/program/", "pulumi"],
  // `tenantry up|preview` over the Automation API, migration moves, operator manifests (issue 15).
  ["src/orchestration/", "pulumi"],
  ["src/plan/", "pulumi"],
  ["src/mover/", "mover"],
  ["src/cli/", "cli"],
];

export const LAYER_NAMES = Object.keys(RULES) as Layer[];

/** The layer of a repository-relative path: `packages/<layer>/…` after the split, SOURCE_LAYERS before. */
export function layerOf(path: string): Layer | undefined {
  const p = path.split(sep).join("/");
  const pkg = /^packages\/([^/]+)\//.exec(p)?.[1];
  if (pkg !== undefined) return (LAYER_NAMES as string[]).includes(pkg) ? (pkg as Layer) : undefined;
  return SOURCE_LAYERS.find(([prefix]) => (prefix.endsWith("/") ? p.startsWith(prefix) : p === prefix))?.[1];
}

/** True when `path` is its layer's public entry. */
export function isEntry(path: string, layer: Layer): boolean {
  const p = path.split(sep).join("/");
  return p === `packages/${layer}/src/index.ts` || p === `src/${layer}/index.ts`;
}

export interface ImportEdge {
  from: string;
  /** Repository-relative file for local imports, else undefined. */
  to: string | undefined;
  /** The specifier as written. */
  specifier: string;
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

function resolveLocal(root: string, from: string, specifier: string): string {
  // `./engine.js` in a dynamic import names the compiled file of `./engine.ts`.
  const base = resolve(dirname(join(root, from)), specifier.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return relative(root, candidate).split(sep).join("/");
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

/** Workspace packages by name (`@tenantry/resolver` → `packages/resolver/src/index.ts`), after the split. */
function workspaceEntries(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const dir = join(root, "packages");
  if (!existsSync(dir)) return entries;
  for (const name of readdirSync(dir)) {
    const manifest = join(dir, name, "package.json");
    if (existsSync(manifest)) entries.set((JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name, `packages/${name}/src`);
  }
  return entries;
}

/** Module specifiers of a file: import/export declarations, `import x = require()`, `import()` and `require()` calls. */
function specifiersOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) out.push((node.arguments[0]).text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every `.ts` file under `dirs` (repository-relative). */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) if (name !== "node_modules" && name !== "dist") walk(`${rel}/${name}`);
    } else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) out.push(rel);
  };
  for (const d of dirs) walk(d);
  return out;
}

/**
 * Every import of every file: static imports, re-exports, `import()` and `require()` (type-only included: a type
 * import of another layer is still a dependency of the package). Workspace package names resolve to their sources.
 */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  const workspaces = workspaceEntries(root);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const specifier of specifiersOf(join(root, from))) {
      if (specifier.startsWith(".")) {
        edges.push({ from, to: resolveLocal(root, from, specifier), specifier });
        continue;
      }
      const src = workspaces.get(packageOf(specifier));
      if (src === undefined) {
        edges.push({ from, to: undefined, specifier });
        continue;
      }
      const sub = specifier.slice(packageOf(specifier).length).replace(/^\//, "");
      edges.push({ from, to: sub === "" ? `${src}/index.ts` : resolveLocal(root, `${src}/x.ts`, `./${sub}`), specifier });
    }
  }
  return edges;
}
