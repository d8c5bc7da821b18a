// A tenant's view of one logical collection: the driver's Collection methods, every argument scoped or refused.
import { ObjectId } from "mongodb";
import type {
  AggregateOptions,
  AnyBulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  ChangeStreamDocument,
  ChangeStreamOptions,
  CountDocumentsOptions,
  CreateIndexesOptions,
  DeleteOptions,
  DeleteResult,
  DistinctOptions,
  Document,
  Filter,
  FindOneAndDeleteOptions,
  FindOneAndReplaceOptions,
  FindOneAndUpdateOptions,
  FindOptions,
  IndexSpecification,
  InsertManyResult,
  InsertOneOptions,
  InsertOneResult,
  OptionalUnlessRequiredId,
  ReplaceOptions,
  UpdateFilter,
  UpdateOptions,
  UpdateResult,
  WithId,
  WithoutId,
} from "mongodb";
import type { BackendClient, BackendCollection, BackendCursor } from "@tenantry/contract/backend/types";
import { auditCall, auditCursor } from "./audit";
import type { CallAuditHook } from "./audit";
import type { ClientPool } from "./clients";
import type { ControlSnapshot } from "./control";
import { ScopedChangeStream, ScopedCursor, ScopedFindCursor } from "./cursors";
import type { FindModifiers } from "./cursors";
import { chooseRoute } from "@tenantry/contract/control/route";
import {
  ControlStoreStaleError,
  ControlStoreUnavailableError,
  IsolationViolationError,
  MalformedContextError,
  ResolverClosedError,
  TenantFrozenError,
  TenantOffboardedError,
  UndeclaredCollectionError,
  UnknownTenantError,
} from "./errors";
import { assertIntactPrototypes, canonicalDocument } from "./guard/canonical";
import { guardIndex, scrubServerError } from "./guard/indexes";
import { guardArrayFilters, guardCollation, guardOptions } from "./guard/options";
import { rewriteChangeStream, rewritePipeline } from "./guard/pipeline";
import type { PipelineScope } from "./guard/pipeline";
import { andCondition, sanitizeFilter, sanitizeObject } from "./guard/sanitize";
import { guardUpdate, makeTags, tagDocument } from "./guard/writes";
import type { Tags } from "./guard/writes";
import type { CompiledMap, CompiledRoute, CompiledTenant } from "./routing";

/** The state a scope reads at each operation; `reload` swaps `map` (and `control`, when the control location moved) in one assignment each. */
export interface ResolverCore {
  map: CompiledMap;
  control: ControlSnapshot;
  readonly pool: ClientPool;
  closed: boolean;
  /** `createResolver({ audit })`: told about every call; undefined (one check per call) when off. */
  readonly audit?: CallAuditHook | undefined;
}

/**
 * The tenant's view of a logical collection: the official driver's `Collection` methods and signatures. Reads see only
 * this tenant's (and, for user-scoped collections, this user's) documents; writes are tagged; anything that could
 * cross the boundary throws an IsolationViolationError. There is no way from here to a client, db or raw collection.
 */
