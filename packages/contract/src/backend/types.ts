// The database surface Tenantry uses: the official driver's MongoClient satisfies it, and so does the memory backend.
// Only the resolver's scoped collections, the mover and `collections apply` touch it; applications never get it.
import type {
  AggregateOptions,
  AnyBulkWriteOperation,
  BulkWriteOptions,
  BulkWriteResult,
  ChangeStream,
  ChangeStreamOptions,
  CountDocumentsOptions,
  CreateCollectionOptions,
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
  ReplaceOptions,
  UpdateFilter,
  UpdateOptions,
  UpdateResult,
} from "mongodb";
import type { ClusterEntry, CredentialRef } from "../connection-map/schema";

/** A cursor as the driver's FindCursor / AggregationCursor offer it (the subset Tenantry relies on). */
export interface BackendCursor<T> extends AsyncIterable<T> {
  toArray(): Promise<T[]>;
  close(): Promise<void>;
}

export interface BackendFindCursor<T> extends BackendCursor<T> {
  sort(sort: Document): this;
  limit(n: number): this;
  skip(n: number): this;
  project<P extends Document = Document>(projection: Document): BackendFindCursor<P>;
}

/** One collection: the driver's `Collection<Document>` is assignable to this. */
export interface BackendCollection {
  readonly collectionName: string;
  readonly dbName: string;
  insertOne(doc: Document, options?: InsertOneOptions): Promise<InsertOneResult<Document>>;
  insertMany(docs: readonly Document[], options?: BulkWriteOptions): Promise<InsertManyResult<Document>>;
  find(filter: Filter<Document>, options?: FindOptions): BackendFindCursor<Document>;
  findOne(filter: Filter<Document>, options?: FindOptions): Promise<Document | null>;
  updateOne(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options?: UpdateOptions): Promise<UpdateResult<Document>>;
  updateMany(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options?: UpdateOptions): Promise<UpdateResult<Document>>;
  replaceOne(filter: Filter<Document>, replacement: Document, options?: ReplaceOptions): Promise<UpdateResult<Document>>;
  deleteOne(filter: Filter<Document>, options?: DeleteOptions): Promise<DeleteResult>;
  deleteMany(filter: Filter<Document>, options?: DeleteOptions): Promise<DeleteResult>;
  countDocuments(filter: Filter<Document>, options?: CountDocumentsOptions): Promise<number>;
  distinct(key: string, filter: Filter<Document>, options: DistinctOptions): Promise<unknown[]>;
  aggregate(pipeline: Document[], options?: AggregateOptions): BackendCursor<Document>;
  findOneAndUpdate(filter: Filter<Document>, update: UpdateFilter<Document> | Document[], options: FindOneAndUpdateOptions): Promise<Document | null>;
  findOneAndReplace(filter: Filter<Document>, replacement: Document, options: FindOneAndReplaceOptions): Promise<Document | null>;
  findOneAndDelete(filter: Filter<Document>, options: FindOneAndDeleteOptions): Promise<Document | null>;
  bulkWrite(operations: readonly AnyBulkWriteOperation<Document>[], options?: BulkWriteOptions): Promise<BulkWriteResult>;
  createIndex(keys: IndexSpecification, options?: CreateIndexesOptions): Promise<string>;
  listIndexes(): BackendCursor<Document>;
  watch(pipeline?: Document[], options?: ChangeStreamOptions): ChangeStream<Document>;
  // Collection administration: only `tenantry collections apply` (src/collections) uses these.
  dropIndex(indexName: string): Promise<unknown>;
}

export interface BackendDb {
  readonly databaseName: string;
  collection(name: string): BackendCollection;
  // Collection administration: only `tenantry collections apply` (src/collections) uses these.
  /** Creates a collection (with its validator); a server error NamespaceExists (48) when it exists. */
  createCollection(name: string, options?: CreateCollectionOptions): Promise<unknown>;
  /** `listCollections` documents: `{ name, type, options: { validator?, validationLevel?, validationAction? } }`. */
  listCollections(filter?: Document): BackendCursor<Document>;
  /** A database command; Tenantry sends `collMod` only (validator and TTL changes have no driver helper). */
  command(command: Document): Promise<Document>;
}

export interface BackendClient {
  db(name: string): BackendDb;
  close(): Promise<void>;
}

/** Username and password read from a credential reference. Never logged, never put in a map or an output. */
export interface DatabaseCredentials {
  username: string;
  password: string;
}

/** What a connector needs to open one client: the cluster, which credential, and that credential's secret. */
export interface ConnectTarget {
  clusterKey: string;
  cluster: ClusterEntry;
  credentialKey: string;
  credentialRef: CredentialRef;
  /** Undefined for backends that need none (the memory backend). */
  credentials: DatabaseCredentials | undefined;
}

/** Opens one client per (cluster, credential). The resolver shares and bounds the clients it opens. */
export interface Connector {
  /** False for backends that need no credentials (the memory backend): the resolver then skips resolving them. */
  readonly needsCredentials: boolean;
  connect(target: ConnectTarget): Promise<BackendClient>;
}
