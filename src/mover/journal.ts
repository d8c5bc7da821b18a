// The move journal in the database (`tenantry_moves`): a current-state record per tenant guarded by a revision and a
// lease, plus append-only entries (who, when, step, counts, hashes, checkpoints). Any machine can resume a move from it.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Document } from "mongodb";
import type { BackendCollection } from "../backend/types";
import { MoveLockedError } from "./errors";
import type { JournalEntry, MoveRecord } from "./state";

/** Lease length; renewed by every journal write, so a mover that stops writing for this long loses the move. @default 60 s */
export const DEFAULT_LEASE_MS = 60_000;

export interface JournalOptions {
  /** Recorded in every entry. */
  actor: string;
  /** Lease holder identity. @default `<actor>@<host>:<pid>:<random>` */
  owner?: string;
  /** @default 60 s */
  leaseMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export function moveRecordId(tenantId: string): string {
  return `move:${tenantId}`;
}

function entryId(moveId: string, revision: number): string {
  return `${moveId}#${String(revision).padStart(8, "0")}`;
}

/** Fields a step may change; `revision`, `lease` and `updatedAt` are the journal's. */
export type RecordPatch = Partial<Omit<MoveRecord, "_id" | "kind" | "revision" | "lease" | "updatedAt">>;

export class MoveJournal {
  readonly actor: string;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly collection: BackendCollection,
    options: JournalOptions,
  ) {
    this.actor = options.actor;
    this.owner = options.owner ?? `${options.actor}@${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** The tenant's current move record, or null when it never moved. */
  async load(tenantId: string): Promise<MoveRecord | null> {
    return (await this.collection.findOne({ _id: moveRecordId(tenantId) } as Document)) as MoveRecord | null;
  }

  /** Every entry of a move, oldest first. */
  async entries(moveId: string): Promise<JournalEntry[]> {
    const docs = await this.collection.find({ kind: "entry", moveId }).sort({ revision: 1 }).toArray();
    return docs as unknown as JournalEntry[];
  }

  /**
   * Creates the record of a new move, holding its lease. `previous` is the tenant's last (terminal) record, replaced
   * under its revision guard; null when the tenant never moved.
   */
  async create(record: Omit<MoveRecord, "revision" | "lease" | "updatedAt">, previous: MoveRecord | null, detail: Record<string, unknown>): Promise<MoveRecord> {
    const now = this.now();
    const revision = (previous?.revision ?? 0) + 1;
    const full: MoveRecord = { ...record, revision, updatedAt: now.toISOString(), lease: { owner: this.owner, expiresAt: this.expiry(now) } };
    if (previous === null) {
      try {
        await this.collection.insertOne(full);
      } catch (error) {
        if (isDuplicateKey(error)) throw new MoveLockedError(record.tenantId, undefined, undefined);
        throw error;
      }
    } else {
      const res = await this.collection.replaceOne({ _id: full._id, revision: previous.revision } as Document, full);
      if (res.matchedCount !== 1) throw new MoveLockedError(record.tenantId, undefined, undefined);
    }
    await this.append(full, "declare", detail);
    return full;
  }

  /** Takes (or renews) the lease of the tenant's move; refuses while another live mover holds it. */
  async acquire(record: MoveRecord): Promise<MoveRecord> {
    const now = this.now();
    const holder = record.lease;
    if (holder && holder.owner !== this.owner && new Date(holder.expiresAt).getTime() > now.getTime()) {
      throw new MoveLockedError(record.tenantId, holder.owner, new Date(holder.expiresAt));
    }
    const lease = { owner: this.owner, expiresAt: this.expiry(now) };
    const res = await this.collection.updateOne(
      { _id: record._id, revision: record.revision } as Document,
      { $set: { lease, updatedAt: now.toISOString() }, $inc: { revision: 1 } },
    );
    if (res.matchedCount !== 1) throw new MoveLockedError(record.tenantId, undefined, undefined);
    return { ...record, lease, revision: record.revision + 1, updatedAt: now.toISOString() };
  }

  /** Gives the lease back (best effort: a crashed mover's lease simply expires). */
  async release(record: MoveRecord): Promise<void> {
    await this.collection.updateOne(
      { _id: record._id, revision: record.revision, "lease.owner": this.owner } as Document,
      { $unset: { lease: "" }, $inc: { revision: 1 } },
    );
  }

  /**
   * Applies a patch under the revision guard and this mover's lease, renews the lease, then appends an entry.
   * Throws MoveLockedError when another mover wrote in between.
   */
  async update(record: MoveRecord, patch: RecordPatch, step: string, detail: Record<string, unknown> = {}): Promise<MoveRecord> {
    const now = this.now();
    const lease = { owner: this.owner, expiresAt: this.expiry(now) };
    const set: Document = { ...patch, lease, updatedAt: now.toISOString() };
    const res = await this.collection.updateOne(
      { _id: record._id, revision: record.revision, "lease.owner": this.owner } as Document,
      { $set: set, $inc: { revision: 1 } },
    );
    if (res.matchedCount !== 1) throw new MoveLockedError(record.tenantId, undefined, undefined);
    const next: MoveRecord = { ...record, ...patch, lease, revision: record.revision + 1, updatedAt: now.toISOString() };
    await this.append(next, step, detail);
    return next;
  }

  private async append(record: MoveRecord, step: string, detail: Record<string, unknown>): Promise<void> {
    const entry: JournalEntry = {
      _id: entryId(record.moveId, record.revision),
      kind: "entry",
      tenantId: record.tenantId,
      moveId: record.moveId,
      revision: record.revision,
      actor: this.actor,
      at: record.updatedAt,
      step,
      detail,
    };
    try {
      await this.collection.insertOne(entry);
    } catch (error) {
      // The revision guard already made this write unique; a duplicate is a replay of the same entry.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.leaseMs);
  }
}

/** True for MongoDB's duplicate key error (code 11000), from the driver or the memory backend. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}
