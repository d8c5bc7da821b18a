// The operator scope `resolver.admin({ actor, reason })`: audited fan-outs over tenants through the tenant scopes' guards.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { AggregateOptions, CountDocumentsOptions, DeleteOptions, DistinctOptions, Document, Filter, FindOptions, UpdateFilter, UpdateOptions, WithId } from "mongodb";
import { ResolverClosedError, UndeclaredCollectionError } from "../errors";
import { idProblem } from "../ids";
import { ScopedCollectionImpl } from "../scoped-collection";
import type { ResolverCore } from "../scoped-collection";
import { mapAuditLog } from "./audit-log";
import type { AuditLog, AuditRecord, AuditRequest, AuditTenantOutcome } from "./audit-log";
import { AdminContextError, AdminWriteRefusedError, AuditUnavailableError, ForeignResultError } from "./errors";
import { eachBounded, placeOf, residencyOf, select } from "./select";
import type { FanOutSelection, ResidencyReport, Selection, TenantPlace } from "./select";
import { shapeOf } from "./shape";

/** Who acts and why: both recorded with every call. */
export interface AdminContext {
  /** Who: a person or an automation, as your identity provider names it. Required, non-empty. */
  actor: string;
  /** Why: recorded with every call (an incident, a data subject request). Required, non-empty. */
  reason: string;
  /**
   * The residency zone this process runs in: fan-out results then say which tenants' data left it.
   * @default unknown (results only say whether more than one zone was gathered)
   */
  zone?: string;
}

/** Admin settings of `createResolver({ admin })`. */
export interface AdminOptions {
  /**
   * Where audit records go. @default `audit` in the database of the map's control location (`tenantry.audit`), through
   * the resolver's own client; without a control location and without `log`, `admin()` is refused (fail closed).
   */
  log?: AuditLog;
  /**
   * Also receives every record once the log stored it (a SIEM, a log line). Part of the trail: when it throws before a
   * call, the call does not run.
   */
  sink?: (record: AuditRecord) => void | Promise<void>;
  /** Tenants a fan-out works on at once (each holds one leased client while it runs). @default 8 */
  concurrency?: number;
}

/** What allows a fan-out to write: both, always. */
export interface WriteGrant {
  allowWrites: true;
  /** The change or incident ticket the writes are made under; recorded with every write. */
  ticket: string;
}

/** A read-only fan-out's options. */
export interface ReadSelection extends FanOutSelection {
  allowWrites?: false;
}

/** One tenant's share of a fan-out: where it lives, and its result or its error (one tenant's failure stops no other). */
export type TenantResult<R> = (TenantPlace & { readonly ok: true } & R) | TenantFailure;

export interface TenantFailure extends TenantPlace {
  readonly ok: false;
  readonly error: Error;
  /** `forUser` calls: what was done in this tenant before the error (documents per collection). */
  readonly completed?: Readonly<Record<string, number>>;
}

export interface FanOutResult<R> {
  /** The audit call id: both audit records of this call carry it. */
  readonly callId: string;
  /** One entry per selected tenant, in selection order. */
  readonly tenants: readonly TenantResult<R>[];
  /** The failed tenants (also in `tenants`). */
  readonly failed: readonly TenantFailure[];
  readonly residency: ResidencyReport;
  readonly durationMs: number;
}

export interface AdminCollection<TSchema extends Document = Document> {
  readonly collectionName: string;
  /** Each tenant's matching documents, every one carrying its tenant's tag. `options.limit` applies per tenant. */
  find(filter?: Filter<TSchema>, options?: FindOptions): Promise<FanOutResult<{ readonly documents: WithId<TSchema>[] }>>;
  /** The pipeline on each tenant's documents (scoped as for a tenant); each output document is tagged with its tenant. */
  aggregate<T extends Document = Document>(pipeline?: Document[], options?: AggregateOptions): Promise<FanOutResult<{ readonly documents: T[] }>>;
  countDocuments(filter?: Filter<TSchema>, options?: CountDocumentsOptions): Promise<FanOutResult<{ readonly count: number }>>;
  distinct(key: string, filter?: Filter<TSchema>, options?: DistinctOptions): Promise<FanOutResult<{ readonly values: unknown[] }>>;
}

export interface WritableAdminCollection<TSchema extends Document = Document> extends AdminCollection<TSchema> {
  /** Tenant by tenant through the tenant scope's write guards: no tag can be changed, dropped or set to another tenant. */
  updateMany(filter: Filter<TSchema>, update: UpdateFilter<TSchema> | Document[], options?: UpdateOptions): Promise<FanOutResult<{ readonly matchedCount: number; readonly modifiedCount: number; readonly upsertedCount: number }>>;
  deleteMany(filter: Filter<TSchema>, options?: DeleteOptions): Promise<FanOutResult<{ readonly deletedCount: number }>>;
}

