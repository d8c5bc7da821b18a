// The move state store: one document per move at the control location, every write one compare-and-set on its
// revision and the writer's epoch, and the lease that fences every write a mover makes (control and data).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Document } from "mongodb";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import { LeaseLostError, MoveLockedError } from "./errors";
import { type JournalEntry, type MoveCommand, type MoveRecord, assertCommandAllowed, loadMove } from "./state";

/** Lease length. @default 60 s */
export const DEFAULT_LEASE_MS = 60_000;
/**
 * Safety margin: a mover issues data writes only during the first `leaseMs − marginMs` after its last successful
 * renewal, so a write it issued has `marginMs` to finish before the lease can expire. Must exceed the longest data
 * write plus the clock skew between mover hosts. @default 20 s
 */
export const DEFAULT_LEASE_MARGIN_MS = 20_000;
/** Clock skew allowance: another mover takes over only this long after the recorded expiry. @default 5 s */
export const DEFAULT_CLOCK_SKEW_MS = 5_000;

export interface StoreOptions {
  /** Recorded in every journal entry. */
  actor: string;
  /** Lease holder identity. @default `<actor>@<host>:<pid>:<random>` */
  owner?: string;
  /** @default 60 s */
  leaseMs?: number;
  /** @default 20 s */
  leaseMarginMs?: number;
  /** @default 5 s */
  clockSkewMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Fields a step sets: top-level fields of the record or dotted paths (`collections.orders`). */
export type RecordPatch = Partial<Omit<MoveRecord, "_id" | "kind" | "revision" | "epoch" | "lease" | "updatedAt" | "log">> & Record<string, unknown>;

/** True for MongoDB's duplicate key error (code 11000), from the driver or the memory backend. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}

export class MoveStore {
  readonly actor: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly marginMs: number;
  readonly skewMs: number;
  readonly now: () => Date;

  constructor(
    private readonly collection: BackendCollection,
    /** Where the documents of a tenant's earlier moves are kept when a new move replaces them. */
    private readonly history: BackendCollection | undefined,
    options: StoreOptions,
  ) {
    this.actor = options.actor;
    this.owner = options.owner ?? `${options.actor}@${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.marginMs = options.leaseMarginMs ?? DEFAULT_LEASE_MARGIN_MS;
    this.skewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    if (!(this.marginMs < this.leaseMs)) throw new RangeError("leaseMarginMs must be shorter than leaseMs");
    this.now = options.now ?? (() => new Date());
  }

  load(tenantId: string): Promise<MoveRecord | null> {
    return loadMove(this.collection, tenantId);
  }

  /**
   * Creates the state document of a new move holding its lease. `previous` (a terminal document) is archived to the
   * history collection, then replaced under its revision: the replacement is the one write that starts the move.
   */
  async create(record: Omit<MoveRecord, "revision" | "epoch" | "lease" | "updatedAt" | "log">, previous: MoveRecord | null, detail: Record<string, unknown>): Promise<Fence> {
    const at = this.now();
    const revision = (previous?.revision ?? 0) + 1;
    const epoch = (previous?.epoch ?? 0) + 1;
    const entry = this.entry(revision, epoch, at, "declare", detail);
    const full: MoveRecord = { ...record, revision, epoch, lease: this.lease(epoch, at), updatedAt: at.toISOString(), log: [entry] };
    if (previous === null) {
      try {
        await this.collection.insertOne(full);
      } catch (error) {
        if (isDuplicateKey(error)) throw new MoveLockedError(record.tenantId, undefined, undefined, `tenant [${record.tenantId}]: another mover declared a move at the same time`);
        throw error;
      }
    } else {
      if (this.history) {
        try {
          await this.history.insertOne({ ...previous, _id: previous.moveId });
        } catch (error) {
          // Archived by an earlier attempt of this start: the same document.
          if (!isDuplicateKey(error)) throw error;
        }
      }
      const res = await this.collection.replaceOne({ _id: previous._id as never, revision: previous.revision }, full);
      if (res.matchedCount !== 1) throw new MoveLockedError(record.tenantId, undefined, undefined, `tenant [${record.tenantId}]: the move document changed while starting (another mover)`);
    }
    return new Fence(this, this.collection, full, at.getTime());
  }

  /**
   * Takes the lease of the tenant's move for `command` (after checking the state allows it): refused while another
   * mover's lease runs (until its expiry plus the clock skew allowance). Every acquisition increments the epoch, in one
   * compare-and-set on the revision, so of two racing movers exactly one wins.
   */
  async acquire(tenantId: string, command: MoveCommand): Promise<Fence> {
    const record = await this.load(tenantId);
    assertCommandAllowed(tenantId, record?.state ?? "none", command);
    if (!record) throw new Error("unreachable: assertCommandAllowed refuses none");
    const at = this.now();
    const holder = record.lease;
    if (holder && holder.owner !== this.owner && new Date(holder.expiresAt).getTime() + this.skewMs >= at.getTime()) {
      throw new MoveLockedError(tenantId, holder.owner, new Date(holder.expiresAt));
    }
    const epoch = record.epoch + 1;
    const entry = this.entry(record.revision + 1, epoch, at, "lease", { command, ...(holder && holder.owner !== this.owner ? { takenFrom: holder.owner, expired: holder.expiresAt } : {}) });
    const next = (await this.collection.findOneAndUpdate(
      { _id: tenantId as never, revision: record.revision },
      { $set: { lease: this.lease(epoch, at), epoch, updatedAt: at.toISOString() }, $inc: { revision: 1 }, $push: { log: entry } } as Document,
      { returnDocument: "after" },
    )) as MoveRecord | null;
    if (!next) throw new MoveLockedError(tenantId, undefined, undefined, `tenant [${tenantId}]: another mover took the move at the same time`);
    return new Fence(this, this.collection, next, at.getTime());
  }

  entry(revision: number, epoch: number, at: Date, step: string, detail: Record<string, unknown>): JournalEntry {
    return { revision, epoch, actor: this.actor, owner: this.owner, at: at.toISOString(), step, detail };
  }

  lease(epoch: number, at: Date): MoveRecord["lease"] {
    return { owner: this.owner, epoch, expiresAt: new Date(at.getTime() + this.leaseMs).toISOString() };
  }
}

/**
 * A held lease: the only way a mover writes. `cas` is every control write (filter: revision, epoch, owner);
 * `guard()` runs immediately before every data write and lets it through only inside the time budget of the last
 * successful renewal (`leaseMs − marginMs`), renewing first when half of it is used. A holder that was taken over
 * fails its next renewal and stops: it issues no data write after another mover could have taken over.
 */
export class Fence {
  #renewedAt: number;

  constructor(
    private readonly store: MoveStore,
    private readonly collection: BackendCollection,
    public record: MoveRecord,
    renewedAt: number,
  ) {
    this.#renewedAt = renewedAt;
  }

  get epoch(): number {
    return this.record.epoch;
  }

  /** One compare-and-set: applies `patch`, renews the lease, appends the journal entry (when `step` is given). */
  async cas(patch: RecordPatch, step?: string, detail: Record<string, unknown> = {}): Promise<MoveRecord> {
    const { record, store } = this;
    const at = store.now();
    const set: Document = { ...patch, lease: store.lease(record.epoch, at), updatedAt: at.toISOString() };
    const update: Document = { $set: set, $inc: { revision: 1 } };
    if (step !== undefined) update.$push = { log: store.entry(record.revision + 1, record.epoch, at, step, detail) };
    const next = (await this.collection.findOneAndUpdate(
      { _id: record._id as never, revision: record.revision, epoch: record.epoch, "lease.owner": store.owner },
      update,
      { returnDocument: "after" },
    )) as MoveRecord | null;
    if (!next) {
      const current = await store.load(record.tenantId).catch(() => null);
      throw new LeaseLostError(record.tenantId, record.epoch, current?.epoch, current?.lease?.owner);
    }
    this.record = next;
    this.#renewedAt = at.getTime();
    return next;
  }

  /** Call right before every data write (batch, delete, index): renews when half the budget is used. */
  async guard(): Promise<void> {
    const elapsed = this.store.now().getTime() - this.#renewedAt;
    if (elapsed >= (this.store.leaseMs - this.store.marginMs) / 2) await this.cas({});
  }

  /** Sleeps `ms` in slices, renewing between them, so a long wait never lets the lease lapse. */
  async sleep(ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    const slice = Math.max(1, Math.floor((this.store.leaseMs - this.store.marginMs) / 2));
    for (let left = ms; left > 0; left -= slice) {
      await this.guard();
      await sleep(Math.min(slice, left));
    }
    await this.guard();
  }

  /** Gives the lease back (a crashed mover's lease simply expires). */
  async release(): Promise<MoveRecord> {
    const { record, store } = this;
    const next = (await this.collection.findOneAndUpdate(
      { _id: record._id as never, revision: record.revision, epoch: record.epoch, "lease.owner": store.owner },
      { $set: { lease: null, updatedAt: store.now().toISOString() }, $inc: { revision: 1 } },
      { returnDocument: "after" },
    )) as MoveRecord | null;
    if (next) this.record = next;
    return this.record;
  }
}
