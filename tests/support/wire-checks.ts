// Isolation rules judged on captured wire commands: tenant condition on top, tags on every write, no server JavaScript.
import type { Document } from "bson";
import type { WireCommand } from "./wire";

/** The partition tags a scope must carry, e.g. `{ tenant_id: "acme" }` or `{ tenant_id: "acme", user_id: "u1" }`. */
export type WireTags = Readonly<Record<string, string>>;

export interface WireCheckOptions {
  /** Check only commands on these physical collections (default: every command that names a collection). */
  collections?: readonly string[];
  /**
   * Tags of sub-pipelines (`$lookup`, `$unionWith`, `$graphLookup`) that join another collection.
   * @default the tenant tag alone (the first entry of `tags`): joined collections may be tenant-scoped
   */
  joinedTags?: WireTags;
}

/** Operators that run JavaScript on the server (https://www.mongodb.com/docs/manual/core/server-side-javascript/). */
const JS_KEYS = new Set(["$where", "$function", "$accumulator"]);

const show = (v: unknown): string => JSON.stringify(v);

/** `filter` pins `field` to `value` in a top-level conjunct: `{f: v}`, `{f: {$eq: v}}`, or inside a top-level `$and`. */
function pins(filter: unknown, field: string, value: string, depth = 0): boolean {
  if (filter === null || typeof filter !== "object" || Array.isArray(filter) || depth > 16) return false;
  const f = filter as Document;
  const own = f[field] as unknown;
  if (own === value) return true;
  if (own !== null && typeof own === "object" && !Array.isArray(own)) {
    const keys = Object.keys(own);
    if (keys.length === 1 && keys[0] === "$eq" && (own as Document).$eq === value) return true;
  }
  return Array.isArray(f.$and) && (f.$and as unknown[]).some((c) => pins(c, field, value, depth + 1));
}

function missingPins(filter: unknown, tags: WireTags, prefix = ""): string[] {
  return Object.entries(tags)
    .filter(([field, value]) => !pins(filter, `${prefix}${field}`, value))
    .map(([field, value]) => `${prefix}${field} = ${show(value)}`);
}

/** Every key and value of a command: JavaScript operators, BSON Code, functions. */
function javascriptIn(value: unknown, path: string, out: string[], depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 64) {
    if (typeof value === "function") out.push(`${path}: a function`);
    return;
  }
  if ((value as { _bsontype?: unknown })._bsontype === "Code") {
    out.push(`${path}: BSON Code`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => javascriptIn(v, `${path}[${i}]`, out, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value as Document)) {
    if (JS_KEYS.has(k)) out.push(`${path}.${k}: server-side JavaScript`);
    javascriptIn(v, `${path}.${k}`, out, depth + 1);
  }
}

/** A collation that could make the tenant condition match another tenant's id (the guard refuses these). */
function weakCollation(c: unknown): string | undefined {
  if (c === null || typeof c !== "object") return undefined;
  const col = c as Document;
  if (typeof col.strength === "number" && col.strength < 3) return `collation strength ${col.strength}`;
  if (col.alternate === "shifted") return 'collation alternate "shifted"';
  if (col.numericOrdering === true) return "collation numericOrdering";
  return undefined;
}

function refusedOptions(cmd: WireCommand, tags: WireTags): string[] {
  const out: string[] = [];
  const c = cmd.command;
  if (cmd.commandName === "explain" || c.explain !== undefined) out.push("explain");
  if (c.bypassDocumentValidation === true) out.push("bypassDocumentValidation");
  const collations: unknown[] = [c.collation];
  for (const field of ["updates", "deletes"]) for (const s of (c[field] as Document[] | undefined) ?? []) collations.push(s.collation);
  for (const col of collations) {
    const weak = weakCollation(col);
    if (weak) out.push(weak);
  }
  const vars = c.let as Document | undefined;
  for (const name of Object.keys(vars ?? {})) {
    if (Object.keys(tags).some((t) => t.toLowerCase() === name.toLowerCase())) out.push(`let variable ${name} shadows a tag`);
  }
  return out;
}

