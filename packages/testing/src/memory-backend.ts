// In-memory backend: the BackendClient surface with MongoDB query, update and aggregation semantics (mingo), no server.
// Data lives per (cluster key, database, collection) in the connector, so every client of one connector sees the same data.
import { Aggregator, Query, updateOne as mingoUpdateOne } from "mingo";
import { ObjectId } from "mongodb";
import type {
  AggregateOptions,
  AnyBulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  ChangeStream,
  CountDocumentsOptions,
  CreateIndexesOptions,
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
  InsertOneResult,
  ReplaceOptions,
  UpdateFilter,
  UpdateOptions,
  UpdateResult,
} from "mongodb";
import type {
  BackendClient,
  BackendCollection,
  BackendCursor,
  BackendDb,
  BackendFindCursor,
  ConnectTarget,
  Connector,
} from "@tenantry/contract/backend/types";
import { InjectedFaultError, MemoryBackendUnsupportedError, MemoryClientClosedError, duplicateKeyError, serverError } from "./errors";
import { count, safeBool } from "./coerce";
import { cloneDoc, cloneValue, defineOwn, valueKey, valuesAtPath } from "./values";

/** What a write hook sees: one document-level write (an insertMany of 3 documents is 3 writes). */
export interface WriteEvent {
  clusterKey: string;
  db: string;
  collection: string;
  /** The collection method that was called, e.g. `insertMany`, `bulkWrite`. */
  method: string;
  kind: "insert" | "update" | "replace" | "delete" | "index";
}

/** What an operation hook sees: every collection method call, reads included. */
export interface OperationEvent {
  clusterKey: string;
  credentialKey: string;
  db: string;
  collection: string;
  method: string;
}

/** Which writes a fault counts; omitted fields match everything. */
export interface WriteMatcher {
  clusterKey?: string;
  db?: string;
  collection?: string;
  method?: string;
  kind?: WriteEvent["kind"];
}

/** One client the connector opened (for tests and benchmarks that count connections). */
export interface MemoryClientInfo {
  clusterKey: string;
  credentialKey: string;
  closed: boolean;
}

/** The memory connector: a `Connector` plus hooks to inspect data, count clients and inject faults. */
export interface MemoryConnector extends Connector {
  readonly needsCredentials: false;
  /** Deep copies of a collection's documents in natural (insertion) order; `[]` when it does not exist. */
  raw(clusterKey: string, db: string, collection: string): Document[];
  /** Inserts documents directly (no hooks, unique indexes enforced); for test fixtures. */
  seed(clusterKey: string, db: string, collection: string, docs: readonly Document[]): void;
  /** Collections that exist (hold or held data or indexes) in a database. */
  collectionNames(clusterKey: string, db: string): string[];
  /** Databases that exist on a cluster. */
  databaseNames(clusterKey: string): string[];
  /** Drops a collection (data and indexes). */
  drop(clusterKey: string, db: string, collection: string): void;
  /** Every client opened so far, open or closed. */
  clients(): readonly MemoryClientInfo[];
  /** Number of `connect` calls and of clients still open. */
  stats(): { connects: number; open: number };
  /**
   * Fails the `nth` (1-based) write that matches `where`, counted from this call; `times` consecutive writes fail
   * (default 1). The write does not happen. Returns a function that cancels the fault.
   */
  failWrite(options: { nth: number; where?: WriteMatcher; times?: number; error?: () => Error }): () => void;
  /** Called before each document-level write; throwing aborts that write. Returns an unsubscribe function. */
  onWrite(hook: (event: WriteEvent) => void): () => void;
  /**
   * Awaited at the start of every collection method (after the closed-client check), so tests can hold operations
   * in flight deterministically. Returns an unsubscribe function.
   */
  onOperation(hook: (event: OperationEvent) => void | Promise<void>): () => void;
  /** Forgets all data, clients, hooks and faults. */
  reset(): void;
}

interface IndexDef {
  name: string;
  key: Document;
  unique: boolean;
  sparse: boolean;
  partialFilterExpression?: Document;
  /** TTL indexes: recorded and listed; the memory backend never expires documents. */
  expireAfterSeconds?: number;
  /** For unique indexes: index key → the document holding it. */
  entries?: Map<string, Document>;
}

interface CollectionState {
  docs: Document[];
  indexes: IndexDef[];
  /** `createCollection` / `collMod` options (validator, validationLevel, validationAction): recorded, not enforced. */
  options?: Document;
}

const MINGO_OPTIONS = { idKey: "_id", scriptEnabled: false, useStrictMode: true } as const;

function mingoOptions(collation?: unknown, variables?: Document): Record<string, unknown> {
  const options: Record<string, unknown> = { ...MINGO_OPTIONS };
  if (collation) options.collation = collation;
  if (variables) options.variables = variables;
  return options;
}

function query(filter: Filter<Document> | undefined, collation?: unknown): Query {
  if (filter !== undefined && (filter === null || typeof filter !== "object" || Array.isArray(filter))) {
    throw serverError(2, "BadValue", "filter must be an object");
  }
  return new Query((filter ?? {}), mingoOptions(collation));
}

function indexKeys(doc: Document, index: IndexDef): string[] | undefined {
  const fields = Object.keys(index.key);
  const perField = fields.map((f) => valuesAtPath(doc, f));
  if (index.sparse && perField.every((values) => values.length === 0)) return undefined;
  if (index.partialFilterExpression && !query(index.partialFilterExpression).test(doc)) return undefined;
  let combos: unknown[][] = [[]];
  for (const values of perField) {
    const options = values.length === 0 ? [null] : values.flatMap((v) => (Array.isArray(v) && v.length > 0 ? v : [v]));
    combos = combos.flatMap((combo) => options.map((v) => [...combo, v]));
  }
  return [...new Set(combos.map((combo) => valueKey(combo)))];
}

/**
 * `_id` equality fast path (added for the mover's upserts and benchmarks): a filter with a plain `_id` value can match
 * only the document the `_id_` index holds for it, so the full filter is tested on that one instead of a scan.
 * Operator objects, regexes and collations (which change string equality) take the scan.
 */
