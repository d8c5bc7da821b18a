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
import type { BackendCollection, BackendCursor } from "../backend/types";
import type { ClientPool } from "./clients";
import type { ControlSnapshot } from "./control";
import { ScopedChangeStream, ScopedCursor, ScopedFindCursor } from "./cursors";
import type { FindModifiers } from "./cursors";
import {
  ControlStoreStaleError,
  IsolationViolationError,
  MalformedContextError,
  ResolverClosedError,
  TenantFrozenError,
  TenantOffboardedError,
  UndeclaredCollectionError,
  UnknownTenantError,
} from "./errors";
import { guardCollation, guardOptions } from "./guard/options";
import { rewriteChangeStream, rewritePipeline } from "./guard/pipeline";
import type { PipelineScope } from "./guard/pipeline";
import { andCondition, sanitizeFilter, sanitizeObject } from "./guard/sanitize";
import { guardArrayFilters, guardUpdate, makeTags, tagDocument } from "./guard/writes";
import type { Tags } from "./guard/writes";
import { chooseRoute, type CompiledMap, type CompiledRoute } from "./routing";

/** The state a scope reads at each operation; `reload` swaps `map` (and `control`, when the control location moved) in one assignment each. */
export interface ResolverCore {
  map: CompiledMap;
  control: ControlSnapshot;
  readonly pool: ClientPool;
  closed: boolean;
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
  pipelineScope: PipelineScope;
}

type Executor<T> = (collection: BackendCollection) => Promise<T>;