function firstSegment(path: string): string {
  const dot = path.indexOf(".");
  return dot < 0 ? path : path.slice(0, dot);
}

/** An operator update never touches a tag except `$set` / `$setOnInsert` of its own value; upserts tag the new doc. */
function operatorUpdateProblems(update: Document, tags: WireTags, upsert: boolean, filter: Document): string[] {
  const out: string[] = [];
  for (const [op, args] of Object.entries(update)) {
    for (const [path, value] of Object.entries((args ?? {}) as Document)) {
      const tag = firstSegment(path);
      if (Object.hasOwn(tags, tag)) {
        const same = (op === "$set" || op === "$setOnInsert") && path === tag && value === tags[tag];
        if (!same) out.push(`${op}.${path} changes the tag ${tag}`);
      }
      if (op === "$rename" && typeof value === "string" && Object.hasOwn(tags, firstSegment(value))) out.push(`$rename ${path} → ${value} overwrites a tag`);
    }
  }
  if (upsert) {
    for (const [field, value] of Object.entries(tags)) {
      const set = (update.$set as Document | undefined)?.[field];
      const onInsert = (update.$setOnInsert as Document | undefined)?.[field];
      // An equality on the tag in the filter also tags the upserted document, but only our explicit tag is trusted.
      if (set !== value && onInsert !== value) out.push(`upsert without ${field} = ${show(value)} in $set/$setOnInsert (filter: ${show(filter)})`);
    }
  }
  return out;
}

/** A pipeline update ends by setting every tag to its literal value. */
function pipelineUpdateProblems(stages: Document[], tags: WireTags): string[] {
  const last = stages[stages.length - 1] ?? {};
  const set = (last.$set ?? last.$addFields) as Document | undefined;
  return Object.entries(tags)
    .filter(([field, value]) => {
      const v = set?.[field] as unknown;
      return !(v === value || (v !== null && typeof v === "object" && (v as Document).$literal === value));
    })
    .map(([field, value]) => `pipeline update does not end by setting ${field} to ${show(value)}`);
}

function documentProblems(doc: Document, tags: WireTags, what: string): string[] {
  return Object.entries(tags)
    .filter(([field, value]) => doc[field] !== value)
    .map(([field, value]) => `${what} has ${field} = ${show(doc[field])}, not ${show(value)}`);
}

/** Sub-pipelines that read other collections must be scoped themselves; walks every stage, `$facet` included. */
function joinProblems(stages: Document[], joined: WireTags, path: string, out: string[], depth = 0): void {
  if (depth > 8) return;
  stages.forEach((stage, i) => {
    const at = `${path}[${i}]`;
    const [op, args] = (Object.entries(stage)[0] ?? ["", {}]) as [string, Document];
    if (op === "$lookup" || op === "$unionWith") {
      const a = (typeof args === "string" ? { coll: args } : args);
      const sub = a.pipeline as Document[] | undefined;
      if (!Array.isArray(sub)) out.push(`${at}.${op} joins ${show(a.from ?? a.coll)} without a scoped pipeline`);
      else {
        const miss = missingPins((sub[0])?.$match, joined);
        if (miss.length > 0) out.push(`${at}.${op}.pipeline[0] is not a $match pinning ${miss.join(", ")}`);
        joinProblems(sub, joined, `${at}.${op}.pipeline`, out, depth + 1);
      }
    } else if (op === "$graphLookup") {
      const miss = missingPins(args.restrictSearchWithMatch, joined);
      if (miss.length > 0) out.push(`${at}.$graphLookup.restrictSearchWithMatch does not pin ${miss.join(", ")}`);
    } else if (op === "$facet") {
      for (const [name, sub] of Object.entries(args)) if (Array.isArray(sub)) joinProblems(sub as Document[], joined, `${at}.$facet.${name}`, out, depth + 1);
    }
  });
}