function idCandidates(state: CollectionState, filter: Filter<Document> | undefined, collation: unknown): Document[] | undefined {
  if (filter && collation === undefined && !Object.hasOwn(filter, "_id") && Array.isArray((filter as Document).$and)) {
    // Every conjunct must hold, so the candidates of any one `_id` conjunct are enough (the resolver's filter shape).
    for (const part of (filter as Document).$and as unknown[]) {
      const found = part && typeof part === "object" ? idCandidates(state, part, collation) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  if (!filter || collation !== undefined || !Object.hasOwn(filter, "_id")) return undefined;
  const id = (filter as Document)._id as unknown;
  if (id === undefined || id instanceof RegExp || Array.isArray(id)) return undefined;
  if (id !== null && typeof id === "object" && !("_bsontype" in id) && !(id instanceof Date) && Object.keys(id).some((k) => k.startsWith("$"))) return undefined;
  const index = state.indexes.find((i) => i.name === "_id_");
  if (!index?.entries) return undefined;
  const keys = indexKeys({ _id: id }, index);
  if (keys?.length !== 1) return undefined;
  const doc = index.entries.get(keys[0] as string);
  return doc ? [doc] : [];
}

function keyValueOf(doc: Document, index: IndexDef): Document {
  const out: Document = {};
  for (const field of Object.keys(index.key)) defineOwn(out, field, valuesAtPath(doc, field)[0] ?? null);
  return out;
}

function normalizeIndexSpec(spec: IndexSpecification): Document {
  const out: Document = {};
  const add = (entry: unknown): void => {
    if (typeof entry === "string") out[entry] = 1;
    else if (Array.isArray(entry) && typeof entry[0] === "string") out[entry[0]] = entry[1] as unknown;
    else if (entry instanceof Map) for (const [k, v] of entry) out[k as string] = v;
    else if (entry && typeof entry === "object") Object.assign(out, entry);
  };
  if (Array.isArray(spec) && !(spec.length === 2 && typeof spec[0] === "string" && typeof spec[1] !== "string")) {
    for (const entry of spec) add(entry);
  } else {
    add(spec);
  }
  if (Object.keys(out).length === 0) throw serverError(67, "CannotCreateIndex", "index key pattern must not be empty");
  return out;
}

function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join("_");
}

/** The equality fields of a filter, which an upsert copies into the new document (top level and `$and`). */
function equalitySeed(filter: Document, into: Document = {}): Document {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const part of value) if (part && typeof part === "object") equalitySeed(part as Document, into);
      continue;
    }
    if (key.startsWith("$")) continue;
    let v: unknown = value;
    if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !("_bsontype" in v)) {
      const keys = Object.keys(v);
      if (keys.length > 0 && keys.every((k) => k.startsWith("$"))) {
        if (keys.length === 1 && keys[0] === "$eq") v = (v as Document).$eq;
        else continue;
      }
    }
    setPath(into, key, cloneValue(v));
  }
  return into;
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split(".");
  let current: Document = doc;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1) {
      defineOwn(current, part, value);
      return;
    }
    let next = current[part] as unknown;
    if (!next || typeof next !== "object") {
      next = {};
      defineOwn(current, part, next);
    }
    current = next as Document;
  }
}

function withIdFirst(doc: Document, id: unknown): Document {
  const out: Document = {};
  defineOwn(out, "_id", id);
  for (const key of Object.keys(doc)) if (key !== "_id") defineOwn(out, key, doc[key]);
  return out;
}

function isPipeline(update: unknown): update is Document[] {
  return Array.isArray(update);
}

function assertOperatorUpdate(update: unknown): asserts update is Document {
  if (!update || typeof update !== "object") throw serverError(9, "FailedToParse", "update must be an object or a pipeline");
  const keys = Object.keys(update);
  if (keys.length === 0) throw serverError(9, "FailedToParse", "update document must not be empty");
  if (!keys.every((k) => k.startsWith("$"))) throw serverError(9, "FailedToParse", "update document requires atomic operators");
}

function assertReplacement(replacement: unknown): asserts replacement is Document {
  if (!replacement || typeof replacement !== "object" || Array.isArray(replacement)) {
    throw serverError(9, "FailedToParse", "replacement must be a document");
  }
  if (Object.keys(replacement).some((k) => k.startsWith("$"))) {
    throw serverError(9, "FailedToParse", "replacement document must not contain atomic operators");
  }
}

function project(docs: Document[], projection: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return new Query({}, mingoOptions()).find(docs, projection).all() as Document[];
}

