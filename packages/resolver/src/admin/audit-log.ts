// The admin audit trail: records written before and after every admin call, appended to `tenantry.audit` (inserts only).
import type { Document } from "mongodb";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import type { ClientPool } from "../clients";
import type { CompiledControl } from "../routing";

/** Collection of the admin audit trail, in the database of the map's control location (`tenantry.audit`). */
export const AUDIT_COLLECTION = "audit";

/** What an admin call asked for (the `started` record; repeated in the `finished` one). */
export interface AuditRequest {
  /** Shared by a call's two records. */
  readonly callId: string;
  readonly environment: string;
  readonly actor: string;
  readonly reason: string;
  /** The change ticket of a write (required for writes). */
  readonly ticket: string | undefined;
  /** `find`, `aggregate`, `countDocuments`, `distinct`, `updateMany`, `deleteMany`, `user.export`, `user.count`, `user.erase`. */
  readonly operation: string;
  readonly writes: boolean;
  /** Logical collections the call reads or writes. */
  readonly collections: readonly string[];
  /** Tenants selected, in the order they are worked on. */
  readonly tenants: readonly string[];
  /** Residency zones of those tenants. */
  readonly zones: readonly string[];
  /** Where the operator said results are gathered (`admin({ zone })`), when said. */
  readonly gatheredIn: string | undefined;
  /** The subject of `forUser` calls: erasure and access requests are recorded against the user they concern. */
  readonly userId: string | undefined;
  /**
   * JSON of the arguments' shape (see shapeOf): filter, update, pipeline, distinct key, option names. Never a value
   * from a filter and never document contents.
   */
  readonly shape: string;
}

/** The outcome of one tenant (the `finished` record). */
export interface AuditTenantOutcome {
  readonly tenantId: string;
  readonly ok: boolean;
  /** Documents returned, counted, modified or deleted for this tenant. */
  readonly count: number;
  /** The error's name (and server code) when the tenant failed: never its message, which may quote values. */
  readonly error?: string;
}

export interface AuditRecord extends AuditRequest {
  /**
   * `<callId>:1:started` or `<callId>:2:finished`: a second insert of the same record fails instead of replacing it,
   * and a call's records sort in order when they carry the same millisecond.
   */
  readonly _id: string;
  readonly phase: "started" | "finished";
  /** ISO 8601 time the record was made. */
  readonly at: string;
  /** `finished`: `ok` (every tenant), `partial` (some failed), `failed` (all failed, or the call threw), `refused`. */
  readonly outcome?: "ok" | "partial" | "failed" | "refused";
  readonly durationMs?: number;
  /** `finished`: total documents over every tenant. */
  readonly count?: number;
  readonly results?: readonly AuditTenantOutcome[];
  /** `finished` with outcome `refused` or `failed` before any tenant ran: the error's name. */
  readonly error?: string;
}

/** Which records to list. */
export interface AuditQuery {
  /** Records at or after this time. */
  since?: Date;
  actor?: string;
  /** Calls that selected this tenant. */
  tenant?: string;
  /** At most this many records, newest last. @default 1000 */
  limit?: number;
}

/**
 * Where audit records go. Append-only by construction: there is no update, replace or delete here, and the resolver
 * reaches the audit collection through nothing else (it is not a declared collection of any scope).
 */
export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Records matching the query, oldest first. */
  list(query?: AuditQuery): Promise<AuditRecord[]>;
}

/** Builds the query filter; every field is a plain equality or range on fields this module writes. */
function filterOf(query: AuditQuery): Document {
  const filter: Document = {};
  if (query.since) filter.at = { $gte: query.since.toISOString() };
  if (query.actor !== undefined) filter.actor = query.actor;
  if (query.tenant !== undefined) filter.tenants = query.tenant;
  return filter;
}

/** The audit trail in a collection: `insertOne` and `find`, nothing else. */
export function collectionAuditLog(collection: BackendCollection): AuditLog {
  return {
    async append(record) {
      // A copy: the driver sets nothing on it, but a caller's later change to the record must not matter.
      await collection.insertOne({ ...record, tenants: [...record.tenants], zones: [...record.zones], collections: [...record.collections] });
    },
    async list(query = {}) {
      const limit = query.limit ?? 1000;
      // Newest `limit` records, then oldest first: ISO times sort as text; `_id` breaks ties (`:1:started` < `:2:finished`).
      const docs = await collection.find(filterOf(query), { sort: { at: -1, _id: -1 }, limit }).toArray();
      return docs.reverse() as unknown as AuditRecord[];
    },
  };
}

/** The audit trail at the map's control location, through the resolver's pinned control client. */
export function mapAuditLog(pool: ClientPool, control: CompiledControl): AuditLog {
  const using = async <T>(action: (log: AuditLog) => Promise<T>): Promise<T> => {
    const lease = await pool.lease(control.route);
    try {
      return await action(collectionAuditLog(lease.client.db(control.database).collection(AUDIT_COLLECTION)));
    } finally {
      lease.release();
    }
  };
  return {
    append: (record) => using((log) => log.append(record)),
    list: (query) => using((log) => log.list(query)),
  };
}