/** The aggregate pipeline opens with the tenant condition (a `$match`, or inside `$geoNear` / `$vectorSearch`). */
function pipelineHeadProblems(pipeline: Document[], tags: WireTags, changeStream: boolean): string[] {
  if (changeStream) {
    const match = (pipeline[1])?.$match as Document | undefined;
    const branches = (match?.$or as Document[] | undefined) ?? [];
    const ok = branches.length > 0 && branches.every((b) => missingPins(b, tags, "fullDocument.").length === 0 || missingPins(b, tags, "fullDocumentBeforeChange.").length === 0);
    return ok ? [] : [`change stream pipeline[1] is not a $match on the tagged (pre- or post-) image: ${show(pipeline[1])}`];
  }
  const first = (pipeline[0] ?? {});
  const condition = first.$match ?? (first.$geoNear as Document | undefined)?.query ?? (first.$vectorSearch as Document | undefined)?.filter;
  const miss = missingPins(condition, tags);
  return miss.length > 0 ? [`pipeline[0] does not pin ${miss.join(", ")} at the top level: ${show(first)}`] : [];
}

/** Index keys start with the tags, in order. */
function indexProblems(cmd: WireCommand, tags: WireTags): string[] {
  const out: string[] = [];
  for (const index of (cmd.command.indexes as Document[] | undefined) ?? []) {
    const keys = Object.keys((index.key ?? {}) as Document);
    const want = Object.keys(tags);
    if (want.some((t, i) => keys[i] !== t)) out.push(`index ${show(index.name)} keys ${show(keys)} do not start with ${show(want)}`);
  }
  return out;
}

/**
 * Every isolation rule the resolver promises, judged on what was sent; `[]` when all hold. Each problem names the
 * command, the collection and the part: `update users: filters[0] lacks tenant_id = "acme" at the top level`.
 */
export function wireViolations(commands: readonly WireCommand[], tags: WireTags, options: WireCheckOptions = {}): string[] {
  const tenantEntry = Object.entries(tags)[0];
  const joined = options.joinedTags ?? (tenantEntry ? { [tenantEntry[0]]: tenantEntry[1] } : {});
  const problems: string[] = [];
  for (const cmd of commands) {
    if (cmd.collection === undefined) continue;
    if (options.collections && !options.collections.includes(cmd.collection)) continue;
    const own: string[] = [];
    cmd.filters.forEach((f, i) => {
      const miss = missingPins(f, tags);
      if (miss.length > 0) own.push(`filters[${i}] lacks ${miss.join(", ")} at the top level: ${show(f)}`);
    });
    if (cmd.commandName === "aggregate") {
      cmd.pipelines.forEach((p) => {
        own.push(...pipelineHeadProblems(p, tags, cmd.changeStream));
        joinProblems(p, joined, "pipeline", own);
      });
    }
    cmd.updates.forEach((u, i) => {
      const at = `updates[${i}]`;
      if (u.kind === "operators") own.push(...operatorUpdateProblems(u.update as Document, tags, u.upsert, u.filter).map((p) => `${at}: ${p}`));
      else if (u.kind === "replacement") own.push(...documentProblems(u.update, tags, `${at} replacement`));
      else own.push(...pipelineUpdateProblems(u.update as Document[], tags).map((p) => `${at}: ${p}`));
    });
    cmd.documents.forEach((d, i) => own.push(...documentProblems(d, tags, `documents[${i}]`)));
    if (cmd.commandName === "createIndexes") own.push(...indexProblems(cmd, tags));
    const js: string[] = [];
    javascriptIn(cmd.command, cmd.commandName, js);
    own.push(...js, ...refusedOptions(cmd, tags).map((o) => `refused option sent: ${o}`));
    problems.push(...own.map((p) => `${cmd.commandName} ${cmd.collection}: ${p}`));
  }
  return problems;
}
