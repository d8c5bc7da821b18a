// The per-call audit hook of tenant scopes (`createResolver({ audit })`): one event per scoped-collection call.
import { performance } from "node:perf_hooks";
import type { BackendCursor } from "@tenantry/contract/backend/types";

/** What the hook receives for every call of a scoped collection: who, where, what, how many, how long. Never data. */
export interface CallAuditEvent {
  readonly tenantId: string;
  /** The scope's user; undefined for tenant scopes (and for admin fan-outs over every user of a tenant). */
  readonly userId: string | undefined;
  /** The logical collection. */
  readonly collection: string;
  /** The method called, e.g. `find`, `updateOne`. */
  readonly operation: string;
  /**
   * Documents the call returned (reads, `findOne*`: 0 or 1), inserted, modified or upserted (updates), deleted; the
   * number counted by `countDocuments`, values returned by `distinct`, events read from a change stream. 0 on failure.
   */
  readonly count: number;
  /** From the call to its result (cursors: from opening to closing, i.e. including the time the caller reads). */
  readonly durationMs: number;
  /** The error's name when the call failed (refused by a guard, frozen tenant, server error). */
  readonly error?: string;
}

/** Receives every call's event synchronously, after the call. A throw goes to `onError`; the call's result stands. */
export type CallAuditHook = (event: CallAuditEvent) => void;

/** The scope a call was made in, as the hook reports it. */
export interface CallSite {
  readonly tenantId: string;
  readonly userId: string | undefined;
  readonly collection: string;
}

function numberField(result: unknown, field: string): number {
  const value = result !== null && typeof result === "object" ? (result as Record<string, unknown>)[field] : undefined;
  return typeof value === "number" ? value : 0;
}

/** How many documents a non-cursor call's result stands for (see CallAuditEvent.count). */
export function countOf(operation: string, result: unknown): number {
  switch (operation) {
    case "insertOne":
      return 1;
    case "insertMany":
      return numberField(result, "insertedCount");
    case "updateOne":
    case "updateMany":
    case "replaceOne":
      return numberField(result, "modifiedCount") + numberField(result, "upsertedCount");
    case "deleteOne":
    case "deleteMany":
      return numberField(result, "deletedCount");
    case "bulkWrite":
      return ["insertedCount", "modifiedCount", "upsertedCount", "deletedCount"].reduce((sum, f) => sum + numberField(result, f), 0);
    case "countDocuments":
      return typeof result === "number" ? result : 0;
    case "distinct":
      return Array.isArray(result) ? result.length : 0;
    case "findOne":
    case "findOneAndUpdate":
    case "findOneAndReplace":
    case "findOneAndDelete":
      return result === null || result === undefined ? 0 : 1;
    default:
      return 0;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Runs one awaited call and reports it to the hook, whatever its outcome. */
export async function auditCall<T>(hook: CallAuditHook, site: CallSite, operation: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    hook({ ...site, operation, count: countOf(operation, result), durationMs: performance.now() - started });
    return result;
  } catch (error) {
    hook({ ...site, operation, count: 0, durationMs: performance.now() - started, error: errorName(error) });
    throw error;
  }
}

/** A cursor opener whose cursor counts what is read and reports once, when the cursor closes (or fails to open). */
export function auditCursor<T, O extends { cursor: BackendCursor<T> }>(hook: CallAuditHook, site: CallSite, operation: string, open: () => Promise<O>): () => Promise<O> {
  return async () => {
    const started = performance.now();
    let count = 0;
    let reported = false;
    const report = (error?: unknown): void => {
      if (reported) return;
      reported = true;
      const event: CallAuditEvent = { ...site, operation, count: error === undefined ? count : 0, durationMs: performance.now() - started };
      hook(error === undefined ? event : { ...event, error: errorName(error) });
    };
    let opened: O;
    try {
      opened = await open();
    } catch (error) {
      report(error);
      throw error;
    }
    const inner = opened.cursor;
    const cursor: BackendCursor<T> = {
      async toArray() {
        try {
          const all = await inner.toArray();
          count += all.length;
          return all;
        } catch (error) {
          report(error);
          throw error;
        }
      },
      async close() {
        try {
          await inner.close();
        } finally {
          report();
        }
      },
      [Symbol.asyncIterator]() {
        const iterator = inner[Symbol.asyncIterator]();
        return {
          async next() {
            try {
              const step = await iterator.next();
              if (!step.done) count++;
              return step;
            } catch (error) {
              report(error);
              throw error;
            }
          },
        };
      },
    };
    return { ...opened, cursor };
  };
}

/** The hook as the resolver calls it: a throwing hook never fails the call, its error goes to `onError`. */
export function safeHook(hook: CallAuditHook | undefined, onError: (error: unknown) => void): CallAuditHook | undefined {
  if (!hook) return undefined;
  return (event) => {
    try {
      hook(event);
    } catch (error) {
      onError(error);
    }
  };
}
