// Wire capture: the command documents a backend is sent, as BSON on the wire carries them, for both test backends.
//
// Real server: the driver's command monitoring (`monitorCommands: true`, `commandStarted`,
// https://www.mongodb.com/docs/drivers/node/current/monitoring-and-logging/monitoring/#command-events). Memory backend:
// each collection call is turned into the command document the driver would build for it. Both are then serialised
// with `bson` exactly as the driver's OP_MSG does (checkKeys false, serializeFunctions false, ignoreUndefined false:
// node_modules/mongodb/lib/cmap/commands.js) and deserialised with the driver's reply defaults, so assertions see
// what the server sees: functions dropped, `toBSON` applied, undefined as null, Maps as documents.
import { BSON } from "bson";
import type { Document } from "bson";
import type { CommandStartedEvent, MongoClient } from "mongodb";
import type { BackendClient, BackendCollection, BackendDb, Connector } from "../../packages/contract/src/backend/types";

/** One command as the backend received it, before the wire round trip. */
export interface RawCommand {
  commandName: string;
  databaseName: string;
  command: Document;
  /** The per-operation `serializeFunctions` the driver would honour (the guard refuses it; kept to be faithful). */
  serializeFunctions: boolean;
}

/** Where a backend publishes the commands it is sent; `wireCapture` subscribes. */
export interface WireTap {
  subscribe(listener: (command: RawCommand) => void): () => void;
}

/** One kind of update the server is asked to apply. */
export interface WireUpdate {
  /** The update's filter (`q` / `query`). */
  filter: Document;
  kind: "operators" | "replacement" | "pipeline";
  /** The operator document, the replacement, or the pipeline's stages. */
  update: Document | Document[];
  upsert: boolean;
  multi: boolean;
}

/** A command after the wire round trip, with the parts isolation assertions look at pulled out. */
export interface WireCommand {
  /** `find`, `aggregate`, `insert`, `update`, `delete`, `findAndModify`, `distinct`, `createIndexes`, `getMore`... */
  commandName: string;
  database: string;
  /** The collection the command names (`find: "users"`), undefined for commands on no collection. */
  collection: string | undefined;
  /** The whole command, without session and cluster fields (`lsid`, `$clusterTime`, `txnNumber`, `$db`, ...). */
  command: Document;
  /** Every query filter: find `filter`, distinct/count `query`, update/delete `q`, findAndModify `query`. */
  filters: Document[];
  /** Every pipeline: aggregate `pipeline` (change streams included) and pipeline-style updates. */
  pipelines: Document[][];
  /** Every update: update statements and findAndModify (not removes). */
  updates: WireUpdate[];
  /** Documents to insert (`insert.documents`). */
  documents: Document[];
  /** For change streams: the aggregate's first stage is `$changeStream`. */
  changeStream: boolean;
}

export interface WireCapture {
  /** Commands captured so far, in order sent; optionally only those on `collection` or with `commandName`. */
  commands(where?: { collection?: string; commandName?: string }): WireCommand[];
  /** Forgets what was captured. */
  clear(): void;
  /** Stops capturing (captured commands stay readable). */
  stop(): void;
}

/** Fields the driver adds to every command that say nothing about which documents it touches. */
const SESSION_FIELDS = ["lsid", "$clusterTime", "txnNumber", "$db", "$readPreference", "autocommit", "startTransaction", "apiVersion", "apiStrict", "apiDeprecationErrors"];

/** Commands the capture ignores: connection handshakes, monitoring, auth. */
const IGNORED = new Set(["hello", "isMaster", "ismaster", "ping", "saslStart", "saslContinue", "endSessions", "buildInfo", "getParameter", "killCursors"]);

/** The BSON round trip of one command, with the driver's serialise options and its reply-deserialise defaults. */
export function onTheWire(command: Document, serializeFunctions = false): Document {
  const bytes = BSON.serialize(command, { checkKeys: false, serializeFunctions, ignoreUndefined: false });
  return BSON.deserialize(bytes, { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false });
}

const asDocs = (value: unknown): Document[] => (Array.isArray(value) ? (value as Document[]) : []);
const isPipeline = (value: unknown): value is Document[] => Array.isArray(value);
function updateKind(u: unknown): WireUpdate["kind"] {
  if (isPipeline(u)) return "pipeline";
  return Object.keys((u ?? {})).some((k) => k.startsWith("$")) ? "operators" : "replacement";
}