function asFilter(filter: unknown, tags: Tags, method: string, path = "filter"): Document {
  return andCondition(tags.condition, sanitizeFilter(filter, method, path));
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The driver generates `_id` client-side and sets it on the caller's document; so do we (before tagging a copy). */
function ensureId(doc: unknown): void {
  if (isPlainRecord(doc) && doc._id === undefined) doc._id = new ObjectId();
}

function normalizeIndexKeys(spec: unknown, method: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  const add = (entry: unknown): void => {
    if (typeof entry === "string") out.push([entry, 1]);
    else if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string") out.push([entry[0], entry[1]]);
    else if (isPlainRecord(entry)) for (const [k, v] of Object.entries(sanitizeObject(entry, method, "indexSpec"))) out.push([k, v]);
    else throw new IsolationViolationError("malformed-argument", method, "indexSpec", "use an object, a field name, or [field, direction] pairs");
  };
  if (Array.isArray(spec) && !(spec.length === 2 && typeof spec[0] === "string" && typeof spec[1] !== "string")) spec.forEach(add);
  else add(spec);
  if (out.length === 0) throw new IsolationViolationError("malformed-argument", method, "indexSpec", "an index needs at least one key");
  return out;
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

  constructor(core: ResolverCore, tenantId: string, userId: string | undefined, logical: string) {
    this.#core = core;
    this.#tenantId = tenantId;
    this.#userId = userId;
    this.#logical = logical;
  }

  get collectionName(): string {
    return this.#logical;
  }

  /** Reads the current map and control snapshot: tenant state, effective route, freeze. Synchronous, allocation-light. */
  #resolve(method: string, write: boolean): Resolved {
    const core = this.#core;
    if (core.closed) throw new ResolverClosedError();
    const map = core.map;
    const tenant = map.tenants.get(this.#tenantId);
    if (!tenant) throw new UnknownTenantError(this.#tenantId);
    if (tenant.status === "offboarding") throw new TenantOffboardedError(this.#tenantId);
    const override = core.control.overrides.get(this.#tenantId);
    const route = chooseRoute(tenant, override);
    if (write) {
      if (tenant.status === "frozen") throw new TenantFrozenError(this.#tenantId, "map");
      if (override?.writes === "frozen") throw new TenantFrozenError(this.#tenantId, "control");
      const stale = core.control.staleFor();
      if (stale !== undefined) throw new ControlStoreStaleError(this.#tenantId, stale);
    }
    const tagsOf = (logical: string, via: string): Tags => {
      const scope = map.collections.get(logical);
      if (!scope) throw new UndeclaredCollectionError(logical, map.declared);
      if (scope === "user" && this.#userId === undefined) {
        throw new MalformedContextError("userId", `is required by the user-scoped collection [${logical}]${via}`);
      }
      return makeTags(tenant.tenantField, tenant.id, tenant.userField, scope === "user" ? this.#userId : undefined);
    };
    const tags = tagsOf(this.#logical, "");
    const physicalOf = (logical: string): string => route.physical.get(logical) as string;
    return {
      route,
      physical: physicalOf(this.#logical),
      tags,
      pipelineScope: {
        method,
        tags,
        foreign: (logical) => ({ tags: tagsOf(logical, ` (${method})`), physical: physicalOf(logical) }),
      },
    };
  }

  async #settled(): Promise<void> {
    // A loop, not an if: a reload may swap in a new snapshot (moved control location) while this one settles, and an
    // operation must never decide on a snapshot that has not read its store yet. `#resolve` follows synchronously.
    while (!this.#core.control.settled) await this.#core.control.whenSettled;
  }

  /** Validates (in `prepare`, before any client is borrowed), then runs on a leased client and releases it. */
  async #run<T>(method: string, write: boolean, prepare: (r: Resolved) => Executor<T>): Promise<T> {
    await this.#settled();
    const resolved = this.#resolve(method, write);
    const execute = prepare(resolved);
    const lease = await this.#core.pool.lease(resolved.route);
    try {
      return await execute(lease.client.db(resolved.route.database).collection(resolved.physical));
    } finally {
      lease.release();
    }
  }

  #cursor<T>(method: string, open: (r: Resolved) => (c: BackendCollection) => BackendCursor<T>): () => Promise<{ cursor: BackendCursor<T>; lease: Awaited<ReturnType<ClientPool["lease"]>> }> {
    return async () => {
      await this.#settled();
      const resolved = this.#resolve(method, false);
      const make = open(resolved);
      const lease = await this.#core.pool.lease(resolved.route);
      try {
        return { cursor: make(lease.client.db(resolved.route.database).collection(resolved.physical)), lease };
      } catch (error) {
        lease.release();
        throw error;
      }
    };
  }

  insertOne(doc: unknown, options?: unknown): Promise<unknown> {
    return this.#run("insertOne", true, (r) => {
      const opts = guardOptions(options, r.tags, "insertOne");
      ensureId(doc);
      const tagged = tagDocument(doc, r.tags, "insertOne", "doc");
      return (c) => c.insertOne(tagged, opts);
    });
  }

  insertMany(docs: unknown, options?: unknown): Promise<unknown> {
    return this.#run("insertMany", true, (r) => {
      if (!Array.isArray(docs)) throw new IsolationViolationError("malformed-argument", "insertMany", "docs", "must be an array of documents");
      const opts = guardOptions(options, r.tags, "insertMany");
      const tagged = docs.map((doc: unknown, i) => {
        ensureId(doc);
        return tagDocument(doc, r.tags, "insertMany", `docs[${i}]`);
      });
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
        const scoped = rewritePipeline(stages, r.pipelineScope, "pipeline");
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
  #bulkOp(op: unknown, tags: Tags, path: string): Document {
    const method = "bulkWrite";
    if (!isPlainRecord(op)) throw new IsolationViolationError("malformed-argument", method, path, "must be an object");
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
      ensureId(args.document);
      out.document = tagDocument(args.document, tags, method, `${at}.document`);
      return { [name]: out };
    }
    out.filter = asFilter(args.filter, tags, method, `${at}.filter`);
    if (args.upsert !== undefined) out.upsert = args.upsert === true;
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
      const keys = normalizeIndexKeys(indexSpec, "createIndex").filter(([field]) => !r.tags.entries.some(([tag]) => tag === field));
      const prefixed: Document = {};
      for (const [field] of r.tags.entries) prefixed[field] = 1;
      for (const [field, direction] of keys) prefixed[field] = direction;
      const opts = guardOptions(options, r.tags, "createIndex");
      if (opts.partialFilterExpression !== undefined) opts.partialFilterExpression = sanitizeObject(opts.partialFilterExpression, "createIndex", "options.partialFilterExpression");
      return (c) => c.createIndex(prefixed, opts);
    });
  }

  watch(pipeline?: unknown, options?: unknown): ScopedChangeStream {
    return new ScopedChangeStream(
      this.#cursor("watch", (r) => {
        const stages = pipeline === undefined ? [] : pipeline;
        if (!Array.isArray(stages)) throw new IsolationViolationError("malformed-argument", "watch", "pipeline", "must be an array of stages");
        const scoped = rewriteChangeStream(stages, r.pipelineScope, "pipeline");
        const opts = guardOptions(options, r.tags, "watch");
        // Updates carry the tags only in the looked-up full document.
        if (opts.fullDocument !== "whenAvailable" && opts.fullDocument !== "required") opts.fullDocument = "updateLookup";
        return (c) => {
          const stream = c.watch(scoped, opts);
          return {
            toArray: () => Promise.reject(new Error("a change stream has no end")),
            close: () => stream.close(),
            [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
          };
        };
      }),
    );
  }
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
