// The resolver's clients: one per (cluster, credential), opened lazily, shared, LRU-bounded, closed only when idle.
import type { BackendClient, Connector } from "@tenantry/contract/backend/types";
import type { CredentialProvider } from "./credentials";
import { ResolverClosedError } from "./errors";
import { openClient } from "./open-client";
import type { CompiledRoute } from "./routing";

interface Entry {
  readonly key: string;
  readonly pinned: boolean;
  readonly opening: Promise<BackendClient>;
  client: BackendClient | undefined;
  /** Operations (and open cursors) currently using the client. */
  inFlight: number;
  /** No longer handed out (evicted, or dropped by a reload); closed once `inFlight` reaches 0. */
  retired: boolean;
  closing: Promise<void> | undefined;
  /** Resolves once the client is closed. */
  readonly closed: Promise<void>;
  markClosed: () => void;
}

/** A lease as an object, not a closure per operation (one allocation on the hot path). */
class HeldLease implements Lease {
  #released = false;
  constructor(
    readonly client: BackendClient,
    private readonly entry: Entry,
    private readonly closeEntry: (entry: Entry) => void,
  ) {}
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.entry.inFlight--;
    if (this.entry.retired && this.entry.inFlight === 0) this.closeEntry(this.entry);
  }
}

/** A client borrowed for one operation; `release` exactly once, when the operation (or cursor) is done. */
export interface Lease {
  readonly client: BackendClient;
  release(): void;
}

export interface PoolStats {
  /** Clients currently held (open or opening), pinned included. */
  open: number;
  /** Of which pinned (shared credentials, never evicted). */
  pinned: number;
  /** Clients ever opened by this resolver. */
  opened: number;
  /** Clients closed so far (eviction, reload, close). */
  closed: number;
}

export class ClientPool {
  readonly #connector: Connector;
  readonly #credentials: CredentialProvider | undefined;
  readonly #max: number;
  readonly #onError: (error: unknown) => void;
  /** Insertion order is recency order for unpinned entries (re-inserted on each lease). */
  readonly #entries = new Map<string, Entry>();
  readonly #retiring = new Set<Entry>();
  #unpinned = 0;
  #opened = 0;
  #closed = 0;
  #shut = false;

  constructor(connector: Connector, credentials: CredentialProvider | undefined, maxClients: number, onError: (error: unknown) => void) {
    this.#connector = connector;
    this.#credentials = credentials;
    this.#max = maxClients;
    this.#onError = onError;
  }

  /** Closes a retired entry once its last lease is released (bound once, shared by every lease). */
  readonly #closeEntry = (entry: Entry): void => this.#close(entry);

  async lease(route: CompiledRoute): Promise<Lease> {
    if (this.#shut) throw new ResolverClosedError();
    let entry = this.#entries.get(route.clientKey);
    if (entry) {
      entry.inFlight++;
      if (!entry.pinned) {
        this.#entries.delete(entry.key);
        this.#entries.set(entry.key, entry);
      }
    } else {
      entry = this.#open(route);
      // Counted as busy before evicting, so the eviction can never pick the client this lease is about to use.
      entry.inFlight++;
      this.#entries.set(entry.key, entry);
      if (!entry.pinned) this.#unpinned++;
      this.#evict();
    }
    const held = entry;
    let client: BackendClient;
    try {
      client = held.client ?? (await held.opening);
    } catch (error) {
      held.inFlight--;
      // A failed open is forgotten so the next operation tries again (credentials may have been fixed meanwhile).
      if (this.#entries.get(held.key) === held) this.#drop(held);
      throw error;
    }
    return new HeldLease(client, held, this.#closeEntry);
  }

  #open(route: CompiledRoute): Entry {
    this.#opened++;
    const opening = openClient(this.#connector, this.#credentials, {
      clusterKey: route.clusterKey,
      cluster: route.cluster,
      credentialKey: route.credentialKey,
      credentialRef: route.credentialRef,
    });
    let markClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const entry: Entry = { key: route.clientKey, pinned: route.pinned, opening, client: undefined, inFlight: 0, retired: false, closing: undefined, closed, markClosed };
    opening.then(
      (client) => {
        entry.client = client;
      },
      () => undefined,
    );
    return entry;
  }

  /** Evicts least recently used idle unpinned clients above the cap; busy ones stay (a bounded, temporary overflow). */
  #evict(): void {
    if (this.#unpinned <= this.#max) return;
    for (const entry of this.#entries.values()) {
      if (this.#unpinned <= this.#max) break;
      if (entry.pinned || entry.inFlight > 0) continue;
      this.#drop(entry);
    }
  }

  /** Stops handing the entry out; closes it now if idle, else when its last operation releases it. */
  #drop(entry: Entry): void {
    if (this.#entries.get(entry.key) === entry) {
      this.#entries.delete(entry.key);
      if (!entry.pinned) this.#unpinned--;
    }
    entry.retired = true;
    this.#retiring.add(entry);
    if (entry.inFlight === 0) this.#close(entry);
  }

  #close(entry: Entry): void {
    if (entry.closing) return;
    entry.closing = entry.opening
      .then(
        async (client) => {
          this.#closed++;
          await client.close();
        },
        () => undefined,
      )
      .catch((error: unknown) => this.#onError(error))
      .finally(() => {
        this.#retiring.delete(entry);
        entry.markClosed();
      });
  }

  /** After a reload: clients no route uses any more are retired (closed after their in-flight operations). */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const entry of [...this.#entries.values()]) if (!keys.has(entry.key)) this.#drop(entry);
  }

  /** Refuses new leases; closes idle clients now and busy ones when they finish; resolves when all are closed. */
  async close(): Promise<void> {
    this.#shut = true;
    for (const entry of [...this.#entries.values()]) this.#drop(entry);
    await Promise.all([...this.#retiring].map((e) => e.closed));
  }

  stats(): PoolStats {
    let pinned = 0;
    for (const e of this.#entries.values()) if (e.pinned) pinned++;
    return { open: this.#entries.size + [...this.#retiring].filter((e) => !e.closing).length, pinned, opened: this.#opened, closed: this.#closed };
  }
}