export interface FanOut {
  readonly selection: Selection;
  /** A declared logical collection across the selected tenants (UndeclaredCollectionError otherwise). */
  collection<TSchema extends Document = Document>(name: string): AdminCollection<TSchema>;
}

export interface WritableFanOut extends FanOut {
  collection<TSchema extends Document = Document>(name: string): WritableAdminCollection<TSchema>;
}

/** Everything one user owns: the user's documents in every user-scoped collection, in every selected tenant. */
export interface UserFanOut {
  readonly userId: string;
  readonly selection: Selection;
  /** User-scoped collections covered. */
  readonly collections: readonly string[];
  /** Access request (GDPR Art. 15): the user's documents per tenant and collection. */
  export(): Promise<FanOutResult<{ readonly collections: Readonly<Record<string, Document[]>> }>>;
  /** What `erase()` would delete: the user's document count per tenant and collection. */
  count(): Promise<FanOutResult<{ readonly collections: Readonly<Record<string, number>> }>>;
}

export interface WritableUserFanOut extends UserFanOut {
  /** Erasure (GDPR Art. 17): deletes the user's documents in every collection of every tenant; counts per collection. */
  erase(): Promise<FanOutResult<{ readonly collections: Readonly<Record<string, number>> }>>;
}

/** The operator scope. Only `resolver.admin()` makes one; nothing reachable from a tenant scope leads here. */
export interface AdminScope {
  readonly actor: string;
  readonly reason: string;
  acrossTenants(options: FanOutSelection & WriteGrant): WritableFanOut;
  acrossTenants(options?: ReadSelection): FanOut;
  forUser(userId: string, options: FanOutSelection & WriteGrant): WritableUserFanOut;
  forUser(userId: string, options?: ReadSelection): UserFanOut;
}

const DEFAULT_CONCURRENCY = 8;

function requiredText(value: unknown, field: "actor" | "reason" | "ticket"): string {
  if (typeof value !== "string") throw new AdminContextError(field, value === undefined || value === null ? "is required" : `must be a string, got ${typeof value}`);
  if (value.trim() === "") throw new AdminContextError(field, "must not be empty");
  if (value.length > 1000) throw new AdminContextError(field, "is longer than 1000 characters");
  return value;
}

