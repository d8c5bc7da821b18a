// The resolver's view of the control store: polled in the background into a snapshot that operations read synchronously.
import { collectionControlStore } from "./control/mongo-store";
import type { ControlStore, TenantOverride } from "@tenantry/contract/control/types";
import type { ClientPool } from "./clients";
import type { CompiledControl } from "./routing";

export interface ControlOptions {
  /**
   * Where overrides are read. An explicit store always wins. Without one the resolver reads the connection map's
   * `control` location (`collectionControlStore` over its own pooled client for `control.cluster` /
   * `control.credential`), and follows it across `reload`s; the map must then declare `control`.
   * @default the map's control location
   */
  store?: ControlStore;
  /**
   * Poll interval. Freeze latency bound: a freeze written to the store is applied by every resolver within
   * `refreshMs` + one store read (polls are chained, never overlapping). Writes check the snapshot when they start,
   * so a write that started just before may still complete for up to its own duration (bound it with `maxTimeMS`):
   * the mover waits `refreshMs` + store read timeout + that write bound after freezing before it copies.
   * @default 1000
   */
  refreshMs?: number;
  /**
   * Writes fail closed (ControlStoreStaleError) when the store has not been read successfully for this long, because
   * a move may have frozen the tenant meanwhile. Reads continue. @default 10 × refreshMs
   */
  failClosedAfterMs?: number;
  /**
   * Cold start: operations wait at most this long for the first read of the store. A tenant with a declared move is
   * never served before one read succeeded (ControlStoreUnavailableError); other tenants' reads go on and their writes
   * fail closed. @default 5000
   */
  coldStartWaitMs?: number;
}

/**
 * The control store at the map's control location, read through the resolver's client pool: each call leases the
 * pinned client of (control cluster, control credential) and releases it, so reloads and `close()` retire it like any
 * other client.
 */
export function mapControlStore(pool: ClientPool, control: CompiledControl): ControlStore {
  const using = async <T>(action: (store: ControlStore) => Promise<T>): Promise<T> => {
    const lease = await pool.lease(control.route);
    try {
      return await action(collectionControlStore(lease.client.db(control.database).collection(control.collection)));
    } finally {
      lease.release();
    }
  };
  return { readAll: () => using((store) => store.readAll()) };
}

/** Default poll interval of the control store. */
export const DEFAULT_CONTROL_REFRESH_MS = 1000;

/** Default bound of the wait for the first control read. */
export const DEFAULT_COLD_START_WAIT_MS = 5000;

/** Default fail-closed interval for a poll interval: writes are refused after ten missed polls. */
export function defaultFailClosedAfterMs(refreshMs: number): number {
  return 10 * refreshMs;
}

export class ControlSnapshot {
  overrides: ReadonlyMap<string, TenantOverride> = new Map();
  /** True once a first read succeeded (always true without a store). */
  ready: boolean;
  /** True once the first read finished, successfully or not: operations wait for it, then go on. */
  settled: boolean;
  readonly whenSettled: Promise<void>;
  readonly #store: ControlStore | undefined;
  readonly #refreshMs: number;
  readonly #failClosedAfterMs: number;
  readonly #coldStartWaitMs: number;
  readonly #onError: (error: unknown) => void;
  #markSettled: () => void = () => undefined;
  #lastSuccess = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #inflight: Promise<void> | undefined;

  constructor(options: ControlOptions | undefined, onError: (error: unknown) => void) {
    this.#store = options?.store;
    this.#refreshMs = options?.refreshMs ?? DEFAULT_CONTROL_REFRESH_MS;
    this.#failClosedAfterMs = options?.failClosedAfterMs ?? defaultFailClosedAfterMs(this.#refreshMs);
    this.#coldStartWaitMs = options?.coldStartWaitMs ?? DEFAULT_COLD_START_WAIT_MS;
    this.#onError = onError;
    this.ready = this.#store === undefined;
    this.settled = this.ready;
    this.whenSettled = this.ready ? Promise.resolve() : new Promise<void>((resolve) => (this.#markSettled = resolve));
    if (this.#store) void this.#loop();
  }

  /**
   * Milliseconds since the last successful read when past `failClosedAfterMs` (or when no read ever succeeded), else
   * undefined: writes are refused while this is defined.
   */
  staleFor(now = Date.now()): number | undefined {
    if (!this.#store) return undefined;
    // Never read: whatever the state of the first read, nothing is known yet (fail closed).
    if (!this.ready) return Number.POSITIVE_INFINITY;
    const age = now - this.#lastSuccess;
    return age > this.#failClosedAfterMs ? age : undefined;
  }

  /**
   * Resolves when the first read has finished, or after `coldStartWaitMs` (a store that hangs must not hang every
   * operation): callers then decide on `ready`.
   */
  async waitFirstRead(): Promise<void> {
    if (this.settled) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#coldStartWaitMs);
      timer.unref();
    });
    await Promise.race([this.whenSettled, timeout]);
    clearTimeout(timer);
  }

  /** Reads the store now (also what the background loop does). Concurrent calls share one read. */
  refresh(): Promise<void> {
    if (!this.#store) return Promise.resolve();
    this.#inflight ??= this.#read(this.#store).finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  async #read(store: ControlStore): Promise<void> {
    const read = await store.readAll();
    const next = new Map<string, TenantOverride>();
    for (const [tenantId, override] of read) {
      const known = this.overrides.get(tenantId);
      // Never step back: a lagging read must not undo a newer override already applied.
      next.set(tenantId, known && known.revision > override.revision ? known : { ...override });
    }
    this.overrides = next;
    this.#lastSuccess = Date.now();
    this.ready = true;
  }

  async #loop(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.refresh();
    } catch (error) {
      this.#onError(error);
    }
    if (!this.settled) {
      this.settled = true;
      this.#markSettled();
    }
    if (this.#stopped) return;
    // A chained timeout (not an interval): reads never overlap, and the bound is refreshMs + one read.
    this.#timer = setTimeout(() => void this.#loop(), this.#refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    this.settled = true;
    this.#markSettled();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
