// Write guards: tag inserts and replacements, refuse updates (operator or pipeline) that would change or drop a tag.
import type { Document } from "mongodb";
import { CrossTenantWriteError, IsolationViolationError } from "../errors";
import { copyDocument, sanitizeObject } from "./sanitize";

/** The partition tags of one scoped collection: `tenant_id` always, `user_id` for user-scoped collections. */
export interface Tags {
  /** `[field, value]` pairs, tenant first. */
  readonly entries: readonly (readonly [string, string])[];
  /** The read condition `{ tenant_id: T[, user_id: U] }` (copy before handing it to a backend). */
  readonly condition: Readonly<Document>;
}

export function makeTags(tenantField: string, tenantValue: string, userField: string, userValue: string | undefined): Tags {
  const entries: [string, string][] = [[tenantField, tenantValue]];
  if (userValue !== undefined) entries.push([userField, userValue]);
  return { entries, condition: Object.freeze(Object.fromEntries(entries)) };
}

const UPDATE_OPERATORS = new Set([
  "$set",
  "$unset",
  "$inc",
  "$mul",
  "$rename",
  "$setOnInsert",
  "$min",
  "$max",
  "$currentDate",
  "$addToSet",
  "$pop",
  "$pull",
  "$push",
  "$pullAll",
  "$bit",
]);

const UPDATE_PIPELINE_STAGES = new Set(["$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith"]);

function firstSegment(path: string): string {
  const dot = path.indexOf(".");
  return dot < 0 ? path : path.slice(0, dot);
}

function tagOf(tags: Tags, path: string): readonly [string, string] | undefined {
  const head = firstSegment(path);
  return tags.entries.find(([field]) => field === head);
}

/** An insert or replacement document: carries this scope's tags (added when absent; another value is refused). */
export function tagDocument(doc: unknown, tags: Tags, method: string, path: string): Record<string, unknown> {
  const copy = copyDocument(doc, method, path);
  for (const [field, value] of tags.entries) {
    if (Object.hasOwn(copy, field) && copy[field] !== value) throw new CrossTenantWriteError(method, `${path}.${field}`, field);
    copy[field] = value;
  }
  return copy;
}

/**
 * An operator update: every operator known, no path whose first segment is a tag, except `$set` / `$setOnInsert` of
 * exactly this scope's value (a no-op). With `upsert`, the tags are added to `$setOnInsert` so the inserted
 * document is tagged whatever the filter's equality fields say.
 */
export function guardOperatorUpdate(update: Document, tags: Tags, method: string, path: string, upsert: boolean): Document {
  const copy = sanitizeObject(update, method, path);
  const keys = Object.keys(copy);
  if (keys.length === 0) throw new IsolationViolationError("malformed-argument", method, path, "an update must not be empty");
  for (const op of keys) {
    if (!op.startsWith("$")) {
      throw new IsolationViolationError("malformed-argument", method, `${path}.${op}`, "an update needs update operators; use replaceOne to replace a document");
    }
    if (!UPDATE_OPERATORS.has(op)) throw new IsolationViolationError("malformed-argument", method, `${path}.${op}`, `unknown update operator ${op}`);
    const args = copy[op] as unknown;
    if (args === null || typeof args !== "object" || Array.isArray(args)) {
      throw new IsolationViolationError("malformed-argument", method, `${path}.${op}`, "must be an object of field paths");
    }
    for (const [field, value] of Object.entries(args as Document)) {
      const at = `${path}.${op}.${field}`;
      const tag = tagOf(tags, field);
      if (tag) {
        const sameValue = (op === "$set" || op === "$setOnInsert") && field === tag[0] && value === tag[1];
        if (!sameValue) throw new CrossTenantWriteError(method, at, tag[0]);
      }
      if (op === "$rename") {
        if (typeof value !== "string") throw new IsolationViolationError("malformed-argument", method, at, "$rename needs a string target");
        const target = tagOf(tags, value);
        if (target) throw new CrossTenantWriteError(method, at, target[0]);
      }
    }
  }
  if (upsert) {
    const set = (copy.$set ?? {}) as Document;
    const onInsert: Document = { ...(copy.$setOnInsert as Document | undefined) };
    // A tag already $set (to this scope's value, checked above) must not also be in $setOnInsert: the server refuses
    // two operators on one path.
    for (const [field, value] of tags.entries) if (!Object.hasOwn(set, field)) onInsert[field] = value;
    if (Object.keys(onInsert).length > 0) copy.$setOnInsert = onInsert;
  }
  return copy;
}

/**
 * A pipeline update: only the six update stages, none naming a tag; then a final `$set` of the tags as literals, so
 * `$replaceRoot`, `$replaceWith` or an inclusion `$project` can never leave a document untagged or foreign-tagged.
 */
export function guardPipelineUpdate(pipeline: unknown[], tags: Tags, method: string, path: string): Document[] {
  const stages = pipeline.map((stage, i) => {
    const at = `${path}[${i}]`;
    const copy = sanitizeObject(stage, method, at);
    const ops = Object.keys(copy);
    const op = ops[0];
    if (ops.length !== 1 || op === undefined) throw new IsolationViolationError("malformed-argument", method, at, "a stage has exactly one operator");
    if (!UPDATE_PIPELINE_STAGES.has(op)) throw new IsolationViolationError("forbidden-stage", method, `${at}.${op}`, `${op} is not an update pipeline stage`);
    const args = copy[op] as unknown;
    let named: string[] = [];
    if (op === "$unset") named = typeof args === "string" ? [args] : Array.isArray(args) ? args.map(String) : [];
    else if (op === "$set" || op === "$addFields" || op === "$project") {
      if (args === null || typeof args !== "object" || Array.isArray(args)) throw new IsolationViolationError("malformed-argument", method, `${at}.${op}`, "must be an object");
      named = Object.keys(args);
    }
    for (const field of named) {
      const tag = tagOf(tags, field);
      if (tag) throw new CrossTenantWriteError(method, `${at}.${op}.${field}`, tag[0]);
    }
    return copy;
  });
  const retag: Document = {};
  for (const [field, value] of tags.entries) retag[field] = { $literal: value };
  return [...stages, { $set: retag }];
}

/** Either form of update, dispatched like the driver does (array = pipeline). */
export function guardUpdate(update: unknown, tags: Tags, method: string, path: string, upsert: boolean): Document | Document[] {
  if (Array.isArray(update)) {
    if (update.length === 0) throw new IsolationViolationError("malformed-argument", method, path, "an update pipeline must not be empty");
    return guardPipelineUpdate(update, tags, method, path);
  }
  return guardOperatorUpdate(update as Document, tags, method, path, upsert);
}