export interface ScopedCollection<TSchema extends Document = Document> {
  /** The logical collection name (as declared in the connection map). */
  readonly collectionName: string;
  insertOne(doc: OptionalUnlessRequiredId<TSchema>, options?: InsertOneOptions): Promise<InsertOneResult<TSchema>>;
  insertMany(docs: ReadonlyArray<OptionalUnlessRequiredId<TSchema>>, options?: BulkWriteOptions): Promise<InsertManyResult<TSchema>>;
  find(filter?: Filter<TSchema>, options?: FindOptions): ScopedFindCursor<WithId<TSchema>>;
  findOne(filter?: Filter<TSchema>, options?: FindOptions): Promise<WithId<TSchema> | null>;
  updateOne(filter: Filter<TSchema>, update: UpdateFilter<TSchema> | Document[], options?: UpdateOptions): Promise<UpdateResult<TSchema>>;
  updateMany(filter: Filter<TSchema>, update: UpdateFilter<TSchema> | Document[], options?: UpdateOptions): Promise<UpdateResult<TSchema>>;
  replaceOne(filter: Filter<TSchema>, replacement: WithoutId<TSchema>, options?: ReplaceOptions): Promise<UpdateResult<TSchema>>;
  deleteOne(filter?: Filter<TSchema>, options?: DeleteOptions): Promise<DeleteResult>;
  deleteMany(filter?: Filter<TSchema>, options?: DeleteOptions): Promise<DeleteResult>;
  countDocuments(filter?: Filter<TSchema>, options?: CountDocumentsOptions): Promise<number>;
  distinct(key: string, filter?: Filter<TSchema>, options?: DistinctOptions): Promise<unknown[]>;
  aggregate<T extends Document = Document>(pipeline?: Document[], options?: AggregateOptions): ScopedCursor<T>;
  findOneAndUpdate(filter: Filter<TSchema>, update: UpdateFilter<TSchema> | Document[], options?: FindOneAndUpdateOptions): Promise<WithId<TSchema> | null>;
  findOneAndReplace(filter: Filter<TSchema>, replacement: WithoutId<TSchema>, options?: FindOneAndReplaceOptions): Promise<WithId<TSchema> | null>;
  findOneAndDelete(filter: Filter<TSchema>, options?: FindOneAndDeleteOptions): Promise<WithId<TSchema> | null>;
  bulkWrite(operations: ReadonlyArray<AnyBulkWriteOperation<TSchema>>, options?: BulkWriteOptions): Promise<BulkWriteResult>;
  /** Creates the index with `tenant_id` (and `user_id` for user-scoped collections) prefixed to its keys. */
  createIndex(indexSpec: IndexSpecification, options?: CreateIndexesOptions): Promise<string>;
  /**
   * A change stream of this tenant's documents (a `$match` on the tagged full document comes first; updates are
   * looked up with `fullDocument: "updateLookup"`; deletes arrive only with tagged pre-images). Opens on first read.
   */
  watch<TChange extends Document = ChangeStreamDocument<TSchema>>(pipeline?: Document[], options?: ChangeStreamOptions): ScopedChangeStream<TChange>;
}

/**
 * The route a tenant's operations use now: the map's current route unless a move's override selects its target.
 * A tenant with a declared move is served only from a snapshot that read the store and is not stale (class: a
 * resolver started while the store was unreachable must not serve a cut-over tenant from its old source).
 */
export function effectiveRoute(core: ResolverCore, tenant: CompiledTenant): CompiledRoute {
  if (tenant.target) {
    if (!core.control.ready) throw new ControlStoreUnavailableError(tenant.id, "cold-start");
    if (core.control.staleFor() !== undefined) throw new ControlStoreUnavailableError(tenant.id, "stale");
  }
  const choice = chooseRoute(core.control.overrides.get(tenant.id), tenant.current, tenant.target);
  if (choice === "none") throw new ControlStoreUnavailableError(tenant.id, "route-mismatch");
  return choice === "target" ? (tenant.target as CompiledRoute) : tenant.current;
}

/** Driver `Collection` methods a scope refuses, and what to use instead. */
export const UNSCOPABLE_METHODS: Readonly<Record<string, string>> = {
  estimatedDocumentCount: "it counts every tenant's documents; use countDocuments({})",
  count: "deprecated and unscoped; use countDocuments",
  drop: "the collection may hold other tenants' data",
  rename: "the collection may hold other tenants' data",
  dropIndex: "indexes are shared by every tenant of the collection",
  dropIndexes: "indexes are shared by every tenant of the collection",
  createIndexes: "use createIndex (one at a time, tenant-prefixed)",
  indexes: "index metadata is shared by every tenant of the collection",
  listIndexes: "index metadata is shared by every tenant of the collection",
  indexExists: "index metadata is shared by every tenant of the collection",
  indexInformation: "index metadata is shared by every tenant of the collection",
  options: "collection options are not tenant data",
  isCapped: "collection options are not tenant data",
  initializeOrderedBulkOp: "use bulkWrite",
  initializeUnorderedBulkOp: "use bulkWrite",
  listSearchIndexes: "search indexes are shared by every tenant",
  createSearchIndex: "search indexes are shared by every tenant",
  createSearchIndexes: "search indexes are shared by every tenant",
  dropSearchIndex: "search indexes are shared by every tenant",
  updateSearchIndex: "search indexes are shared by every tenant",
};

