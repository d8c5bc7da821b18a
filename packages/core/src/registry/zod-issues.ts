// Turns zod issues into registry problems: names the tenant/cluster/policy, says what is expected, suggests typo fixes.
import type { z } from "zod";
import type { PathSegment } from "./positions";
import type { RuleProblem } from "./rules/types";

/** Levenshtein distance (small strings only: field names and enum values). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest candidate when it is plausibly a typo (distance ≤ 1/3 of the length, at least 1; case-insensitive match wins). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

type AnySchema = z.core.$ZodType;

function defOf(schema: AnySchema): { type: string } & Record<string, any> {
  return (schema as any)._zod.def;
}

/** Strips optional/default/nullable/pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else return s;
  }
}

/** The schema found at a path (array indexes, record keys and object fields), or undefined. */
export function schemaAt(schema: AnySchema, path: readonly PathSegment[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrap(schema);
  for (const segment of path) {
    if (s === undefined) return undefined;
    const def = defOf(s);
    if (def.type === "object") s = (def.shape as Record<string, AnySchema>)[String(segment)];
    else if (def.type === "array") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else return undefined;
    if (s !== undefined) s = unwrap(s);
  }
  return s;
}

/** Field names an object schema at `path` accepts. */
export function fieldsAt(schema: AnySchema, path: readonly PathSegment[]): string[] {
  const s = schemaAt(schema, path);
  if (s === undefined || defOf(s).type !== "object") return [];
  return Object.keys(defOf(s).shape as object);
}

function get(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const segment of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[segment];
  }
  return cur;
}

/** Who an issue at `path` concerns, for the message: tenant [acme], shared cluster [eu-1], backup policy [std]. */
export function subjectOf(data: unknown, path: readonly PathSegment[]): { label: string; tenantId?: string } | undefined {
  const [section, key] = path;
  if (section === "tenants" && typeof key === "number") {
    const id = get(data, ["tenants", key, "id"]);
    return typeof id === "string" ? { label: `tenant [${id}]`, tenantId: id } : { label: `tenants[${key}]` };
  }
  if (section === "sharedClusters" && typeof key === "number") {
    const name = get(data, ["sharedClusters", key, "name"]);
    return { label: typeof name === "string" ? `shared cluster [${name}]` : `sharedClusters[${key}]` };
  }
  if (section === "backupPolicies" && typeof key === "string") return { label: `backup policy [${key}]` };
  if (section === "collections" && typeof key === "number") {
    const name = get(data, ["collections", key, "name"]);
    return { label: typeof name === "string" ? `collection [${name}]` : `collections[${key}]` };
  }
  return undefined;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${show(value)}`;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map(show);
  return shown.length <= 1 ? (shown[0] ?? "") : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
}

function fieldName(path: readonly PathSegment[]): string {
  const last = [...path].reverse().find((s) => typeof s === "string");
  return last === undefined ? "value" : `\`${last}\``;
}

/** What went wrong, in words a registry author acts on. */
function explain(issue: z.core.$ZodIssue, actual: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (actual === undefined) return `${fieldName(issue.path as PathSegment[])} is required (${issue.expected})`;
      return `${fieldName(issue.path as PathSegment[])} must be ${issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}, got ${typeName(actual)}`;
    case "invalid_value": {
      if (actual === undefined) return `${fieldName(issue.path as PathSegment[])} is required: ${oneOf(issue.values)}`;
      const suggestion = typeof actual === "string" ? closest(actual, issue.values.map(String)) : undefined;
      const hint = suggestion !== undefined ? `; did you mean ${show(suggestion)}?` : "";
      if (issue.values.length === 1) return `${fieldName(issue.path as PathSegment[])} must be ${show(issue.values[0])}, got ${typeName(actual)}`;
      return `${fieldName(issue.path as PathSegment[])} must be one of ${oneOf(issue.values)}, got ${typeName(actual)}${hint}`;
    }
    case "invalid_union": {
      const literals = issue.errors.flat().flatMap((i) => (i.code === "invalid_value" ? i.values : []));
      const expected = literals.length > 0 ? `one of ${oneOf(literals)}` : "a valid value";
      return `${fieldName(issue.path as PathSegment[])} must be ${expected}, got ${typeName(actual)}`;
    }
    case "too_small":
      if (issue.origin === "array") return `${fieldName(issue.path as PathSegment[])} needs at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === "string") return `${fieldName(issue.path as PathSegment[])} must not be empty`;
      return `${fieldName(issue.path as PathSegment[])} must be ${issue.inclusive ? "≥" : ">"} ${String(issue.minimum)}, got ${show(actual)}`;
    case "too_big":
      if (issue.origin === "string") return `${fieldName(issue.path as PathSegment[])} must be at most ${String(issue.maximum)} characters, got ${String(typeof actual === "string" ? actual.length : "?")}`;
      return `${fieldName(issue.path as PathSegment[])} must be ${issue.inclusive ? "≤" : "<"} ${String(issue.maximum)}, got ${show(actual)}`;
    case "invalid_format":
      // Our schema's regex messages already say what is expected; zod's own formats (email, cidrv4) get a plain sentence.
      return issue.format === "regex"
        ? `${fieldName(issue.path as PathSegment[])} ${issue.message}, got ${show(actual)}`
        : `${fieldName(issue.path as PathSegment[])} must be a valid ${issue.format}, got ${show(actual)}`;
    case "invalid_key":
      return `key ${show(issue.path.at(-1))} is not allowed: ${issue.issues.map((i) => i.message).join("; ")}`;
    default:
      return `${fieldName(issue.path as PathSegment[])}: ${issue.message}`;
  }
}

/** One zod issue → one problem per offending field (an unrecognized_keys issue lists several keys). */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown, schema: AnySchema): RuleProblem[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
  const subject = subjectOf(data, path);
  const prefix = subject === undefined ? "" : `${subject.label}: `;
  const tenant = subject?.tenantId === undefined ? {} : { tenantId: subject.tenantId };
  if (issue.code === "unrecognized_keys") {
    const fields = fieldsAt(schema, path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, fields);
      const hint = suggestion === undefined ? `known fields: ${fields.join(", ")}` : `did you mean \`${suggestion}\`?`;
      return { severity: "error", at: [...path, key], atKey: true, message: `${prefix}unknown field \`${key}\`; ${hint}`, ...tenant };
    });
  }
  if (issue.code === "invalid_key") {
    return [{ severity: "error", at: path, atKey: true, message: `${prefix}${explain(issue, undefined)}`, ...tenant }];
  }
  return [{ severity: "error", at: path, message: `${prefix}${explain(issue, get(data, path))}`, ...tenant }];
}
