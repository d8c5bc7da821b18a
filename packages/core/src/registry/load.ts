// Loads a registry file: YAML/JSON with positions → zod schema → every rule → placement; all problems in one pass.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readTextFile } from "@tenantry/contract/files";
import { type Alias, type Document, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { type Placement, placeTenants } from "./placement";
import { formatPath, type PathSegment, pathOfKeyAt, SourceMap } from "./positions";
import { type Problem, RegistryInvalidError } from "./problems";
import { checkRegistry } from "./rules";
import type { RuleProblem } from "./rules/types";
import { Registry } from "./schema";
import { describeIssue } from "./zod-issues";

export interface LoadedRegistry {
  /** The file the registry was read from (as given). */
  file: string;
  registry: Registry;
  /** One per tenant, in registry order. */
  placements: Placement[];
  /** Problems of severity "warning" (capacity, tenants mid-migration); the registry is usable. */
  warnings: Problem[];
}

/** Thrown by loadRegistryFile when the file does not exist (the CLI maps it to exit 2). */
export class RegistryNotFoundError extends Error {
  override readonly name = "RegistryNotFoundError";
  constructor(readonly file: string) {
    super(`registry file not found: ${file}`);
  }
}

/** A YAML or JSON document with its positions, or the syntax problems that stopped parsing. */
export interface ParsedSource {
  data: unknown;
  map: SourceMap;
  /** Syntax errors (including duplicate keys), already positioned. */
  problems: Problem[];
}

/**
 * Parses YAML or JSON text (JSON is YAML 1.2, so one parser gives positions for both). Duplicate keys are errors:
 * a repeated key must never silently win.
 */
export function parseSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const severity = doc.errors.includes(e) ? "error" : "warning";
    if (e.code === "DUPLICATE_KEY") {
      const path = pathOfKeyAt(doc, e.pos[0]);
      const key = path?.at(-1);
      const message = `duplicate key${key === undefined ? "" : ` \`${String(key)}\``}: each key may appear once in a mapping`;
      return { severity, path: path === undefined ? "(syntax)" : formatPath(path), message, file, line: pos.line, col: pos.col };
    }
    const message = e.code === "MULTIPLE_DOCS" ? "a registry is a single YAML document; remove the `---` separator" : firstLine(e.message);
    return { severity, path: "(syntax)", message, file, line: pos.line, col: pos.col };
  });
  let data: unknown;
  if (!problems.some((p) => p.severity === "error")) {
    try {
      // Aliases are fine (they keep a registry DRY); a bounded count refuses "billion laughs" documents.
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // yaml throws ReferenceError for unresolved or excessive aliases: a user error, reported like any other.
      if (!(error instanceof ReferenceError)) throw error;
      const name = /: (\S+)$/.exec(error.message)?.[1];
      const alias = firstAlias(doc, name);
      const pos = lineCounter.linePos(alias?.range?.[0] ?? 0);
      problems.push({ severity: "error", path: "(syntax)", message: firstLine(error.message), file, line: pos.line, col: pos.col });
    }
  }
  return { data, map: new SourceMap(doc, lineCounter), problems };
}

/** Keys that alter JavaScript prototypes when a parsed document is used as an object: never valid anywhere. */
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"];

/** Paths of every prototype-style key in parsed data (checked before the schema: zod records may drop them silently). */
export function prototypeKeyPaths(data: unknown, path: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(data)) return data.flatMap((item, i) => prototypeKeyPaths(item, [...path, i]));
  if (data === null || typeof data !== "object") return [];
  return Object.keys(data).flatMap((key) =>
    PROTOTYPE_KEYS.includes(key) ? [[...path, key]] : prototypeKeyPaths((data as Record<string, unknown>)[key], [...path, key]),
  );
}

/** Problems for every prototype-style key (`__proto__`, `constructor`, `prototype`), positioned at the key. */
export function prototypeProblems(source: ParsedSource, file: string): Problem[] {
  return prototypeKeyPaths(source.data).map((at) =>
    positioned(source.map, file, {
      severity: "error",
      at,
      atKey: true,
      message: `key \`${String(at.at(-1))}\` is not allowed anywhere in a registry (it would alter JavaScript object prototypes)`,
    }),
  );
}

/** The first alias named `name` (or the first alias at all): where an alias error is reported. */
function firstAlias(doc: Document.Parsed, name: string | undefined): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (name !== undefined && node.source !== name) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Positions a path-located problem in the file. */
export function positioned(map: SourceMap, file: string, p: RuleProblem): Problem {
  const pos = map.positionOf(p.at, p.atKey ? "key" : "value");
  return {
    severity: p.severity,
    path: formatPath(p.at),
    message: p.message,
    ...(p.tenantId === undefined ? {} : { tenantId: p.tenantId }),
    file,
    line: pos.line,
    col: pos.col,
  };
}

/** Turns zod issues into positioned problems naming the tenant / cluster / policy they concern. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], data: unknown, map: SourceMap, file: string, schema: z.ZodType): Problem[] {
  return issues.flatMap((issue) => describeIssue(issue, data, schema).map((p) => positioned(map, file, p)));
}

function byPosition(a: Problem, b: Problem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

/** Parses YAML or JSON text, validates (schema + every rule), places tenants. Throws RegistryInvalidError with ALL errors (positions filled). */
export function parseRegistry(text: string, file: string): LoadedRegistry {
  const source = parseSource(text, file);
  if (source.problems.some((p) => p.severity === "error")) throw new RegistryInvalidError(source.problems.sort(byPosition));
  const unsafe = prototypeProblems(source, file);
  if (unsafe.length > 0) throw new RegistryInvalidError(unsafe.sort(byPosition));
  const parsed = Registry.safeParse(source.data ?? {});
  if (!parsed.success) {
    throw new RegistryInvalidError(schemaProblems(parsed.error.issues, source.data, source.map, file, Registry).sort(byPosition));
  }
  const registry = parsed.data;
  const problems = [...source.problems, ...checkRegistry(registry).map((p) => positioned(source.map, file, p))].sort(byPosition);
  if (problems.some((p) => p.severity === "error")) throw new RegistryInvalidError(problems);
  return { file, registry, placements: placeTenants(registry), warnings: problems };
}

/** Reads the file (sync) then parseRegistry. Throws RegistryNotFoundError (a class you define, carrying `file`) if missing. */
export function loadRegistryFile(path: string): LoadedRegistry {
  const text = readTextFile(path);
  if (text === undefined) throw new RegistryNotFoundError(path);
  return parseRegistry(text, path);
}

/** `stacks/<env>.tenants.yaml` (or `.json` if only that exists) under `cwd`. */
export function registryPathFor(env: string, cwd: string): string {
  const yaml = join(cwd, "stacks", `${env}.tenants.yaml`);
  const json = join(cwd, "stacks", `${env}.tenants.json`);
  return !existsSync(yaml) && existsSync(json) ? json : yaml;
}

export type { PathSegment };