class MemoryCursor<T> implements BackendCursor<T> {
  #produce: () => T[];
  #started = false;
  constructor(produce: () => T[]) {
    this.#produce = produce;
  }
  protected assertNotStarted(): void {
    if (this.#started) throw new Error("cursor already started: set sort/limit/skip/project before reading");
  }
  async toArray(): Promise<T[]> {
    await Promise.resolve();
    if (this.#started) return [];
    this.#started = true;
    return this.#produce();
  }
  async close(): Promise<void> {
    this.#started = true;
    await Promise.resolve();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const item of await this.toArray()) yield item;
  }
}

class MemoryFindCursor extends MemoryCursor<Document> implements BackendFindCursor<Document> {
  #options: { sort?: Document; skip?: number; limit?: number; projection?: Document };
  constructor(run: (o: { sort?: Document; skip?: number; limit?: number; projection?: Document }) => Promise<Document[]> | Document[], options: FindOptions) {
    const state: { sort?: Document; skip?: number; limit?: number; projection?: Document } = {};
    if (options.sort) state.sort = normalizeSort(options.sort);
    // Validated when the query runs, as the server would (a negative skip fails, a negative limit is |n|).
    if (options.skip !== undefined) state.skip = options.skip;
    if (options.limit !== undefined) state.limit = options.limit;
    if (options.projection) state.projection = options.projection;
    let result: Document[] = [];
    super(() => result);
    this.#options = state;
    const toArray = this.toArray.bind(this);
    // The query runs when reading starts (like the driver), with whatever sort/limit/skip/project were set by then.
    this.toArray = async () => {
      result = await run(this.#options);
      return toArray();
    };
  }
  sort(sort: Document): this {
    this.assertNotStarted();
    this.#options.sort = normalizeSort(sort);
    return this;
  }
  limit(n: number): this {
    this.assertNotStarted();
    this.#options.limit = n;
    return this;
  }
  skip(n: number): this {
    this.assertNotStarted();
    this.#options.skip = n;
    return this;
  }
  project<P extends Document = Document>(projection: Document): BackendFindCursor<P> {
    this.assertNotStarted();
    this.#options.projection = projection;
    return this as unknown as BackendFindCursor<P>;
  }
}

function normalizeSort(sort: unknown): Document {
  if (typeof sort === "string") return { [sort]: 1 };
  if (Array.isArray(sort)) {
    if (sort.length === 2 && typeof sort[0] === "string" && typeof sort[1] !== "string" && !Array.isArray(sort[1])) {
      return { [sort[0]]: direction(sort[1]) };
    }
    const out: Document = {};
    for (const entry of sort) {
      if (typeof entry === "string") out[entry] = 1;
      else if (Array.isArray(entry)) out[String(entry[0])] = direction(entry[1]);
    }
    return out;
  }
  if (sort instanceof Map) return Object.fromEntries([...sort].map(([k, v]) => [String(k), direction(v)]));
  const out: Document = {};
  for (const [k, v] of Object.entries(sort as Document)) out[k] = direction(v);
  return out;
}

function direction(value: unknown): 1 | -1 {
  return value === -1 || value === "desc" || value === "descending" ? -1 : 1;
}

/** Shared state of one connector: the data of every cluster, and the hooks. */
class MemoryStore {
  clusters = new Map<string, Map<string, Map<string, CollectionState>>>();
  clients: MemoryClientInfo[] = [];
  connects = 0;
  writeHooks = new Set<(event: WriteEvent) => void>();
  opHooks = new Set<(event: OperationEvent) => void | Promise<void>>();

  peek(clusterKey: string, db: string, coll: string): CollectionState | undefined {
    return this.clusters.get(clusterKey)?.get(db)?.get(coll);
  }

  state(clusterKey: string, db: string, coll: string): CollectionState {
    let dbs = this.clusters.get(clusterKey);
    if (!dbs) this.clusters.set(clusterKey, (dbs = new Map()));
    let colls = dbs.get(db);
    if (!colls) dbs.set(db, (colls = new Map()));
    let state = colls.get(coll);
    if (!state) {
      state = { docs: [], indexes: [{ name: "_id_", key: { _id: 1 }, unique: true, sparse: false, entries: new Map() }] };
      colls.set(coll, state);
    }
    return state;
  }
}

/** Document-level storage operations with unique-index enforcement; documents are replaced, never mutated in place. */
class CollectionStorage {
  constructor(
    private readonly state: CollectionState,
    private readonly ns: string,
  ) {}

  private conflicts(candidate: Document, except: Document | undefined): void {
    for (const index of this.state.indexes) {
      if (!index.unique || !index.entries) continue;
      for (const key of indexKeys(candidate, index) ?? []) {
        const holder = index.entries.get(key);
        if (holder && holder !== except) throw duplicateKeyError(this.ns, index.name, index.key, keyValueOf(candidate, index));
      }
    }
  }

  private indexAdd(doc: Document): void {
    for (const index of this.state.indexes) {
      if (index.entries) for (const key of indexKeys(doc, index) ?? []) index.entries.set(key, doc);
    }
  }

  private indexRemove(doc: Document): void {
    for (const index of this.state.indexes) {
      if (index.entries) for (const key of indexKeys(doc, index) ?? []) if (index.entries.get(key) === doc) index.entries.delete(key);
    }
  }

  insert(doc: Document): void {
    this.conflicts(doc, undefined);
    this.state.docs.push(doc);
    this.indexAdd(doc);
  }

  replace(oldDoc: Document, newDoc: Document): void {
    this.conflicts(newDoc, oldDoc);
    const at = this.state.docs.indexOf(oldDoc);
    if (at < 0) throw new Error("memory backend: replaced document vanished");
    this.indexRemove(oldDoc);
    this.state.docs[at] = newDoc;
    this.indexAdd(newDoc);
  }

  remove(doc: Document): void {
    const at = this.state.docs.indexOf(doc);
    if (at < 0) return;
    this.indexRemove(doc);
    this.state.docs.splice(at, 1);
  }

  createIndex(def: IndexDef): void {
    if (def.unique) {
      def.entries = new Map();
      for (const doc of this.state.docs) {
        for (const key of indexKeys(doc, def) ?? []) {
          const holder = def.entries.get(key);
          if (holder && holder !== doc) throw duplicateKeyError(this.ns, def.name, def.key, keyValueOf(doc, def));
          def.entries.set(key, doc);
        }
      }
    }
    this.state.indexes.push(def);
  }
}

type WriteOptions = { upsert?: boolean; arrayFilters?: Document[]; collation?: unknown; sort?: unknown; let?: Document };

class MemoryCollection implements BackendCollection {
  readonly collectionName: string;
  readonly dbName: string;
  readonly #store: MemoryStore;
  readonly #client: MemoryClient;

  constructor(store: MemoryStore, client: MemoryClient, db: string, name: string) {
    this.#store = store;
    this.#client = client;
    this.dbName = db;
    this.collectionName = name;
  }

  get #ns(): string {
    return `${this.dbName}.${this.collectionName}`;
  }

  #peek(): CollectionState | undefined {
    return this.#store.peek(this.#client.clusterKey, this.dbName, this.collectionName);
  }

  #storage(): CollectionStorage {
    return new CollectionStorage(this.#store.state(this.#client.clusterKey, this.dbName, this.collectionName), this.#ns);
  }