interface Resolved {
  route: CompiledRoute;
  physical: string;
  tags: Tags;
  /** What pipeline rewriting needs, for one method. */
  pipelineScope: (method: string) => PipelineScope;
  /** A collection shared by several tenants (pool stage): server errors are scrubbed, indexes are per tenant. */
  shared: boolean;
}

type Executor<T> = (collection: BackendCollection) => Promise<T>;

function asFilter(filter: unknown, tags: Tags, method: string, path = "filter"): Document {
  return andCondition(tags.condition, sanitizeFilter(filter, method, path));
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The tagged canonical copy of a document to insert, with an `_id` generated client-side when it has none (as the
 * driver does for `_id == null`). Unlike the driver, the caller's object is never modified: read `insertedId(s)`.
 */
function insertable(doc: unknown, tags: Tags, method: string, path: string): Record<string, unknown> {
  const tagged = tagDocument(doc, tags, method, path);
  if (tagged._id == null) tagged._id = new ObjectId();
  return tagged;
}

const BULK_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  insertOne: new Set(["document"]),
  updateOne: new Set(["filter", "update", "upsert", "arrayFilters", "collation", "hint", "sort"]),
  updateMany: new Set(["filter", "update", "upsert", "arrayFilters", "collation", "hint"]),
  replaceOne: new Set(["filter", "replacement", "upsert", "collation", "hint", "sort"]),
  deleteOne: new Set(["filter", "collation", "hint"]),
  deleteMany: new Set(["filter", "collation", "hint"]),
};

/** The runtime class behind ScopedCollection; all state is #private, so nothing reaches the backend from outside. */
export class ScopedCollectionImpl {
  readonly #core: ResolverCore;
  readonly #tenantId: string;
  readonly #userId: string | undefined;
  readonly #logical: string;
  /** Admin fan-outs only: reads of a user-scoped collection without a user see every user of the tenant. */
  readonly #acrossUsers: boolean;
  #resolved: { map: CompiledMap; resolved: Resolved } | undefined;
  #handle: { client: BackendClient; resolved: Resolved; collection: BackendCollection } | undefined;

  constructor(core: ResolverCore, tenantId: string, userId: string | undefined, logical: string, acrossUsers = false) {
    this.#core = core;
    this.#tenantId = tenantId;
    this.#userId = userId;
    this.#logical = logical;
    this.#acrossUsers = acrossUsers;
  }

  get collectionName(): string {
    return this.#logical;
  }

