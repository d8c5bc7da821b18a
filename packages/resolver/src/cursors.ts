// Scoped cursors and change streams: they open the backend cursor (and borrow a client) only when reading starts.
import type { Document } from "mongodb";
import type { BackendCursor } from "@tenantry/contract/backend/types";
import { IsolationViolationError } from "./errors";
import { sanitize, sanitizeObject } from "./guard/sanitize";
import type { Lease } from "./clients";

/** What opening a cursor yields: the backend cursor and the client lease to release when done. */
export interface Opened<T> {
  cursor: BackendCursor<T>;
  lease: Lease;
}

/** A read-only cursor over the tenant's documents: `toArray`, `next`, `close`, `for await`. */
export class ScopedCursor<T = Document> implements AsyncIterable<T> {
  readonly #open: () => Promise<Opened<T>>;
  #opened: Opened<T> | undefined;
  #iterator: AsyncIterator<T> | undefined;
  #done = false;

  constructor(open: () => Promise<Opened<T>>) {
    this.#open = open;
  }

  /** True once reading has started (modifiers are then refused, like the driver). */
  get started(): boolean {
    return this.#opened !== undefined || this.#done;
  }

  async #start(): Promise<Opened<T>> {
    this.#opened ??= await this.#open();
    return this.#opened;
  }

  /** Every remaining document. */
  async toArray(): Promise<T[]> {
    if (this.#done) return [];
    if (this.#iterator) {
      const rest: T[] = [];
      for (let next = await this.next(); next !== null; next = await this.next()) rest.push(next);
      return rest;
    }
    const opened = await this.#start();
    try {
      return await opened.cursor.toArray();
    } finally {
      await this.close();
    }
  }

  /** The next document, or null when exhausted (the cursor then closes itself). */
  async next(): Promise<T | null> {
    if (this.#done) return null;
    try {
      this.#iterator ??= (await this.#start()).cursor[Symbol.asyncIterator]();
      const step = await this.#iterator.next();
      if (!step.done) return step.value;
    } catch (error) {
      await this.close();
      throw error;
    }
    await this.close();
    return null;
  }

  /** Releases the backend cursor and the borrowed client; idempotent. Close cursors you do not read to the end. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const opened = this.#opened;
    if (!opened) return;
    try {
      await opened.cursor.close();
    } finally {
      opened.lease.release();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    try {
      for (let next = await this.next(); next !== null; next = await this.next()) yield next;
    } finally {
      await this.close();
    }
  }
}

/** Sort, skip, limit and projection of a find cursor (set before reading starts). */
export interface FindModifiers {
  sort?: unknown;
  skip?: number;
  limit?: number;
  projection?: Document;
}

/** The find cursor: a ScopedCursor plus `sort`, `limit`, `skip`, `project`, chainable before reading starts. */
export class ScopedFindCursor<T = Document> extends ScopedCursor<T> {
  readonly #modifiers: FindModifiers;

  constructor(open: () => Promise<Opened<T>>, modifiers: FindModifiers) {
    super(open);
    this.#modifiers = modifiers;
  }

  #assertNew(method: string): void {
    if (this.started) throw new IsolationViolationError("malformed-argument", method, "", "the cursor has already started; set modifiers before reading");
  }

  sort(sort: unknown): this {
    this.#assertNew("sort");
    this.#modifiers.sort = sanitize(sort, "sort", "sort");
    return this;
  }

  limit(n: number): this {
    this.#assertNew("limit");
    if (!Number.isInteger(n)) throw new IsolationViolationError("malformed-argument", "limit", "", "must be an integer");
    this.#modifiers.limit = n;
    return this;
  }

  skip(n: number): this {
    this.#assertNew("skip");
    if (!Number.isInteger(n) || n < 0) throw new IsolationViolationError("malformed-argument", "skip", "", "must be a non-negative integer");
    this.#modifiers.skip = n;
    return this;
  }

  project<P extends Document = Document>(projection: Document): ScopedFindCursor<P> {
    this.#assertNew("project");
    this.#modifiers.projection = sanitizeObject(projection, "project", "projection");
    return this as unknown as ScopedFindCursor<P>;
  }
}

/** A change stream over the tenant's documents; opened on first `next`. It has no end, so no `toArray`. */
export class ScopedChangeStream<T = Document> extends ScopedCursor<T> {
  override toArray(): Promise<T[]> {
    return Promise.reject(new IsolationViolationError("malformed-argument", "toArray", "", "a change stream has no end; iterate it with next() or for await"));
  }
}