  async #begin(method: string): Promise<void> {
    this.#client.assertOpen();
    const event: OperationEvent = {
      clusterKey: this.#client.clusterKey,
      credentialKey: this.#client.credentialKey,
      db: this.dbName,
      collection: this.collectionName,
      method,
    };
    for (const hook of this.#store.opHooks) await hook(event);
  }

  #beforeWrite(method: string, kind: WriteEvent["kind"]): void {
    const event: WriteEvent = { clusterKey: this.#client.clusterKey, db: this.dbName, collection: this.collectionName, method, kind };
    for (const hook of this.#store.writeHooks) hook(event);
  }

  #matching(filter: Filter<Document> | undefined, options: { collation?: unknown; sort?: unknown } = {}, firstOnly = false): Document[] {
    const state = this.#peek();
    if (!state) {
      query(filter, options.collation); // still validates the filter
      return [];
    }
    const q = query(filter, options.collation);
    const candidates = idCandidates(state, filter, options.collation) ?? state.docs;
    if (firstOnly && !options.sort) {
      const first = candidates.find((d) => q.test(d));
      return first ? [first] : [];
    }
    let docs = candidates.filter((d) => q.test(d));
    if (options.sort) {
      docs = new Aggregator([{ $sort: normalizeSort(options.sort) }], mingoOptions(options.collation)).run<Document>(docs);
    }
    return docs;
  }