  /** Reads the current map and control snapshot: tenant state, effective route, freeze. Synchronous, allocation-light. */
  #resolve(method: string, write: boolean): Resolved {
    const core = this.#core;
    if (core.closed) throw new ResolverClosedError();
    assertIntactPrototypes(method);
    const map = core.map;
    const tenant = map.tenants.get(this.#tenantId);
    if (!tenant) throw new UnknownTenantError(this.#tenantId);
    if (tenant.status === "offboarding") throw new TenantOffboardedError(this.#tenantId);
    const route = effectiveRoute(core, tenant);
    const override = core.control.overrides.get(this.#tenantId);
    if (write) {
      if (tenant.status === "frozen") throw new TenantFrozenError(this.#tenantId, "map");
      if (override?.writes === "frozen") throw new TenantFrozenError(this.#tenantId, "control");
      const stale = core.control.staleFor();
      if (stale !== undefined) throw new ControlStoreStaleError(this.#tenantId, stale);
    }
    // Tags, names and the pipeline scope depend only on (map, route): computed once per pair, not per operation.
    const cached = this.#resolved;
    if (cached?.map === map && cached.resolved.route === route) return cached.resolved;
    const tagsOf = (logical: string, via: string): Tags => {
      const scope = map.collections.get(logical);
      if (!scope) throw new UndeclaredCollectionError(logical, map.declared);
      if (scope === "user" && this.#userId === undefined && !(this.#acrossUsers && !write)) {
        throw new MalformedContextError("userId", `is required by the user-scoped collection [${logical}]${via}`);
      }
      return makeTags(tenant.tenantField, tenant.id, tenant.userField, scope === "user" ? this.#userId : undefined);
    };
    const tags = tagsOf(this.#logical, "");
    const physicalOf = (logical: string): string => route.physical.get(logical) as string;
    const resolved: Resolved = {
      route,
      physical: physicalOf(this.#logical),
      tags,
      shared: route.info.stage === "pool",
      pipelineScope: (method) => ({ method, tags, foreign: (logical) => ({ tags: tagsOf(logical, ` (${method})`), physical: physicalOf(logical) }) }),
    };
    this.#resolved = { map, resolved };
    return resolved;
  }

  /** The backend collection on a leased client; the handle is kept while the client and route stay the same. */
  #collection(client: BackendClient, r: Resolved): BackendCollection {
    const cached = this.#handle;
    if (cached?.client === client && cached.resolved === r) return cached.collection;
    const collection = client.db(r.route.database).collection(r.physical);
    this.#handle = { client, resolved: r, collection };
    return collection;
  }

  async #settled(): Promise<void> {
    // A loop, not an if: a reload may swap in a new snapshot (moved control location) while this one settles, and an
    // operation must never decide on a snapshot that has not read its store yet. Each wait is bounded
    // (coldStartWaitMs); `#resolve` follows synchronously and fails closed on a snapshot that never read.
    let control = this.#core.control;
    while (!control.settled) {
      await control.waitFirstRead();
      if (this.#core.control === control) return;
      control = this.#core.control;
    }
  }

  /** Validates (in `prepare`, before any client is borrowed), then runs on a leased client and releases it. */
  #run<T>(method: string, write: boolean, prepare: (r: Resolved) => Executor<T>): Promise<T> {
    const audit = this.#core.audit;
    if (!audit) return this.#execute(method, write, prepare);
    const site = { tenantId: this.#tenantId, userId: this.#userId, collection: this.#logical };
    return auditCall(audit, site, method, () => this.#execute(method, write, prepare));
  }

  async #execute<T>(method: string, write: boolean, prepare: (r: Resolved) => Executor<T>): Promise<T> {
    if (!this.#core.control.settled) await this.#settled();
    const resolved = this.#resolve(method, write);
    const execute = prepare(resolved);
    const lease = await this.#core.pool.lease(resolved.route);
    try {
      return await execute(this.#collection(lease.client, resolved));
    } catch (error) {
      // A shared collection's errors may quote other tenants' key values or index names (duplicate keys, index conflicts).
      throw resolved.shared ? scrubServerError(error, resolved.tags, this.#tenantId) : error;
    } finally {
      lease.release();
    }
  }

  #cursor<T>(method: string, open: (r: Resolved) => (c: BackendCollection) => BackendCursor<T>): () => Promise<{ cursor: BackendCursor<T>; lease: Awaited<ReturnType<ClientPool["lease"]>> }> {
    const opener = async () => {
      if (!this.#core.control.settled) await this.#settled();
      const resolved = this.#resolve(method, false);
      const make = open(resolved);
      const lease = await this.#core.pool.lease(resolved.route);
      try {
        return { cursor: make(this.#collection(lease.client, resolved)), lease };
      } catch (error) {
        lease.release();
        throw error;
      }
    };
    const audit = this.#core.audit;
    return audit ? auditCursor(audit, { tenantId: this.#tenantId, userId: this.#userId, collection: this.#logical }, method, opener) : opener;
  }

  insertOne(doc: unknown, options?: unknown): Promise<unknown> {
    return this.#run("insertOne", true, (r) => {
      const opts = guardOptions(options, r.tags, "insertOne");
      const tagged = insertable(doc, r.tags, "insertOne", "doc");
      return (c) => c.insertOne(tagged, opts);
    });
  }

  insertMany(docs: unknown, options?: unknown): Promise<unknown> {
    return this.#run("insertMany", true, (r) => {
      if (!Array.isArray(docs)) throw new IsolationViolationError("malformed-argument", "insertMany", "docs", "must be an array of documents");
      const opts = guardOptions(options, r.tags, "insertMany");
      const tagged = docs.map((doc: unknown, i) => insertable(doc, r.tags, "insertMany", `docs[${i}]`));
      return (c) => c.insertMany(tagged, opts);
    });
  }

  find(filter?: unknown, options?: unknown): ScopedFindCursor {
    const modifiers: FindModifiers = {};
    return new ScopedFindCursor(
      this.#cursor("find", (r) => {
        const scoped = asFilter(filter, r.tags, "find");
        const opts = guardOptions(options, r.tags, "find");
        // Cursor modifiers were sanitized when set; like the driver, they override the options of the same name.
        for (const key of ["sort", "skip", "limit", "projection"] as const) if (modifiers[key] !== undefined) opts[key] = modifiers[key];
        return (c) => c.find(scoped, opts);
      }),
      modifiers,
    );
  }

  findOne(filter?: unknown, options?: unknown): Promise<unknown> {
    return this.#run("findOne", false, (r) => {
      const scoped = asFilter(filter, r.tags, "findOne");
      const opts = guardOptions(options, r.tags, "findOne");
      return (c) => c.findOne(scoped, opts);
    });
  }

  #updateLike(method: "updateOne" | "updateMany", filter: unknown, update: unknown, options: unknown): Promise<unknown> {
    return this.#run(method, true, (r) => {
      const scoped = asFilter(filter, r.tags, method);
      const opts = guardOptions(options, r.tags, method);
      const guarded = guardUpdate(update, r.tags, method, "update", opts.upsert === true);
      return (c) => c[method](scoped, guarded, opts);
    });
  }

  updateOne(filter: unknown, update: unknown, options?: unknown): Promise<unknown> {
    return this.#updateLike("updateOne", filter, update, options);
  }

  updateMany(filter: unknown, update: unknown, options?: unknown): Promise<unknown> {
    return this.#updateLike("updateMany", filter, update, options);
  }

  replaceOne(filter: unknown, replacement: unknown, options?: unknown): Promise<unknown> {
    return this.#run("replaceOne", true, (r) => {
      const scoped = asFilter(filter, r.tags, "replaceOne");
      const opts = guardOptions(options, r.tags, "replaceOne");
      const tagged = tagDocument(replacement, r.tags, "replaceOne", "replacement");
      return (c) => c.replaceOne(scoped, tagged, opts);
    });
  }

  deleteOne(filter?: unknown, options?: unknown): Promise<unknown> {
    return this.#run("deleteOne", true, (r) => {
      const scoped = asFilter(filter, r.tags, "deleteOne");
      const opts = guardOptions(options, r.tags, "deleteOne");
      return (c) => c.deleteOne(scoped, opts);
    });
  }