/** Pulls the filters, pipelines, updates and documents out of a command as the driver shapes it. */
export function normalise(raw: RawCommand): WireCommand {
  const wire = onTheWire(raw.command, raw.serializeFunctions);
  for (const field of SESSION_FIELDS) delete wire[field];
  const name = raw.commandName;
  const target = wire[name] as unknown;
  const out: WireCommand = {
    commandName: name,
    database: raw.databaseName,
    collection: typeof target === "string" ? target : undefined,
    command: wire,
    filters: [],
    pipelines: [],
    updates: [],
    documents: [],
    changeStream: false,
  };
  switch (name) {
    case "find":
      out.filters.push((wire.filter as Document | undefined) ?? {});
      break;
    case "count":
    case "distinct":
      out.filters.push((wire.query as Document | undefined) ?? {});
      break;
    case "aggregate": {
      const pipeline = asDocs(wire.pipeline);
      out.pipelines.push(pipeline);
      out.changeStream = pipeline[0] !== undefined && "$changeStream" in pipeline[0];
      break;
    }
    case "insert":
      out.documents.push(...asDocs(wire.documents));
      break;
    case "delete":
      for (const d of asDocs(wire.deletes)) out.filters.push((d.q as Document | undefined) ?? {});
      break;
    case "update":
      for (const s of asDocs(wire.updates)) {
        const filter = (s.q as Document | undefined) ?? {};
        out.filters.push(filter);
        if (isPipeline(s.u)) out.pipelines.push(s.u);
        out.updates.push({ filter, kind: updateKind(s.u), update: s.u as Document, upsert: s.upsert === true, multi: s.multi === true });
      }
      break;
    case "findAndModify": {
      const filter = (wire.query as Document | undefined) ?? {};
      out.filters.push(filter);
      if (wire.remove !== true && wire.update !== undefined) {
        if (isPipeline(wire.update)) out.pipelines.push(wire.update);
        out.updates.push({ filter, kind: updateKind(wire.update), update: wire.update as Document, upsert: wire.upsert === true, multi: false });
      }
      break;
    }
    default:
      break;
  }
  return out;
}

/** Captures what `backend` is sent from now on. Works for both test backends (see `TestBackend.wire`). */
export function wireCapture(backend: { readonly wire: WireTap }): WireCapture {
  let captured: WireCommand[] = [];
  const unsubscribe = backend.wire.subscribe((raw) => {
    if (!IGNORED.has(raw.commandName)) captured.push(normalise(raw));
  });
  return {
    commands: (where = {}) =>
      captured.filter((c) => (where.collection === undefined || c.collection === where.collection) && (where.commandName === undefined || c.commandName === where.commandName)),
    clear: () => {
      captured = [];
    },
    stop: unsubscribe,
  };
}

/** A tap with its publishing side. */
export function wireTap(): WireTap & { publish(command: () => RawCommand): void } {
  const listeners = new Set<(command: RawCommand) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(command) {
      // Built only while someone listens: the memory backend's hot paths pay nothing otherwise.
      if (listeners.size === 0) return;
      const raw = command();
      for (const listener of listeners) listener(raw);
    },
  };
}

/** Wraps a connector of real driver clients so every client publishes its `commandStarted` events to `tap`. */
export function monitoredConnector(inner: Connector, tap: ReturnType<typeof wireTap>): Connector {
  return {
    needsCredentials: inner.needsCredentials,
    async connect(target) {
      const client = await inner.connect(target);
      (client as unknown as MongoClient).on("commandStarted", (event: CommandStartedEvent) => {
        tap.publish(() => ({ commandName: event.commandName, databaseName: event.databaseName, command: event.command, serializeFunctions: false }));
      });
      return client;
    },
  };
}

/** The default index name the driver gives a key pattern (`a_1_b_-1`). */
function indexName(keys: Document): string {
  return Object.entries(keys)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join("_");
}

/** Copies the options a command carries as-is (everything the driver passes through under the same name). */
function passThrough(options: Document | undefined, skip: readonly string[]): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined && !skip.includes(k)) out[k] = v;
  return out;
}

/** The update statement the driver builds for updateOne/updateMany/replaceOne (and their bulkWrite forms). */
// Mirrors makeUpdateStatement in node_modules/mongodb/lib/operations/update.js.
function updateStatement(filter: Document, u: unknown, options: Document, multi: boolean): Document {
  const s: Document = { q: filter, u };
  if (typeof options.upsert === "boolean") s.upsert = options.upsert;
  if (multi) s.multi = true;
  for (const k of ["hint", "arrayFilters", "collation"]) if (options[k]) s[k] = options[k];
  if (!multi && options.sort != null) s.sort = options.sort;
  return s;
}