  #applyUpdate(doc: Document, update: UpdateFilter<Document> | Document[], filter: Document, options: WriteOptions, inserting: boolean): Document {
    try {
      return this.#applyUpdateRaw(doc, update, filter, options, inserting);
    } catch (error) {
      throw asServerError(error);
    }
  }

  #applyUpdateRaw(doc: Document, update: UpdateFilter<Document> | Document[], filter: Document, options: WriteOptions, inserting: boolean): Document {
    const copy = cloneDoc(doc);
    const config: Record<string, unknown> = { cloneMode: "deep" };
    if (options.arrayFilters) config.arrayFilters = options.arrayFilters;
    if (options.let) config.let = options.let;
    if (isPipeline(update)) {
      const box = [copy];
      mingoUpdateOne(box, {}, update as never, config, mingoOptions(options.collation) as never);
      const result = box[0] as Document;
      return "_id" in result || !("_id" in doc) ? result : withIdFirst(result, doc._id);
    }
    assertOperatorUpdate(update);
    const ops: Document = { ...update };
    if ("$setOnInsert" in ops) {
      if (inserting) ops.$set = { ...(ops.$set as Document | undefined), ...(ops.$setOnInsert as Document) };
      delete ops.$setOnInsert;
    }
    if (Object.keys(ops).length === 0) return copy;
    const box = [copy];
    mingoUpdateOne(box, inserting ? {} : (filter as never), ops as never, config, mingoOptions(options.collation) as never);
    return box[0] as Document;
  }

  #update(method: string, filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options: WriteOptions, many: boolean): UpdateResult<Document> & { before?: Document; after?: Document } {
    if (!isPipeline(update)) assertOperatorUpdate(update);
    const matched = this.#matching(filter, options, !many);
    const targets = many ? matched : matched.slice(0, 1);
    let modified = 0;
    let before: Document | undefined;
    let after: Document | undefined;
    for (const doc of targets) {
      const next = this.#applyUpdate(doc, update, filter, options, false);
      if (valueKey(next._id) !== valueKey(doc._id)) {
        throw serverError(66, "ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      before ??= doc;
      if (valueKey(next) !== valueKey(doc)) {
        this.#beforeWrite(method, "update");
        this.#storage().replace(doc, next);
        modified++;
        after ??= next;
      } else {
        after ??= doc;
      }
    }
    if (targets.length === 0 && safeBool(options.upsert, "upsert")) {
      const seed = equalitySeed(filter);
      let created = this.#applyUpdate(seed, update, {}, options, true);
      created = withIdFirst(created, created._id ?? new ObjectId());
      this.#beforeWrite(method, "insert");
      this.#storage().insert(created);
      return { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 1, upsertedId: cloneValue(created._id) as ObjectId, after: created };
    }
    const result: UpdateResult<Document> & { before?: Document; after?: Document } = {
      acknowledged: true,
      matchedCount: targets.length,
      modifiedCount: modified,
      upsertedCount: 0,
      upsertedId: null,
    };
    if (before) result.before = before;
    if (after) result.after = after;
    return result;
  }

  #replace(method: string, filter: Filter<Document>, replacement: Document, options: WriteOptions): UpdateResult<Document> & { before?: Document; after?: Document } {
    assertReplacement(replacement);
    const [doc] = this.#matching(filter, options, true);
    if (doc) {
      if ("_id" in replacement && valueKey(replacement._id) !== valueKey(doc._id)) {
        throw serverError(66, "ImmutableField", "the _id field cannot be changed by a replacement");
      }
      const next = withIdFirst(cloneDoc(replacement), cloneValue(doc._id));
      const changed = valueKey(next) !== valueKey(doc);
      if (changed) {
        this.#beforeWrite(method, "replace");
        this.#storage().replace(doc, next);
      }
      return { acknowledged: true, matchedCount: 1, modifiedCount: changed ? 1 : 0, upsertedCount: 0, upsertedId: null, before: doc, after: changed ? next : doc };
    }
    if (safeBool(options.upsert, "upsert")) {
      const seedId = equalitySeed(filter)._id as unknown;
      const created = withIdFirst(cloneDoc(replacement), replacement._id ?? seedId ?? new ObjectId());
      this.#beforeWrite(method, "insert");
      this.#storage().insert(created);
      return { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 1, upsertedId: cloneValue(created._id) as ObjectId, after: created };
    }
    return { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null };
  }

  #delete(method: string, filter: Filter<Document>, many: boolean, options: { collation?: unknown; sort?: unknown } = {}): Document[] {
    const matched = this.#matching(filter, options, !many);
    const targets = many ? matched : matched.slice(0, 1);
    for (const doc of targets) {
      this.#beforeWrite(method, "delete");
      this.#storage().remove(doc);
    }
    return targets;
  }

  #insert(method: string, doc: Document): unknown {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw serverError(2, "BadValue", "document must be an object");
    // Like the driver: a missing _id is generated and set on the caller's object.
    if (doc._id === undefined) defineOwn(doc, "_id", new ObjectId());
    const stored = withIdFirst(cloneDoc(doc), cloneValue(doc._id));
    this.#beforeWrite(method, "insert");
    this.#storage().insert(stored);
    return doc._id;
  }

  async insertOne(doc: Document): Promise<InsertOneResult<Document>> {
    await this.#begin("insertOne");
    return { acknowledged: true, insertedId: this.#insert("insertOne", doc) as ObjectId };
  }

  async insertMany(docs: readonly Document[], options: BulkWriteOptions = {}): Promise<InsertManyResult<Document>> {
    await this.#begin("insertMany");
    const insertedIds: Record<number, ObjectId> = {};
    const errors: unknown[] = [];
    for (const [i, doc] of docs.entries()) {
      try {
        insertedIds[i] = this.#insert("insertMany", doc) as ObjectId;
      } catch (error) {
        if (safeBool(options.ordered, "ordered", true)) throw Object.assign(error as Error, { index: i, insertedIds });
        errors.push(Object.assign(error as Error, { index: i }));
      }
    }
    if (errors.length > 0) throw Object.assign(errors[0] as Error, { writeErrors: errors, insertedIds });
    return { acknowledged: true, insertedCount: Object.keys(insertedIds).length, insertedIds };
  }

  find(filter: Filter<Document> = {}, options: FindOptions = {}): BackendFindCursor<Document> {
    return new MemoryFindCursor(async (o) => {
      await this.#begin("find");
      const skip = count(o.skip, "skip", false);
      const limit = count(o.limit, "limit", true);
      let docs = this.#matching(filter, { collation: options.collation, sort: o.sort });
      if (skip) docs = docs.slice(skip);
      if (limit) docs = docs.slice(0, limit);
      return project(docs, o.projection).map(cloneDoc);
    }, options);
  }

  async findOne(filter: Filter<Document> = {}, options: FindOptions = {}): Promise<Document | null> {
    const [doc] = await this.find(filter, { ...options, limit: 1 }).toArray();
    return doc ?? null;
  }

  async updateOne(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options: UpdateOptions = {}): Promise<UpdateResult<Document>> {
    await this.#begin("updateOne");
    return strip(this.#update("updateOne", filter, update, options, false));
  }

  async updateMany(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options: UpdateOptions = {}): Promise<UpdateResult<Document>> {
    await this.#begin("updateMany");
    return strip(this.#update("updateMany", filter, update, options, true));
  }

  async replaceOne(filter: Filter<Document>, replacement: Document, options: ReplaceOptions = {}): Promise<UpdateResult<Document>> {
    await this.#begin("replaceOne");
    return strip(this.#replace("replaceOne", filter, replacement, options));
  }

  async deleteOne(filter: Filter<Document> = {}, options: { collation?: unknown } = {}): Promise<DeleteResult> {
    await this.#begin("deleteOne");
    return { acknowledged: true, deletedCount: this.#delete("deleteOne", filter, false, options).length };
  }

  async deleteMany(filter: Filter<Document> = {}, options: { collation?: unknown } = {}): Promise<DeleteResult> {
    await this.#begin("deleteMany");
    return { acknowledged: true, deletedCount: this.#delete("deleteMany", filter, true, options).length };
  }

  async countDocuments(filter: Filter<Document> = {}, options: CountDocumentsOptions = {}): Promise<number> {
    await this.#begin("countDocuments");
    const skip = count(options.skip, "skip", false);
    const limit = count(options.limit, "limit", false);
    let docs = this.#matching(filter, options);
    if (skip) docs = docs.slice(skip);
    if (limit) docs = docs.slice(0, limit);
    return docs.length;
  }

  async distinct(key: string, filter: Filter<Document> = {}, options: DistinctOptions = {}): Promise<unknown[]> {
    await this.#begin("distinct");
    const seen = new Map<string, unknown>();
    for (const doc of this.#matching(filter, options)) {
      for (const value of valuesAtPath(doc, key)) {
        for (const v of Array.isArray(value) ? value : [value]) {
          const k = valueKey(v);
          if (!seen.has(k)) seen.set(k, cloneValue(v));
        }
      }
    }
    return [...seen.values()];
  }

  aggregate(pipeline: Document[] = [], options: AggregateOptions = {}): BackendCursor<Document> {
    return this.#aggregateCursor(pipeline, options);
  }

  #aggregateCursor(pipeline: Document[], options: AggregateOptions): BackendCursor<Document> {
    let result: Document[] = [];
    const cursor = new MemoryCursor<Document>(() => result);
    const toArray = cursor.toArray.bind(cursor);
    cursor.toArray = async () => {
      await this.#begin("aggregate");
      if (!Array.isArray(pipeline)) throw serverError(14, "TypeMismatch", "pipeline must be an array");
      for (const stage of pipeline) {
        const op = Object.keys(stage ?? {})[0];
        if (op === "$out" || op === "$merge") {
          throw new MemoryBackendUnsupportedError(op, `the memory backend does not support ${op} (it writes outside the collection)`);
        }
      }
      // A leading $match (always there behind the resolver) filters before cloning, as an index would on a server.
      let stages = pipeline;
      let docs = this.#peek()?.docs ?? [];
      const head = stages[0];
      if (head && Object.keys(head).length === 1 && head.$match && typeof head.$match === "object") {
        const q = query(head.$match as Filter<Document>, options.collation);
        docs = (idCandidates({ docs, indexes: this.#peek()?.indexes ?? [] }, head.$match as Filter<Document>, options.collation) ?? docs).filter((d) => q.test(d));
        stages = stages.slice(1);
      }
      const source = docs.map(cloneDoc);
      const resolver = (name: string): Document[] =>
        (this.#store.peek(this.#client.clusterKey, this.dbName, name)?.docs ?? []).map(cloneDoc);
      const aggregator = new Aggregator(stages.flatMap((stage) => lowerSample(lowerLookup(stage))), { ...mingoOptions(options.collation, options.let), collectionResolver: resolver });
      result = aggregator.run<Document>(source).map(cloneDoc);
      return toArray();
    };
    return cursor;
  }

  async findOneAndUpdate(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options: FindOneAndUpdateOptions = {}): Promise<Document | null> {
    await this.#begin("findOneAndUpdate");
    const result = this.#update("findOneAndUpdate", filter, update, options, false);
    const doc = options.returnDocument === "after" ? result.after : result.upsertedCount ? undefined : result.before;
    return finish(doc, options);
  }

  async findOneAndReplace(filter: Filter<Document>, replacement: Document, options: FindOneAndReplaceOptions = {}): Promise<Document | null> {
    await this.#begin("findOneAndReplace");
    const result = this.#replace("findOneAndReplace", filter, replacement, options);
    const doc = options.returnDocument === "after" ? result.after : result.upsertedCount ? undefined : result.before;
    return finish(doc, options);
  }

  async findOneAndDelete(filter: Filter<Document>, options: FindOneAndDeleteOptions = {}): Promise<Document | null> {
    await this.#begin("findOneAndDelete");
    const [doc] = this.#delete("findOneAndDelete", filter, false, options);
    return finish(doc, options);
  }

  async bulkWrite(operations: readonly AnyBulkWriteOperation<Document>[], options: BulkWriteOptions = {}): Promise<BulkWriteResult> {
    await this.#begin("bulkWrite");
    const raw: RawBulk = { ok: 1, nInserted: 0, nMatched: 0, nModified: 0, nRemoved: 0, upserted: [] as { index: number; _id: unknown }[], insertedIds: [] as { index: number; _id: unknown }[], writeErrors: [] as unknown[], writeConcernErrors: [] };
    const ordered = safeBool(options.ordered, "ordered", true);
    for (const [index, op] of operations.entries()) {
      try {
        this.#bulkOne(op, index, raw);
      } catch (error) {
        if (ordered) throw Object.assign(error as Error, { index, result: makeBulkResult(raw, ordered) });
        raw.writeErrors.push(Object.assign(error as Error, { index }));
      }
    }
    if (raw.writeErrors.length > 0) throw Object.assign(raw.writeErrors[0] as Error, { writeErrors: raw.writeErrors, result: makeBulkResult(raw, ordered) });
    return makeBulkResult(raw, ordered);
  }

  #bulkOne(op: Document, index: number, raw: { nInserted: number; nMatched: number; nModified: number; nRemoved: number; upserted: { index: number; _id: unknown }[]; insertedIds: { index: number; _id: unknown }[] }): void {
    const [name, args] = Object.entries(op)[0] ?? [];
    const a = (args ?? {}) as Document;
    const count = (r: UpdateResult<Document>): void => {
      raw.nMatched += r.matchedCount;
      raw.nModified += r.modifiedCount;
      if (r.upsertedCount) raw.upserted.push({ index, _id: r.upsertedId });
    };
    switch (name) {
      case "insertOne":
        raw.insertedIds.push({ index, _id: this.#insert("bulkWrite", a.document as Document) });
        raw.nInserted++;
        return;
      case "updateOne":
      case "updateMany":
        count(this.#update("bulkWrite", a.filter as Document, a.update as Document, a, name === "updateMany"));
        return;
      case "replaceOne":
        count(this.#replace("bulkWrite", a.filter as Document, a.replacement as Document, a));
        return;
      case "deleteOne":
      case "deleteMany":
        raw.nRemoved += this.#delete("bulkWrite", a.filter as Document, name === "deleteMany", a).length;
        return;
      default:
        throw serverError(9, "FailedToParse", `unknown bulkWrite operation ${String(name)}`);
    }
  }

  async createIndex(keys: IndexSpecification, options: CreateIndexesOptions = {}): Promise<string> {
    await this.#begin("createIndex");
    const key = normalizeIndexSpec(keys);
    const name = options.name ?? defaultIndexName(key);
    const state = this.#store.state(this.#client.clusterKey, this.dbName, this.collectionName);
    // An index is its name; two indexes may share a key pattern when their partial filters differ (MongoDB 3.2+,
    // https://www.mongodb.com/docs/manual/core/index-partial/), never under two names with the same filter.
    const partial = options.partialFilterExpression ? valueKey(options.partialFilterExpression) : "";
    const same = (d: IndexDef): boolean => valueKey(d.key) === valueKey(key) && (d.partialFilterExpression ? valueKey(d.partialFilterExpression) : "") === partial;
    const existing = state.indexes.find((d) => d.name === name) ?? state.indexes.find(same);
    if (existing) {
      if (existing.name !== name) throw serverError(85, "IndexOptionsConflict", `Index already exists with a different name: ${existing.name}`);
      if (!same(existing)) throw serverError(86, "IndexKeySpecsConflict", `An existing index has the same name as the requested index: ${name}`);
      if (existing.unique !== safeBool(options.unique, "unique") || existing.expireAfterSeconds !== options.expireAfterSeconds) throw serverError(85, "IndexOptionsConflict", `index ${name} exists with different options`);
      return name;
    }
    const def: IndexDef = { name, key, unique: safeBool(options.unique, "unique"), sparse: safeBool(options.sparse, "sparse") };
    if (options.partialFilterExpression) def.partialFilterExpression = options.partialFilterExpression;
    if (options.expireAfterSeconds !== undefined) def.expireAfterSeconds = options.expireAfterSeconds;
    this.#beforeWrite("createIndex", "index");
    this.#storage().createIndex(def);
    return name;
  }

  listIndexes(): BackendCursor<Document> {
    return new MemoryCursor(() => {
      this.#client.assertOpen();
      return (this.#peek()?.indexes ?? []).map((d) => {
        const info: Document = { v: 2, key: cloneValue(d.key), name: d.name };
        if (d.unique && d.name !== "_id_") info.unique = true;
        if (d.sparse) info.sparse = true;
        if (d.partialFilterExpression) info.partialFilterExpression = cloneValue(d.partialFilterExpression);
        if (d.expireAfterSeconds !== undefined) info.expireAfterSeconds = d.expireAfterSeconds;
        return info;
      });
    });
  }

  watch(): ChangeStream<Document> {
    throw new MemoryBackendUnsupportedError("watch", "the memory backend does not support change streams (watch); run this test against a real replica set with MONGODB_URI");
  }

  // ---- Collection administration (`tenantry collections apply`, issue 13): kept apart from the data methods above.

  async dropIndex(indexName: string): Promise<Document> {
    await this.#begin("dropIndex");
    const state = this.#peek();
    if (!state) throw serverError(26, "NamespaceNotFound", `ns not found ${this.#ns}`);
    if (indexName === "_id_") throw serverError(72, "InvalidOptions", "cannot drop _id index");
    const at = state.indexes.findIndex((d) => d.name === indexName);
    if (at < 0) throw serverError(27, "IndexNotFound", `index not found with name [${indexName}]`);
    state.indexes.splice(at, 1);
    return { ok: 1 };
  }
}

/**
 * `$lookup` with both localField/foreignField and a pipeline (MongoDB 5.0+): mingo ignores the fields when a pipeline is
 * present, so the equality join becomes a leading `$expr` match (array values match by any element, as in MongoDB).
 */
function lowerLookup(stage: Document): Document {
  if (!stage || typeof stage !== "object") return stage;
  if (stage.$facet && typeof stage.$facet === "object") {
    return { $facet: Object.fromEntries(Object.entries(stage.$facet as Document).map(([k, v]) => [k, Array.isArray(v) ? v.map(lowerLookup) : v])) };
  }
  if (stage.$unionWith && typeof stage.$unionWith === "object" && Array.isArray((stage.$unionWith as Document).pipeline)) {
    const u = stage.$unionWith as Document;
    return { $unionWith: { ...u, pipeline: (u.pipeline as Document[]).map(lowerLookup) } };
  }
  const lookup = stage.$lookup as Document | undefined;
  if (!lookup || !Array.isArray(lookup.pipeline)) return stage;
  const sub = (lookup.pipeline as Document[]).map(lowerLookup);
  if (typeof lookup.localField !== "string" || typeof lookup.foreignField !== "string") return { $lookup: { ...lookup, pipeline: sub } };
  const { localField, foreignField, ...rest } = lookup;
  const asArray = (expr: string): Document => ({ $cond: [{ $isArray: expr }, expr, [{ $ifNull: [expr, null] }]] });
  const variable = "tenantryLocalField";
  const match = { $match: { $expr: { $gt: [{ $size: { $setIntersection: [asArray(`$$${variable}`), asArray(`$${foreignField}`)] } }, 0] } } };
  return { $lookup: { ...rest, let: { ...(rest.let as Document | undefined), [variable]: `$${localField}` }, pipeline: [match, ...sub] } };
}

/**
 * `$sample` as the server runs it: `size` distinct documents (all of them when fewer), never one twice — mingo's own
 * draws with replacement. A random key, a sort and a limit. https://www.mongodb.com/docs/manual/reference/operator/aggregation/sample/
 */
function lowerSample(stage: Document): Document[] {
  if (!stage || typeof stage !== "object" || !("$sample" in stage)) return [stage];
  const args = stage.$sample as unknown;
  const size = args && typeof args === "object" ? (args as Document).size : undefined;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) throw serverError(28747, "Location28747", "size argument to $sample must be a non-negative integer");
  if (Object.keys(args as Document).length !== 1) throw serverError(28748, "Location28748", "unrecognized option to $sample");
  const key = "__tenantrySampleKey";
  return [{ $set: { [key]: { $rand: {} } } }, { $sort: { [key]: 1 } }, { $limit: Math.max(size, 1) }, ...(size === 0 ? [{ $match: { $expr: false } }] : []), { $unset: key }];
}

/** Mingo's own errors become server-shaped errors, as the server would have answered. */
function asServerError(error: unknown): unknown {
  if (!(error instanceof Error) || error.constructor.name !== "MingoError") return error;
  if (/_id/.test(error.message) && /immutable/i.test(error.message)) return serverError(66, "ImmutableField", error.message);
  return serverError(2, "BadValue", error.message);
}

function strip(result: UpdateResult<Document> & { before?: Document; after?: Document }): UpdateResult<Document> {
  const { before: _b, after: _a, ...rest } = result;
  return rest;
}

function finish(doc: Document | undefined, options: { projection?: Document; includeResultMetadata?: boolean }): Document | null {
  const out = doc ? (project([doc], options.projection)[0] ?? null) : null;
  const value = out ? cloneDoc(out) : null;
  if (safeBool(options.includeResultMetadata, "includeResultMetadata")) return { value, ok: 1, lastErrorObject: { n: value ? 1 : 0 } };
  return value;
}

type RawBulk = { ok: number; nInserted: number; nMatched: number; nModified: number; nRemoved: number; upserted: { index: number; _id: unknown }[]; insertedIds: { index: number; _id: unknown }[]; writeErrors: unknown[]; writeConcernErrors: unknown[] };

function makeBulkResult(raw: RawBulk, ordered: boolean): BulkWriteResult {
  // The driver's class is not exported and its constructor is internal; building it (pinned driver) keeps its methods.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const common = require("mongodb/lib/bulk/common") as { BulkWriteResult?: new (raw: RawBulk, ordered: boolean) => BulkWriteResult };
  if (typeof common.BulkWriteResult === "function") return new common.BulkWriteResult(raw, ordered);
  throw new MemoryBackendUnsupportedError("bulkWrite", "cannot build the driver's BulkWriteResult (driver layout changed)");
}

class MemoryDb implements BackendDb {
  constructor(
    private readonly store: MemoryStore,
    private readonly client: MemoryClient,
    readonly databaseName: string,
  ) {}
  collection(name: string): BackendCollection {
    return new MemoryCollection(this.store, this.client, this.databaseName, name);
  }

  // ---- Collection administration (`tenantry collections apply`, issue 13). Validators are recorded and listed like
  // the server's, never enforced: test validation itself against a real server.

  async createCollection(name: string, options: Document = {}): Promise<BackendCollection> {
    this.client.assertOpen();
    await Promise.resolve();
    if (this.store.peek(this.client.clusterKey, this.databaseName, name)) throw serverError(48, "NamespaceExists", `Collection ${this.databaseName}.${name} already exists.`);
    const state = this.store.state(this.client.clusterKey, this.databaseName, name);
    const recorded = validationOptions(options);
    if (Object.keys(recorded).length > 0) state.options = recorded;
    return this.collection(name);
  }

  listCollections(filter: Document = {}): BackendCursor<Document> {
    return new MemoryCursor(() => {
      this.client.assertOpen();
      const colls = this.store.clusters.get(this.client.clusterKey)?.get(this.databaseName) ?? new Map<string, CollectionState>();
      const infos = [...colls.entries()].map(([name, state]) => ({ name, type: "collection", options: cloneValue(state.options ?? {}) }));
      return new Query(filter, MINGO_OPTIONS).find<Document>(infos).all();
    });
  }

  async command(command: Document): Promise<Document> {
    this.client.assertOpen();
    await Promise.resolve();
    const name = Object.keys(command)[0];
    if (name !== "collMod") throw new MemoryBackendUnsupportedError(`command ${String(name)}`, `the memory backend runs only the collMod command, not ${String(name)}`);
    const state = this.store.peek(this.client.clusterKey, this.databaseName, String(command.collMod));
    if (!state) throw serverError(26, "NamespaceNotFound", `ns does not exist: ${this.databaseName}.${String(command.collMod)}`);
    const index = command.index as { name?: string; expireAfterSeconds?: number } | undefined;
    if (index) {
      const def = state.indexes.find((d) => d.name === index.name);
      if (!def) throw serverError(27, "IndexNotFound", `cannot find index ${String(index.name)}`);
      if (def.expireAfterSeconds === undefined) throw serverError(72, "InvalidOptions", "no expireAfterSeconds field to update");
      if (index.expireAfterSeconds !== undefined) def.expireAfterSeconds = index.expireAfterSeconds;
    }
    const changed = validationOptions(command);
    if (Object.keys(changed).length > 0) state.options = { ...state.options, ...changed };
    return { ok: 1 };
  }
}

/** The validation options of a create / collMod command (an empty validator `{}` removes validation, as on the server). */
function validationOptions(options: Document): Document {
  const out: Document = {};
  for (const key of ["validator", "validationLevel", "validationAction"]) if (options[key] !== undefined) out[key] = cloneValue(options[key] as unknown);
  return out;
}

class MemoryClient implements BackendClient {
  readonly clusterKey: string;
  readonly credentialKey: string;
  readonly #store: MemoryStore;
  readonly #info: MemoryClientInfo;

  constructor(store: MemoryStore, target: ConnectTarget) {
    this.#store = store;
    this.clusterKey = target.clusterKey;
    this.credentialKey = target.credentialKey;
    this.#info = { clusterKey: target.clusterKey, credentialKey: target.credentialKey, closed: false };
    store.clients.push(this.#info);
  }

  assertOpen(): void {
    if (this.#info.closed) throw new MemoryClientClosedError(this.clusterKey);
  }

  db(name: string): BackendDb {
    this.assertOpen();
    return new MemoryDb(this.#store, this, name);
  }

  async close(): Promise<void> {
    this.#info.closed = true;
    await Promise.resolve();
  }
}

/** A fresh in-memory backend; pass it as `createResolver({ map, connector: memoryConnector() })`. Needs no credentials. */
export function memoryConnector(): MemoryConnector {
  const store = new MemoryStore();
  const connector: MemoryConnector = {
    needsCredentials: false,
    async connect(target: ConnectTarget): Promise<BackendClient> {
      await Promise.resolve();
      store.connects++;
      return new MemoryClient(store, target);
    },
    raw(clusterKey, db, collection) {
      return (store.peek(clusterKey, db, collection)?.docs ?? []).map(cloneDoc);
    },
    seed(clusterKey, db, collection, docs) {
      const storage = new CollectionStorage(store.state(clusterKey, db, collection), `${db}.${collection}`);
      for (const doc of docs) storage.insert(withIdFirst(cloneDoc(doc), cloneValue(doc._id) ?? new ObjectId()));
    },
    collectionNames(clusterKey, db) {
      return [...(store.clusters.get(clusterKey)?.get(db)?.keys() ?? [])].sort();
    },
    databaseNames(clusterKey) {
      return [...(store.clusters.get(clusterKey)?.keys() ?? [])].sort();
    },
    drop(clusterKey, db, collection) {
      store.clusters.get(clusterKey)?.get(db)?.delete(collection);
    },
    clients() {
      return store.clients.map((c) => ({ ...c }));
    },
    stats() {
      return { connects: store.connects, open: store.clients.filter((c) => !c.closed).length };
    },
    failWrite({ nth, where = {}, times = 1, error }) {
      let seen = 0;
      const hook = (event: WriteEvent): void => {
        const matches = (Object.keys(where) as (keyof WriteMatcher)[]).every((k) => where[k] === undefined || where[k] === event[k]);
        if (!matches) return;
        seen++;
        if (seen >= nth && seen < nth + times) throw error ? error() : new InjectedFaultError(seen);
      };
      return connector.onWrite(hook);
    },
    onWrite(hook) {
      const hooks = store.writeHooks;
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    onOperation(hook) {
      const hooks = store.opHooks;
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    reset() {
      // Cleared in place: clients opened before the reset see the empty store too.
      store.clusters.clear();
      store.clients.length = 0;
      store.connects = 0;
      store.writeHooks.clear();
      store.opHooks.clear();
    },
  };
  return connector;
}