  deleteMany(filter?: unknown, options?: unknown): Promise<unknown> {
    return this.#run("deleteMany", true, (r) => {
      const scoped = asFilter(filter, r.tags, "deleteMany");
      const opts = guardOptions(options, r.tags, "deleteMany");
      return (c) => c.deleteMany(scoped, opts);
    });
  }

  countDocuments(filter?: unknown, options?: unknown): Promise<unknown> {
    return this.#run("countDocuments", false, (r) => {
      const scoped = asFilter(filter, r.tags, "countDocuments");
      const opts = guardOptions(options, r.tags, "countDocuments");
      return (c) => c.countDocuments(scoped, opts);
    });
  }

  distinct(key: unknown, filter?: unknown, options?: unknown): Promise<unknown> {
    return this.#run("distinct", false, (r) => {
      if (typeof key !== "string" || key === "") throw new IsolationViolationError("malformed-argument", "distinct", "key", "must be a field path");
      const scoped = asFilter(filter, r.tags, "distinct");
      const opts = guardOptions(options, r.tags, "distinct");
      return (c) => c.distinct(key, scoped, opts);
    });
  }

  aggregate(pipeline?: unknown, options?: unknown): ScopedCursor {
    return new ScopedCursor(
      this.#cursor("aggregate", (r) => {
        const stages = pipeline === undefined ? [] : pipeline;
        if (!Array.isArray(stages)) throw new IsolationViolationError("malformed-argument", "aggregate", "pipeline", "must be an array of stages");
        const scoped = rewritePipeline(stages, r.pipelineScope("aggregate"), "pipeline");
        const opts = guardOptions(options, r.tags, "aggregate");
        return (c) => c.aggregate(scoped, opts);
      }),
    );
  }

  findOneAndUpdate(filter: unknown, update: unknown, options?: unknown): Promise<unknown> {
    return this.#run("findOneAndUpdate", true, (r) => {
      const scoped = asFilter(filter, r.tags, "findOneAndUpdate");
      const opts = guardOptions(options, r.tags, "findOneAndUpdate");
      const guarded = guardUpdate(update, r.tags, "findOneAndUpdate", "update", opts.upsert === true);
      return (c) => c.findOneAndUpdate(scoped, guarded, opts);
    });
  }

  findOneAndReplace(filter: unknown, replacement: unknown, options?: unknown): Promise<unknown> {
    return this.#run("findOneAndReplace", true, (r) => {
      const scoped = asFilter(filter, r.tags, "findOneAndReplace");
      const opts = guardOptions(options, r.tags, "findOneAndReplace");
      const tagged = tagDocument(replacement, r.tags, "findOneAndReplace", "replacement");
      return (c) => c.findOneAndReplace(scoped, tagged, opts);
    });
  }

  findOneAndDelete(filter: unknown, options?: unknown): Promise<unknown> {
    return this.#run("findOneAndDelete", true, (r) => {
      const scoped = asFilter(filter, r.tags, "findOneAndDelete");
      const opts = guardOptions(options, r.tags, "findOneAndDelete");
      return (c) => c.findOneAndDelete(scoped, opts);
    });
  }

  bulkWrite(operations: unknown, options?: unknown): Promise<unknown> {
    return this.#run("bulkWrite", true, (r) => {
      if (!Array.isArray(operations)) throw new IsolationViolationError("malformed-argument", "bulkWrite", "operations", "must be an array");
      const opts = guardOptions(options, r.tags, "bulkWrite");
      const scopedOps = operations.map((op: unknown, i) => this.#bulkOp(op, r.tags, `operations[${i}]`));
      return (c) => c.bulkWrite(scopedOps as AnyBulkWriteOperation<Document>[], opts);
    });
  }

  /** One bulkWrite operation, scoped exactly like its single-operation form; unknown fields are refused. */
  #bulkOp(given: unknown, tags: Tags, path: string): Document {
    const method = "bulkWrite";
    // The canonical copy first: every field below is read from our copy, never from the caller's object.
    const op = canonicalDocument(given, method, path);
    const keys = Object.keys(op);
    const name = keys[0];
    const allowed = name === undefined ? undefined : BULK_KEYS[name];
    if (keys.length !== 1 || name === undefined || !allowed) {
      throw new IsolationViolationError("malformed-argument", method, path, `must hold one of ${Object.keys(BULK_KEYS).join(", ")}`);
    }
    const args = op[name];
    if (!isPlainRecord(args)) throw new IsolationViolationError("malformed-argument", method, `${path}.${name}`, "must be an object");
    for (const key of Object.keys(args)) {
      if (!allowed.has(key)) throw new IsolationViolationError("forbidden-option", method, `${path}.${name}.${key}`, `${key} is not accepted in ${name}`);
    }
    const at = `${path}.${name}`;
    const out: Document = {};
    if (name === "insertOne") {
      out.document = insertable(args.document, tags, method, `${at}.document`);
      return { [name]: out };
    }
    out.filter = asFilter(args.filter, tags, method, `${at}.filter`);
    if (args.upsert !== undefined && args.upsert !== null) {
      if (typeof args.upsert !== "boolean") throw new IsolationViolationError("malformed-argument", method, `${at}.upsert`, "must be a boolean (true or false)");
      out.upsert = args.upsert;
    }
    if (args.hint !== undefined) out.hint = args.hint;
    if (args.sort !== undefined) out.sort = sanitizeObject(args.sort, method, `${at}.sort`);
    if (args.collation !== undefined) out.collation = guardCollation(args.collation, method, `${at}.collation`);
    if (args.arrayFilters !== undefined) out.arrayFilters = guardArrayFilters(args.arrayFilters, method, `${at}.arrayFilters`);
    if (name === "updateOne" || name === "updateMany") out.update = guardUpdate(args.update, tags, method, `${at}.update`, out.upsert === true);
    if (name === "replaceOne") out.replacement = tagDocument(args.replacement, tags, method, `${at}.replacement`);
    return { [name]: out };
  }

  createIndex(indexSpec: unknown, options?: unknown): Promise<unknown> {
    // Not a write of tenant data: allowed while frozen.
    return this.#run("createIndex", false, (r) => {
      const [field, value] = r.tags.entries[0] as readonly [string, string];
      const index = guardIndex(indexSpec, options, r.tags, { [field]: value }, r.shared, this.#tenantId);
      return async (c) => {
        await c.createIndex(index.keys, index.options);
        return index.visibleName;
      };
    });
  }

  watch(pipeline?: unknown, options?: unknown): ScopedChangeStream {
    return new ScopedChangeStream(
      this.#cursor("watch", (r) => {
        const stages = pipeline === undefined ? [] : pipeline;
        if (!Array.isArray(stages)) throw new IsolationViolationError("malformed-argument", "watch", "pipeline", "must be an array of stages");
        const scoped = rewriteChangeStream(stages, r.pipelineScope("watch"), "pipeline");
        const opts = guardOptions(options, r.tags, "watch");
        // Updates carry the tags only in the looked-up full document.
        if (opts.fullDocument !== "whenAvailable" && opts.fullDocument !== "required") opts.fullDocument = "updateLookup";
        return (c) => {
          const stream = c.watch(scoped, opts);
          return {
            toArray: () => Promise.reject(new Error("a change stream has no end")),
            close: () => stream.close(),
            [Symbol.asyncIterator]: () => ownEvents(stream[Symbol.asyncIterator](), r.tags),
          };
        };
      }),
    );
  }
}