function errorLabel(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" || typeof code === "string" ? `${error.name}(${code})` : error.name;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A result document carries its tenant's tag (added when a projection or a stage dropped it; another value fails). */
function stamp(doc: unknown, tenantId: string, tenantField: string): Document {
  const out = { ...(doc as Document) };
  const tag: unknown = out[tenantField];
  if (tag === undefined) out[tenantField] = tenantId;
  else if (tag !== tenantId) throw new ForeignResultError(tenantId, tenantField);
  return out;
}

/** The parts of an audit request a call supplies. */
type CallRequest = Pick<AuditRequest, "operation" | "writes" | "collections" | "userId"> & { ticket?: string | undefined; shape: Record<string, unknown> };

/** What runs per tenant, and how its result counts in the audit record. */
interface TenantWork<R> {
  run(tenantId: string): Promise<R>;
  count(result: R): number;
}

/** Shared by every fan-out of one admin scope: context, settings and the audited runner. */
class AdminRuntime {
  readonly core: ResolverCore;
  readonly context: Required<Pick<AdminContext, "actor" | "reason">> & { zone: string | undefined };
  readonly #options: AdminOptions;
  readonly concurrency: number;

  constructor(core: ResolverCore, context: AdminRuntime["context"], options: AdminOptions) {
    this.core = core;
    this.context = context;
    this.#options = options;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** The log records go to now (follows reloads of the map's control location); throws when there is none. */
  log(): AuditLog {
    if (this.#options.log) return this.#options.log;
    const control = this.core.map.control;
    if (!control) throw new AuditUnavailableError("setup", "the connection map declares no control location and createResolver({ admin: { log } }) names no audit log");
    return mapAuditLog(this.core.pool, control);
  }

  async #write(record: AuditRecord): Promise<void> {
    await this.log().append(record);
    await this.#options.sink?.(record);
  }

  /**
   * The audited call: the `started` record is stored (log and sink) before anything runs — if it cannot be, nothing
   * runs — then `check` (refusals), then every tenant with bounded concurrency, then the `finished` record.
   */
  async run<R>(selection: Selection, request: CallRequest, check: () => void, work: TenantWork<R>): Promise<FanOutResult<R>> {
    const core = this.core;
    if (core.closed) throw new ResolverClosedError();
    const callId = randomUUID();
    const started = performance.now();
    const base: AuditRequest = {
      callId,
      environment: core.map.map.environment,
      actor: this.context.actor,
      reason: this.context.reason,
      ticket: request.ticket,
      operation: request.operation,
      writes: request.writes,
      collections: request.collections,
      tenants: selection.tenants,
      zones: selection.zones,
      gatheredIn: this.context.zone,
      userId: request.userId,
      shape: JSON.stringify(shapeOf(request.shape) ?? {}),
    };
    try {
      await this.#write({ ...base, _id: `${callId}:1:started`, phase: "started", at: new Date().toISOString() });
    } catch (error) {
      if (error instanceof AuditUnavailableError) throw error;
      throw new AuditUnavailableError("started", `the record could not be written (${errorLabel(error)}); the call did not run`, { cause: error });
    }
    const finish = async <T>(outcome: NonNullable<AuditRecord["outcome"]>, extra: Partial<AuditRecord>, result: T): Promise<void> => {
      const record: AuditRecord = { ...base, ...extra, _id: `${callId}:2:finished`, phase: "finished", at: new Date().toISOString(), outcome, durationMs: performance.now() - started };
      try {
        await this.#write(record);
      } catch (error) {
        throw new AuditUnavailableError("finished", `the call ran but its outcome record could not be written (${errorLabel(error)})`, { cause: error }, result);
      }
    };
    try {
      check();
    } catch (error) {
      await finish(error instanceof AdminWriteRefusedError ? "refused" : "failed", { error: errorLabel(error) }, undefined);
      throw error;
    }
    const tenants = await eachBounded(selection.tenants, this.concurrency, async (tenantId): Promise<TenantResult<R>> => {
      let place: TenantPlace;
      try {
        place = placeOf(core, tenantId);
      } catch (error) {
        // Gone from the map since the selection (a reload): reported like any other failure of this tenant.
        return { tenantId, stage: "pool", cluster: "", database: "", zone: "", ok: false, error: asError(error) };
      }
      try {
        return { ...place, ok: true, ...(await work.run(tenantId)) };
      } catch (error) {
        if (error instanceof TenantIncomplete) return { ...place, ok: false, error: error.error, completed: error.completed };
        return { ...place, ok: false, error: asError(error) };
      }
    });
    const failed = tenants.filter((t): t is TenantFailure => !t.ok);
    const outcomes: AuditTenantOutcome[] = tenants.map((t) => (t.ok ? { tenantId: t.tenantId, ok: true, count: work.count(t as unknown as R) } : { tenantId: t.tenantId, ok: false, count: 0, error: errorLabel(t.error) }));
    const result: FanOutResult<R> = { callId, tenants, failed, residency: residencyOf(core, selection.tenants, this.context.zone), durationMs: performance.now() - started };
    const outcome = failed.length === 0 ? "ok" : failed.length === tenants.length ? "failed" : "partial";
    await finish(outcome, { count: outcomes.reduce((sum, o) => sum + o.count, 0), results: outcomes }, result);
    return result;
  }
}

/** The failure of one tenant part-way through a `forUser` call, with what was already done there (internal). */
class TenantIncomplete extends Error {
  constructor(
    readonly error: Error,
    readonly completed: Readonly<Record<string, number>>,
  ) {
    super(error.message);
  }
}

class AdminCollectionImpl {
  readonly #runtime: AdminRuntime;
  readonly #selection: Selection;
  readonly #grant: { ticket: string } | undefined;
  readonly collectionName: string;

  constructor(runtime: AdminRuntime, selection: Selection, grant: { ticket: string } | undefined, name: string) {
    this.#runtime = runtime;
    this.#selection = selection;
    this.#grant = grant;
    this.collectionName = name;
  }

  /** The tenant's own scoped collection (the guards of tenant scopes); reads see every user of user-scoped collections. */
  #scoped(tenantId: string): ScopedCollectionImpl {
    return new ScopedCollectionImpl(this.#runtime.core, tenantId, undefined, this.collectionName, true);
  }

  #tenantField(tenantId: string): string {
    return this.#runtime.core.map.tenants.get(tenantId)?.tenantField ?? "tenant_id";
  }

  #read<R>(operation: string, shape: Record<string, unknown>, work: TenantWork<R>): Promise<FanOutResult<R>> {
    const request: CallRequest = { operation, writes: false, collections: [this.collectionName], userId: undefined, shape };
    return this.#runtime.run(this.#selection, request, () => undefined, work);
  }

  #write<R>(operation: string, shape: Record<string, unknown>, work: TenantWork<R>): Promise<FanOutResult<R>> {
    const grant = this.#grant;
    const request: CallRequest = { operation, writes: true, collections: [this.collectionName], userId: undefined, ticket: grant?.ticket, shape };
    const check = (): void => {
      if (!grant) throw new AdminWriteRefusedError(operation, "writes-not-allowed", "open the fan-out with { allowWrites: true, ticket }");
      if (this.#runtime.core.map.collections.get(this.collectionName) === "user") {
        throw new AdminWriteRefusedError(operation, "user-scoped", `[${this.collectionName}] is user-scoped: write it through admin.forUser(userId)`);
      }
    };
    return this.#runtime.run(this.#selection, request, check, work);
  }

  find(filter?: unknown, options?: FindOptions): Promise<unknown> {
    return this.#read("find", { filter, options }, {
      run: async (tenantId) => {
        const docs = await this.#scoped(tenantId).find(filter, options).toArray();
        const field = this.#tenantField(tenantId);
        return { documents: docs.map((d) => stamp(d, tenantId, field)) };
      },
      count: (r) => r.documents.length,
    });
  }

  aggregate(pipeline?: unknown, options?: AggregateOptions): Promise<unknown> {
    return this.#read("aggregate", { pipeline, options }, {
      run: async (tenantId) => {
        const docs = await this.#scoped(tenantId).aggregate(pipeline, options).toArray();
        const field = this.#tenantField(tenantId);
        return { documents: docs.map((d) => stamp(d, tenantId, field)) };
      },
      count: (r) => r.documents.length,
    });
  }

  countDocuments(filter?: unknown, options?: CountDocumentsOptions): Promise<unknown> {
    return this.#read("countDocuments", { filter, options }, {
      run: async (tenantId) => ({ count: (await this.#scoped(tenantId).countDocuments(filter, options)) as number }),
      count: (r) => r.count,
    });
  }

  distinct(key: string, filter?: unknown, options?: DistinctOptions): Promise<unknown> {
    return this.#read("distinct", { key: typeof key === "string" ? { [key]: "field" } : key, filter, options }, {
      run: async (tenantId) => ({ values: (await this.#scoped(tenantId).distinct(key, filter, options)) as unknown[] }),
      count: (r) => r.values.length,
    });
  }

  updateMany(filter: unknown, update: unknown, options?: UpdateOptions): Promise<unknown> {
    return this.#write("updateMany", { filter, update, options }, {
      run: async (tenantId) => {
        const r = (await this.#scoped(tenantId).updateMany(filter, update, options)) as { matchedCount: number; modifiedCount: number; upsertedCount: number };
        return { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upsertedCount: r.upsertedCount };
      },
      count: (r) => r.modifiedCount + r.upsertedCount,
    });
  }

  deleteMany(filter: unknown, options?: DeleteOptions): Promise<unknown> {
    return this.#write("deleteMany", { filter, options }, {
      run: async (tenantId) => ({ deletedCount: ((await this.#scoped(tenantId).deleteMany(filter, options)) as { deletedCount: number }).deletedCount }),
      count: (r) => r.deletedCount,
    });
  }
}

class UserFanOutImpl {
  readonly #runtime: AdminRuntime;
  readonly #grant: { ticket: string } | undefined;
  readonly userId: string;
  readonly selection: Selection;
  readonly collections: readonly string[];

  constructor(runtime: AdminRuntime, selection: Selection, grant: { ticket: string } | undefined, userId: string) {
    this.#runtime = runtime;
    this.#grant = grant;
    this.userId = userId;
    this.selection = selection;
    this.collections = [...runtime.core.map.collections].filter(([, scope]) => scope === "user").map(([name]) => name).sort();
  }

  /** Runs `each` over the user-scoped collections of one tenant in order; a failure carries what was done before it. */
  async #perCollection<V>(tenantId: string, each: (collection: ScopedCollectionImpl) => Promise<V>): Promise<Record<string, V>> {
    const out: Record<string, V> = {};
    const done: Record<string, number> = {};
    for (const name of this.collections) {
      try {
        const value = await each(new ScopedCollectionImpl(this.#runtime.core, tenantId, this.userId, name));
        out[name] = value;
        done[name] = typeof value === "number" ? value : Array.isArray(value) ? value.length : 0;
      } catch (error) {
        throw new TenantIncomplete(asError(error), { ...done });
      }
    }
    return out;
  }

  #call<V>(operation: string, writes: boolean, check: () => void, each: (c: ScopedCollectionImpl, tenantId: string) => Promise<V>, size: (v: V) => number) {
    const request: CallRequest = { operation, writes, collections: this.collections, userId: this.userId, ticket: this.#grant?.ticket, shape: {} };
    return this.#runtime.run(this.selection, request, check, {
      run: async (tenantId) => ({ collections: await this.#perCollection(tenantId, (c) => each(c, tenantId)) }),
      count: (r: { collections: Record<string, V> }) => Object.values(r.collections).reduce((sum, v) => sum + size(v), 0),
    });
  }

  export(): Promise<unknown> {
    return this.#call(
      "user.export",
      false,
      () => undefined,
      async (c, tenantId) => {
        const field = this.#runtime.core.map.tenants.get(tenantId)?.tenantField ?? "tenant_id";
        const docs = await c.find({}).toArray();
        return docs.map((d) => stamp(d, tenantId, field));
      },
      (docs) => docs.length,
    );
  }

  count(): Promise<unknown> {
    return this.#call("user.count", false, () => undefined, async (c) => (await c.countDocuments({})) as number, (n) => n);
  }

  erase(): Promise<unknown> {
    const check = (): void => {
      if (!this.#grant) throw new AdminWriteRefusedError("user.erase", "writes-not-allowed", "open forUser with { allowWrites: true, ticket }");
    };
    return this.#call("user.erase", true, check, async (c) => ((await c.deleteMany({})) as { deletedCount: number }).deletedCount, (n) => n);
  }
}

/** Reads `allowWrites` / `ticket`: a grant only with both; `allowWrites` without a ticket is refused outright. */
function grantOf(options: unknown): { ticket: string } | undefined {
  if (options === undefined || options === null || typeof options !== "object") return undefined;
  const { allowWrites, ticket } = options as { allowWrites?: unknown; ticket?: unknown };
  if (allowWrites === undefined || allowWrites === false) return undefined;
  if (allowWrites !== true) throw new AdminContextError("options", "allowWrites must be true or absent");
  return { ticket: requiredText(ticket, "ticket") };
}

class AdminScopeImpl {
  readonly #runtime: AdminRuntime;

  constructor(runtime: AdminRuntime) {
    this.#runtime = runtime;
  }

  get actor(): string {
    return this.#runtime.context.actor;
  }

  get reason(): string {
    return this.#runtime.context.reason;
  }

  acrossTenants(options?: FanOutSelection & { allowWrites?: boolean; ticket?: string }): FanOut {
    const grant = grantOf(options);
    const selection = select(this.#runtime.core, options);
    const runtime = this.#runtime;
    return {
      selection,
      collection(name: string) {
        const map = runtime.core.map;
        if (typeof name !== "string" || !map.collections.has(name)) throw new UndeclaredCollectionError(String(name), map.declared);
        return new AdminCollectionImpl(runtime, selection, grant, name) as unknown as WritableAdminCollection;
      },
    };
  }

  forUser(userId: string, options?: FanOutSelection & { allowWrites?: boolean; ticket?: string }): UserFanOut {
    const problem = idProblem(userId, "userId");
    if (problem) throw new AdminContextError("userId", problem);
    const grant = grantOf(options);
    return new UserFanOutImpl(this.#runtime, select(this.#runtime.core, options), grant, userId) as unknown as WritableUserFanOut;
  }
}

/**
 * `resolver.admin(context)`: validates actor and reason (AdminContextError), checks an audit log exists
 * (AuditUnavailableError `setup`), and returns the operator scope.
 */
export function openAdminScope(core: ResolverCore, context: AdminContext, options: AdminOptions = {}): AdminScope {
  if (core.closed) throw new ResolverClosedError();
  if (context === null || typeof context !== "object") throw new AdminContextError("context", "must be an object { actor, reason }");
  const actor = requiredText(context.actor, "actor");
  const reason = requiredText(context.reason, "reason");
  const zone: unknown = context.zone;
  if (zone !== undefined && (typeof zone !== "string" || zone === "")) throw new AdminContextError("context", "zone must be a zone name");
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError("admin.concurrency must be a positive integer");
  const runtime = new AdminRuntime(core, { actor, reason, zone: zone }, options);
  runtime.log();
  return new AdminScopeImpl(runtime) as unknown as AdminScope;
}
