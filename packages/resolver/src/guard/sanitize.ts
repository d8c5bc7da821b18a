// Filters and documents at the boundary: canonical copies (see canonical.ts) and the tenant condition as a conjunct.
import type { Document } from "mongodb";
import { IsolationViolationError } from "../errors";
import { canonical, canonicalDocument } from "./canonical";

export { FORBIDDEN_KEYS, JS_OPERATORS } from "./canonical";

/** The canonical copy of any query-language value (a sort, an expression, array filters). */
export function sanitize(value: unknown, method: string, path: string): unknown {
  return canonical(value, method, path);
}

/** The canonical copy of something that must be a plain object (a filter, an update document, a stage). */
export function sanitizeObject(value: unknown, method: string, path: string): Document {
  return canonicalDocument(value, method, path);
}

/** A user filter: `undefined` means "everything of this tenant"; anything else must be a plain object. */
export function sanitizeFilter(filter: unknown, method: string, path = "filter"): Document | undefined {
  if (filter === undefined) return undefined;
  const copy = canonicalDocument(filter, method, path);
  for (const _ in copy) return copy;
  return undefined;
}

/**
 * The tenant condition as a top-level conjunct; the user's filter can only narrow it. When the filter names no tag
 * field, both go side by side in one document (top-level fields are ANDed, and `$text` / `$near` stay top-level, where
 * the server wants them); otherwise `{ $and: [condition, filter] }`, so a user `tenant_id` can never replace ours.
 * `filter` must be a canonical copy (ours to extend).
 */
export function andCondition(condition: Readonly<Document>, filter: Document | undefined): Document {
  if (filter === undefined) return { ...condition };
  for (const field in condition) if (Object.hasOwn(filter, field)) return { $and: [{ ...condition }, filter] };
  return { ...condition, ...filter };
}

/** A document to write: its canonical copy, which must not hold update operators at the top level. */
export function copyDocument(doc: unknown, method: string, path: string): Record<string, unknown> {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new IsolationViolationError("malformed-argument", method, path, "a document must be a plain object");
  const copy = canonicalDocument(doc, method, path);
  for (const key in copy) {
    if (key.startsWith("$")) throw new IsolationViolationError("malformed-argument", method, `${path}.${key}`, "a document must not contain update operators");
  }
  return copy;
}