/** True when a change event's document images that are present all carry exactly this scope's tags. */
export function isOwnEvent(event: unknown, tags: Tags): boolean {
  if (event === null || typeof event !== "object") return false;
  for (const image of ["fullDocument", "fullDocumentBeforeChange"] as const) {
    const doc = (event as Record<string, unknown>)[image];
    if (doc === undefined || doc === null) continue;
    if (typeof doc !== "object") return false;
    for (const [field, value] of tags.entries) if ((doc as Record<string, unknown>)[field] !== value) return false;
  }
  return true;
}

/**
 * The change events the server delivered, checked again on our side: an event whose looked-up `fullDocument` (or
 * pre-image) belongs to someone else — `updateLookup` reads the current document with that `_id`, which after a
 * delete may be another tenant's — is dropped, whatever the `$match` let through.
 */
function ownEvents<T>(source: AsyncIterator<T>, tags: Tags): AsyncIterator<T> {
  return {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        const step = await source.next();
        if (step.done || isOwnEvent(step.value, tags)) return step;
      }
    },
    return: async (value?: unknown): Promise<IteratorResult<T>> => (source.return ? source.return(value) : { done: true, value: undefined as T }),
  };
}

// The refused driver methods exist at runtime so plain-JavaScript callers get a clear, typed error (TypeScript
// callers cannot call them: they are not in the ScopedCollection interface).
for (const [method, why] of Object.entries(UNSCOPABLE_METHODS)) {
  Object.defineProperty(ScopedCollectionImpl.prototype, method, {
    value: function refused(): never {
      throw new IsolationViolationError("unscopable-operation", method, "", `${method} is not available on a tenant scope: ${why}`);
    },
    writable: false,
    enumerable: false,
    configurable: false,
  });
}
