// Aggregation and change-stream guards: the tenant $match first, foreign collections rewritten and scoped, the rest refused.
import type { Document } from "mongodb";
import { IsolationViolationError } from "../errors";
import { andCondition, sanitizeFilter, sanitizeObject } from "./sanitize";
import type { Tags } from "./writes";
import { guardLet } from "./options";

/** What rewriting needs to know about the scope: its tags and how to reach the other declared collections. */
export interface PipelineScope {
  method: string;
  /** Tags of the collection the pipeline runs on. */
  tags: Tags;
  /**
   * Physical name and tags of another declared logical collection for this tenant; throws UndeclaredCollectionError,
   * or MalformedContextError when that collection is user-scoped and the scope has no user.
   */
  foreign(logical: string): { physical: string; tags: Tags };
}

/** Stages that only transform the documents flowing through (already scoped) and read nothing else. */
const TRANSFORM_STAGES = new Set([
  "$match",
  "$project",
  "$addFields",
  "$set",
  "$unset",
  "$group",
  "$sort",
  "$limit",
  "$skip",
  "$unwind",
  "$count",
  "$bucket",
  "$bucketAuto",
  "$sortByCount",
  "$replaceRoot",
  "$replaceWith",
  "$sample",
  "$redact",
  "$setWindowFields",
  "$densify",
  "$fill",
]);

/** Stages that must come first; the tenant condition goes inside them, and a `$match` right after. */
const FIRST_STAGES = new Set(["$geoNear", "$vectorSearch"]);

/** Stages refused with a specific explanation (anything not listed anywhere is refused too: fail closed). */
const REFUSED_STAGES: Readonly<Record<string, string>> = {
  $out: "writes to another collection",
  $merge: "writes to another collection",
  $documents: "injects documents that carry no tenant condition",
  $collStats: "reports on the whole collection",
  $indexStats: "reports on the whole collection",
  $currentOp: "shows other clients' operations",
  $listSessions: "lists the cluster's sessions",
  $listLocalSessions: "lists the server's sessions",
  $planCacheStats: "shows other tenants' query shapes",
  $changeStream: "use scope.collection(name).watch()",
  $listSearchIndexes: "lists the collection's search indexes",
  $listSampledQueries: "shows other tenants' queries",
  $queryStats: "shows other tenants' queries",
  $search: "Atlas Search cannot be scoped to a tenant reliably here; use $vectorSearch with a tenant_id filter field or a $match",
  $searchMeta: "Atlas Search metadata covers every tenant",
  $shardedDataDistribution: "reports on the whole cluster",
  $listClusterCatalog: "lists the cluster's collections",
};