// Mirrors makeDeleteStatement in node_modules/mongodb/lib/operations/delete.js.
function deleteStatement(filter: Document, options: Document, many: boolean): Document {
  const s: Document = { q: filter, limit: many ? 0 : 1 };
  for (const k of ["collation", "hint"]) if (options[k]) s[k] = options[k];
  return s;
}

const WRITE_OPTION_SKIP = ["ordered", "upsert", "arrayFilters", "collation", "hint", "sort", "serializeFunctions", "session"];

/** The commands an ordered bulkWrite becomes: consecutive operations of one kind go in one command (driver batching). */
function bulkCommands(coll: string, operations: readonly Document[], options: Document): { name: string; command: Document }[] {
  const out: { name: string; command: Document }[] = [];
  const ordered = options.ordered !== false;
  const base = { ordered, ...passThrough(options, WRITE_OPTION_SKIP) };
  const add = (name: "insert" | "update" | "delete", field: "documents" | "updates" | "deletes", item: Document): void => {
    const last = out[out.length - 1];
    if (last && last.name === name) (last.command[field] as Document[]).push(item);
    else out.push({ name, command: { [name]: coll, [field]: [item], ...base } });
  };
  for (const op of operations) {
    const [kind, args] = Object.entries(op)[0] as [string, Document];
    if (kind === "insertOne") add("insert", "documents", args.document as Document);
    else if (kind === "updateOne" || kind === "updateMany") add("update", "updates", updateStatement(args.filter as Document, args.update, args, kind === "updateMany"));
    else if (kind === "replaceOne") add("update", "updates", updateStatement(args.filter as Document, args.replacement, args, false));
    else if (kind === "deleteOne" || kind === "deleteMany") add("delete", "deletes", deleteStatement(args.filter as Document, args, kind === "deleteMany"));
  }
  return out;
}

