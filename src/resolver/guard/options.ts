// Option guards: refuse options that weaken isolation, validate the ones that carry expressions, copy the rest.
import type { Document } from "mongodb";
import { IsolationViolationError } from "../errors";
import type { Tags } from "./writes";
import { guardArrayFilters } from "./writes";
import { sanitize, sanitizeObject } from "./sanitize";

/**
 * Options refused outright, and why. `hint`, `comment`, `maxTimeMS`, read/write concerns... stay allowed: they change
 * how, not which, documents are touched.
 */
const REFUSED: Readonly<Record<string, string>> = {
  bypassDocumentValidation: "bypassDocumentValidation would skip the collection's validator, which may enforce the tags",
  explain: "explain output describes the whole collection (documents and keys examined), other tenants included",
  serializeFunctions: "serializeFunctions would send JavaScript functions to the server",
  includeResultMetadata: "includeResultMetadata is not supported by scoped collections (they return the document)",
};

/**
 * A collation may change how `tenant_id = "acme"` matches: strength 1 or 2 ignore case and accents, `alternate:
 * "shifted"` ignores punctuation, `numericOrdering` equates "t01" and "t1". Those are refused; others are fine.
 */
export function guardCollation(collation: unknown, method: string, path: string): Document | undefined {
  if (collation === undefined) return undefined;
  const c = sanitizeObject(collation, method, path);
  const why =
    typeof c.strength === "number" && c.strength < 3
      ? `strength ${c.strength} ignores case or accents`
      : c.alternate === "shifted"
        ? 'alternate "shifted" ignores punctuation and spaces'
        : c.numericOrdering === true
          ? "numericOrdering compares digits as numbers"
          : undefined;
  if (why) throw new IsolationViolationError("forbidden-option", method, path, `${why}, which could make the tenant condition match another tenant's id`);
  return c;
}

/** `let` variables: expressions without JavaScript, none named like a tag field (no look-alike of the tenant condition). */
export function guardLet(value: unknown, tags: Tags, method: string, path: string): Document | undefined {
  if (value === undefined) return undefined;
  const vars = sanitizeObject(value, method, path);
  for (const name of Object.keys(vars)) {
    if (tags.entries.some(([field]) => field.toLowerCase() === name.toLowerCase()) || /^(tenant_id|user_id)$/i.test(name)) {
      throw new IsolationViolationError("forbidden-option", method, `${path}.${name}`, `a variable named ${name} is refused (it shadows a partition field)`);
    }
  }
  return vars;
}

/** The options bag of one call, copied; refused options throw. */
export function guardOptions(options: unknown, tags: Tags, method: string): Document {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new IsolationViolationError("malformed-argument", method, "options", "must be an object");
  const out: Document = { ...(options as Document) };
  for (const [key, why] of Object.entries(REFUSED)) {
    if (out[key] !== undefined && out[key] !== false) throw new IsolationViolationError(key === "serializeFunctions" ? "server-side-js" : "forbidden-option", method, `options.${key}`, why);
  }
  if ("collation" in out) out.collation = guardCollation(out.collation, method, "options.collation");
  if ("let" in out) out.let = guardLet(out.let, tags, method, "options.let");
  if ("arrayFilters" in out) out.arrayFilters = guardArrayFilters(out.arrayFilters, method, "options.arrayFilters");
  // Projections may hold aggregation expressions (MongoDB 4.4+), so they get the same checks as a filter.
  if ("projection" in out && out.projection !== undefined) out.projection = sanitizeObject(out.projection, method, "options.projection");
  if ("sort" in out && out.sort !== undefined) out.sort = sanitize(out.sort, method, "options.sort");
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}