/** Stages a change stream pipeline may hold (MongoDB's own list). */
const CHANGE_STREAM_STAGES = new Set(["$match", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$redact"]);

function stageOf(stage: unknown, method: string, path: string): [string, unknown, Document] {
  const copy = sanitizeObject(stage, method, path);
  const keys = Object.keys(copy);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined) throw new IsolationViolationError("malformed-argument", method, path, "a stage has exactly one operator");
  return [op, copy[op], copy];
}

function refuseStage(op: string, method: string, path: string): never {
  const why = REFUSED_STAGES[op];
  throw new IsolationViolationError("forbidden-stage", method, `${path}.${op}`, why ? `${op} is refused: ${why}` : `${op} is not allowed in a tenant-scoped pipeline`);
}

function asArray(value: unknown, method: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw new IsolationViolationError("malformed-argument", method, path, "must be an array of stages");
  return value;
}

/** Rewrites a `$lookup` so it can only see the tenant's documents of a declared collection. */
function rewriteLookup(args: unknown, scope: PipelineScope, path: string, depth: number): Document {
  const a = sanitizeObject(args, scope.method, path);
  if (typeof a.from !== "string") {
    throw new IsolationViolationError("forbidden-stage", scope.method, `${path}.from`, "$lookup needs `from` naming a declared collection (no other database, no $documents)");
  }
  const target = scope.foreign(a.from);
  const out: Document = { ...a, from: target.physical };
  if (a.let !== undefined) out.let = guardLet(a.let, scope.tags, scope.method, `${path}.let`);
  const sub = a.pipeline === undefined ? [] : asArray(a.pipeline, scope.method, `${path}.pipeline`);
  // localField/foreignField may be combined with a pipeline (MongoDB 5.0+), so the equality join keeps its semantics.
  out.pipeline = rewritePipeline(sub, { ...scope, tags: target.tags }, `${path}.pipeline`, depth + 1, true);
  return out;
}

function rewriteGraphLookup(args: unknown, scope: PipelineScope, path: string): Document {
  const a = sanitizeObject(args, scope.method, path);
  if (typeof a.from !== "string") throw new IsolationViolationError("forbidden-stage", scope.method, `${path}.from`, "$graphLookup needs `from` naming a declared collection");
  const target = scope.foreign(a.from);
  const restrict = sanitizeFilter(a.restrictSearchWithMatch, scope.method, `${path}.restrictSearchWithMatch`);
  return { ...a, from: target.physical, restrictSearchWithMatch: andCondition(target.tags.condition, restrict) };
}

function rewriteUnionWith(args: unknown, scope: PipelineScope, path: string, depth: number): Document {
  const a: Document = typeof args === "string" ? { coll: args } : sanitizeObject(args, scope.method, path);
  if (typeof a.coll !== "string") throw new IsolationViolationError("forbidden-stage", scope.method, `${path}.coll`, "$unionWith needs `coll` naming a declared collection");
  const target = scope.foreign(a.coll);
  const sub = a.pipeline === undefined ? [] : asArray(a.pipeline, scope.method, `${path}.pipeline`);
  return { coll: target.physical, pipeline: rewritePipeline(sub, { ...scope, tags: target.tags }, `${path}.pipeline`, depth + 1, true) };
}

function rewriteFirstStage(op: string, args: unknown, scope: PipelineScope, path: string): Document {
  const a = sanitizeObject(args, scope.method, `${path}.${op}`);
  const key = op === "$geoNear" ? "query" : "filter";
  const user = sanitizeFilter(a[key], scope.method, `${path}.${op}.${key}`);
  return { [op]: { ...a, [key]: andCondition(scope.tags.condition, user) } };
}

/**
 * Returns the scoped pipeline. With `prepend`, the tenant condition comes first (inside a first-only stage, plus a
 * `$match` after it); `$facet` sub-pipelines run on already scoped input and are checked without a new `$match`.
 */
export function rewritePipeline(pipeline: unknown[], scope: PipelineScope, path: string, depth = 0, prepend = true): Document[] {
  if (depth > 8) throw new IsolationViolationError("malformed-argument", scope.method, path, "pipelines nested too deeply");
  const out: Document[] = [];
  for (const [i, stage] of pipeline.entries()) {
    const at = `${path}[${i}]`;
    const [op, args, copy] = stageOf(stage, scope.method, at);
    if (FIRST_STAGES.has(op)) {
      if (i !== 0 || !prepend) throw new IsolationViolationError("forbidden-stage", scope.method, `${at}.${op}`, `${op} must be the first stage`);
      out.push(rewriteFirstStage(op, args, scope, at), { $match: { ...scope.tags.condition } });
    } else if (op === "$lookup") {
      out.push({ $lookup: rewriteLookup(args, scope, `${at}.$lookup`, depth) });
    } else if (op === "$graphLookup") {
      out.push({ $graphLookup: rewriteGraphLookup(args, scope, `${at}.$graphLookup`) });
    } else if (op === "$unionWith") {
      out.push({ $unionWith: rewriteUnionWith(args, scope, `${at}.$unionWith`, depth) });
    } else if (op === "$facet") {
      const facets = sanitizeObject(args, scope.method, `${at}.$facet`);
      const scoped: Document = {};
      for (const [name, sub] of Object.entries(facets)) {
        scoped[name] = rewritePipeline(asArray(sub, scope.method, `${at}.$facet.${name}`), scope, `${at}.$facet.${name}`, depth + 1, false);
      }
      out.push({ $facet: scoped });
    } else if (TRANSFORM_STAGES.has(op)) {
      out.push(copy);
    } else {
      refuseStage(op, scope.method, at);
    }
  }
  const first = out[0] ? Object.keys(out[0])[0] : undefined;
  if (prepend && !(first && FIRST_STAGES.has(first))) {
    // A leading user $match joins ours (one stage, and `$text` must be in the first one).
    const head = first === "$match" ? (out.shift() as Document).$match : undefined;
    out.unshift({ $match: andCondition(scope.tags.condition, head && Object.keys(head as Document).length > 0 ? (head as Document) : undefined) });
  }
  return out;
}

/**
 * The change stream pipeline: a `$match` first that lets an event through only when one image (post- or pre-) is
 * tagged for this scope and no image present is anyone else's, then the caller's allowed stages. With
 * `fullDocument: "updateLookup"` the post-image is looked up by `_id` when the event is read, so for an update of a
 * document deleted since, it may be another tenant's document that reused the `_id`: the second condition drops that
 * event (and the scope checks each delivered event again, see ScopedCollection.watch).
 */
export function rewriteChangeStream(pipeline: unknown[], scope: PipelineScope, path: string): Document[] {
  // Delete events carry no fullDocument: they pass only with pre-images (`fullDocumentBeforeChange`) that are tagged.
  const after: Document = {};
  const before: Document = {};
  for (const [field, value] of scope.tags.entries) {
    after[`fullDocument.${field}`] = value;
    before[`fullDocumentBeforeChange.${field}`] = value;
  }
  const match: Document = {
    $or: [after, before],
    $and: [{ $or: [{ fullDocument: null }, { ...after }] }, { $or: [{ fullDocumentBeforeChange: null }, { ...before }] }],
  };
  const out: Document[] = [{ $match: match }];
  for (const [i, stage] of pipeline.entries()) {
    const at = `${path}[${i}]`;
    const [op, , copy] = stageOf(stage, scope.method, at);
    if (!CHANGE_STREAM_STAGES.has(op)) refuseStage(op, scope.method, at);
    out.push(copy);
  }
  return out;
}