/** A memory collection that publishes the driver's command document for every call before running it. */
function recordingCollection(inner: BackendCollection, tap: ReturnType<typeof wireTap>): BackendCollection {
  const coll = inner.collectionName;
  const db = inner.dbName;
  const emit = (commandName: string, command: () => Document, options?: Document): void =>
    tap.publish(() => ({ commandName, databaseName: db, command: command(), serializeFunctions: options?.serializeFunctions === true }));
  const findCommand = (filter: Document, options: Document | undefined, extra: Document = {}): Document => {
    const o = passThrough(options, ["session", "serializeFunctions"]);
    return { find: coll, filter, ...o, ...extra };
  };
  // Mirrors FindAndModifyOperation.buildCommandDocument in node_modules/mongodb/lib/operations/find_and_modify.js.
  const findAndModify = (filter: Document, options: Document | undefined, kind: "update" | "replace" | "remove", update?: unknown): Document => {
    const o = options ?? {};
    const cmd: Document = { findAndModify: coll, query: filter, remove: false, new: false, upsert: false };
    if (o.sort) cmd.sort = o.sort;
    if (o.projection) cmd.fields = o.projection;
    for (const k of ["maxTimeMS", "writeConcern", "let", "collation", "hint"]) if (o[k]) cmd[k] = o[k];
    if (o.comment !== undefined) cmd.comment = o.comment;
    if (kind === "remove") {
      cmd.remove = true;
      return cmd;
    }
    cmd.update = update;
    cmd.new = o.returnDocument === "after";
    cmd.upsert = o.upsert === true;
    if (o.bypassDocumentValidation === true) cmd.bypassDocumentValidation = true;
    if (kind === "update" && o.arrayFilters) cmd.arrayFilters = o.arrayFilters;
    return cmd;
  };
  return {
    collectionName: coll,
    dbName: db,
    insertOne: (doc, options) => {
      emit("insert", () => ({ insert: coll, documents: [doc], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.insertOne(doc, options);
    },
    insertMany: (docs, options) => {
      emit("insert", () => ({ insert: coll, documents: [...docs], ordered: options?.ordered !== false, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.insertMany(docs, options);
    },
    find: (filter, options) => {
      emit("find", () => findCommand(filter, options), options);
      return inner.find(filter, options);
    },
    findOne: (filter, options) => {
      emit("find", () => findCommand(filter, options, { limit: 1, singleBatch: true }), options);
      return inner.findOne(filter, options);
    },
    updateOne: (filter, update, options) => {
      emit("update", () => ({ update: coll, updates: [updateStatement(filter, update, options ?? {}, false)], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.updateOne(filter, update, options);
    },
    updateMany: (filter, update, options) => {
      emit("update", () => ({ update: coll, updates: [updateStatement(filter, update, options ?? {}, true)], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.updateMany(filter, update, options);
    },
    replaceOne: (filter, replacement, options) => {
      emit("update", () => ({ update: coll, updates: [updateStatement(filter, replacement, options ?? {}, false)], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.replaceOne(filter, replacement, options);
    },
    deleteOne: (filter, options) => {
      emit("delete", () => ({ delete: coll, deletes: [deleteStatement(filter, options ?? {}, false)], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.deleteOne(filter, options);
    },
    deleteMany: (filter, options) => {
      emit("delete", () => ({ delete: coll, deletes: [deleteStatement(filter, options ?? {}, true)], ordered: true, ...passThrough(options, WRITE_OPTION_SKIP) }), options);
      return inner.deleteMany(filter, options);
    },
    countDocuments: (filter, options) => {
      // The driver counts with an aggregation (node_modules/mongodb/lib/operations/count_documents.js).
      emit("aggregate", () => {
        const pipeline: Document[] = [{ $match: filter }];
        if (typeof options?.skip === "number") pipeline.push({ $skip: options.skip });
        if (typeof options?.limit === "number") pipeline.push({ $limit: options.limit });
        pipeline.push({ $group: { _id: 1, n: { $sum: 1 } } });
        return { aggregate: coll, pipeline, cursor: {}, ...passThrough(options, ["skip", "limit", "session"]) };
      }, options);
      return inner.countDocuments(filter, options);
    },
    distinct: (key, filter, options) => {
      emit("distinct", () => ({ distinct: coll, key, query: filter, ...passThrough(options, ["session"]) }), options);
      return inner.distinct(key, filter, options);
    },
    aggregate: (pipeline, options) => {
      emit("aggregate", () => ({ aggregate: coll, pipeline, cursor: {}, ...passThrough(options, ["session", "serializeFunctions"]) }), options);
      return inner.aggregate(pipeline, options);
    },
    findOneAndUpdate: (filter, update, options) => {
      emit("findAndModify", () => findAndModify(filter, options, "update", update), options);
      return inner.findOneAndUpdate(filter, update, options);
    },
    findOneAndReplace: (filter, replacement, options) => {
      emit("findAndModify", () => findAndModify(filter, options, "replace", replacement), options);
      return inner.findOneAndReplace(filter, replacement, options);
    },
    findOneAndDelete: (filter, options) => {
      emit("findAndModify", () => findAndModify(filter, options, "remove"), options);
      return inner.findOneAndDelete(filter, options);
    },
    bulkWrite: (operations, options) => {
      for (const { name, command } of bulkCommands(coll, operations, options ?? {})) emit(name, () => command, options);
      return inner.bulkWrite(operations, options);
    },
    createIndex: (keys, options) => {
      emit("createIndexes", () => {
        const key = keys as Document;
        return { createIndexes: coll, indexes: [{ ...passThrough(options, ["session"]), key, name: (options?.name) ?? indexName(key) }] };
      }, options);
      return inner.createIndex(keys, options);
    },
    listIndexes: () => {
      emit("listIndexes", () => ({ listIndexes: coll, cursor: {} }));
      return inner.listIndexes();
    },
    watch: (pipeline, options) => {
      emit("aggregate", () => ({ aggregate: coll, pipeline: [{ $changeStream: passThrough(options, ["session"]) }, ...(pipeline ?? [])], cursor: {} }), options);
      return inner.watch(pipeline, options);
    },
    // Collection administration (collections apply): recorded as the driver's commands, passed through unchanged.
    dropIndex: (indexName) => {
      emit("dropIndexes", () => ({ dropIndexes: coll, index: indexName }));
      return inner.dropIndex(indexName);
    },
  };
}

/** Wraps a memory connector so every collection call publishes the driver's command document to `tap`. */
export function recordingConnector(inner: Connector, tap: ReturnType<typeof wireTap>): Connector {
  return {
    needsCredentials: inner.needsCredentials,
    async connect(target) {
      const client = await inner.connect(target);
      const wrapDb = (db: BackendDb): BackendDb => ({
        databaseName: db.databaseName,
        collection: (name) => recordingCollection(db.collection(name), tap),
        createCollection: (name, options) => db.createCollection(name, options),
        listCollections: (filter) => db.listCollections(filter),
        command: (command) => db.command(command),
      });
      const wrapped: BackendClient = { db: (name) => wrapDb(client.db(name)), close: () => client.close() };
      return wrapped;
    },
  };
}
