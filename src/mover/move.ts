// The move protocol: declare → freeze → copy → verify → cut over → finish / clean up, and rollback; every step
// idempotent, recorded in the journal, and resumable by any mover after a crash.
import { userInfo } from "node:os";
import type { BackendClient, BackendCollection } from "../backend/types";
import type { ConnectionMap, Route } from "../connection-map/schema";
import type { ControlStore, TenantOverride } from "../control/types";
import type { IndexSpec } from "../registry/schema";
import { DEFAULT_CONTROL_REFRESH_MS, defaultFailClosedAfterMs } from "../resolver";
import { MoveStateError, MoverError, NoMoveTargetError, RetentionNotElapsedError, UnknownMoveTenantError, VerificationFailedError } from "./errors";
import { guardedDeleteMany } from "./guard";
import { sameContent } from "./hash";
import { MoveJournal, moveRecordId } from "./journal";
import { type CollectionProgress, type JournalEntry, type MoveEndpoint, type MoveRecord, type MoveState, ROLLBACK_FROM, TERMINAL_STATES } from "./state";
import { DEFAULT_BATCH_SIZE, canonicalId, copyTenantDocuments, ensureIndexes, hashTenantDocuments, parseCanonicalId, pruneAbsent, tenantFilter } from "./transfer";

/**
 * The freeze latency bound: how long after the freeze is written no running resolver can still start a write.
 * A resolver polls the control store every `refreshMs` (default 1 s) and applies what it read at once; a resolver that
 * cannot read the store fails writes closed after `failClosedAfterMs` (default 10 × refreshMs = 10 s). A write checked
 * just before the freeze arrived may still be in flight: allow `inflightMs` (default 5 s) for it to land.
 * Bound = max(refreshMs + one read, failClosedAfterMs) + inflightMs = 15 s with the resolver's defaults.
 * Raise it if your resolvers use a longer refreshMs / failClosedAfterMs, or your writes a longer timeout.
 */
export function freezeBoundMs(resolver: { refreshMs?: number; failClosedAfterMs?: number; inflightMs?: number } = {}): number {
  const refresh = resolver.refreshMs ?? DEFAULT_RESOLVER_REFRESH_MS;
  const failClosed = resolver.failClosedAfterMs ?? defaultFailClosedAfterMs(refresh);
  return Math.max(2 * refresh, failClosed) + (resolver.inflightMs ?? DEFAULT_INFLIGHT_MS);
}
/** The resolver's default poll interval. */
export const DEFAULT_RESOLVER_REFRESH_MS = DEFAULT_CONTROL_REFRESH_MS;
/** Time allowed for a write checked before the freeze to reach the server. */
export const DEFAULT_INFLIGHT_MS = 5_000;
/** freezeBoundMs() with the resolver's defaults: 15 s. */
export const DEFAULT_FREEZE_BOUND_MS = freezeBoundMs();
/** Days the source is kept after cut-over before clean-up is allowed. @default 7 */
export const DEFAULT_RETENTION_DAYS = 7;

/** Fault-injection points for tests: throw from a hook to simulate the process dying there. */
export interface MoveHooks {
  /** After a step's state was recorded. */
  afterStep?: (state: MoveState, record: MoveRecord) => void | Promise<void>;
  /** After batch `batch` (1-based, counted per run) of `logical` was committed and checkpointed. */
  afterBatch?: (logical: string, batch: number) => void | Promise<void>;
}

export interface MoverOptions {
  /** The connection map; read at declare (start) and by finish. Later steps use the routes recorded in the journal. */
  map: ConnectionMap;
  /** Opens (or returns a cached) client for one side of the move; the caller owns and closes the clients. */
  connect: (endpoint: MoveEndpoint) => Promise<BackendClient>;
  /** Where resolvers read overrides. */
  control: ControlStore;
  /** The `tenantry_moves` collection. */
  journal: BackendCollection;
  /** @default os.userInfo().username */
  actor?: string;
  /** Lease holder identity; @default derived from actor, host, pid. */
  owner?: string;
  /** @default 60 s */
  leaseMs?: number;
  /** The freeze latency bound. @default DEFAULT_FREEZE_BOUND_MS (15 s) */
  freezeBoundMs?: number;
  /** @default 1000 */
  batchSize?: number;
  /** @default 7 */
  retentionDays?: number;
  /** Registry index specs per logical collection; when absent the target mirrors the source's indexes. */
  indexes?: Readonly<Record<string, readonly IndexSpec[]>>;
  /** Re-verify source vs target right before cutting over. @default true */
  verifyBeforeCutover?: boolean;
  hooks?: MoveHooks;
  /**
   * Every cluster key reaches one server (`--uri` for local use, tests): then two routes with the same database and
   * collection are the same namespace whatever their cluster, and such a move is refused. @default false
   */
  singleServer?: boolean;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
}

export interface RunOptions {
  /** Continue through cut-over once verified (else stop at `verified` and wait for `move cutover`). @default false */
  cutover?: boolean;
}

export interface MoveStatus {
  record: MoveRecord | null;
  entries: JournalEntry[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function sameNamespace(a: MoveEndpoint, b: MoveEndpoint, logical: string, ignoreCluster: boolean): boolean {
  return (ignoreCluster || a.route.cluster === b.route.cluster) && a.route.database === b.route.database && a.route.collections[logical] === b.route.collections[logical];
}

export class Mover {
  private readonly journal: MoveJournal;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: MoverOptions) {
    const actor = options.actor ?? userInfo().username;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? realSleep;
    this.journal = new MoveJournal(options.journal, { actor, owner: options.owner, leaseMs: options.leaseMs, now: this.now });
  }

  /** Declares the move from the map entry's `target` and runs it up to `verified` (or through cut-over). */
  async start(tenantId: string, run: RunOptions = {}): Promise<MoveRecord> {
    const previous = await this.journal.load(tenantId);
    if (previous && !TERMINAL_STATES.includes(previous.state)) {
      throw new MoveStateError(tenantId, previous.state, "start", "a move is in progress: resume, or roll it back");
    }
    const record = await this.declare(tenantId, previous);
    return this.advance(record, run, true);
  }

  /** Continues the tenant's move from its journal: a crashed copy resumes after its last checkpoint. */
  async resume(tenantId: string, run: RunOptions = {}): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "resume");
    if (record.state === "rolling-back") return this.finishRollback(record);
    return this.advance(record, run);
  }

  /** Verifies (again) without cutting over; from `copied` or `verified`. */
  async verify(tenantId: string): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "verify");
    return this.withRelease(record, async (r) => {
      this.expect(r, ["copied", "verified"], "verify");
      return this.verifyStep(r);
    });
  }

  /** Switches routing to the target and unfreezes, in one control-store write. */
  async cutover(tenantId: string): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "cutover");
    return this.withRelease(record, (r) => this.cutoverStep(r));
  }

  /** Returns the tenant to its source, with nothing lost, from any state before finish and clean-up. */
  async rollback(tenantId: string): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "rollback");
    if (record.state === "rolled-back") return this.release(record);
    if (!ROLLBACK_FROM.includes(record.state)) {
      await this.release(record);
      throw new MoveStateError(tenantId, record.state, "roll back", "after finish or clean-up the way back is a new move declared in the registry");
    }
    const started = record.state === "rolling-back" ? record : await this.journal.update(record, { state: "rolling-back", rollback: { from: record.state, done: [] } }, "rollback-start", { from: record.state });
    return this.finishRollback(started);
  }

  /** Deletes the tenant's source documents (tenant-filtered, through the guard) once the retention window has passed. */
  async cleanup(tenantId: string): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "clean up");
    return this.withRelease(record, async (r) => {
      if (r.state === "cleaned") return r;
      this.expect(r, ["cutover", "finished"], "clean up");
      const notBefore = new Date(new Date(r.cutoverAt ?? r.updatedAt).getTime() + r.retentionDays * 86_400_000);
      if (this.now().getTime() < notBefore.getTime()) throw new RetentionNotElapsedError(tenantId, notBefore);
      const src = await this.options.connect(r.source);
      const deleted: Record<string, number> = {};
      for (const logical of r.order) {
        const coll = this.collectionOf(src, r.source.route, logical);
        deleted[logical] = await guardedDeleteMany(coll, tenantFilter(tenantId), { tenantId, route: r.source.route, logical });
      }
      const next = await this.journal.update(r, { state: "cleaned", cleanedAt: this.now().toISOString() }, "cleanup", { deleted });
      await this.options.hooks?.afterStep?.("cleaned", next);
      return next;
    });
  }

  /**
   * Removes the override once the map routes the tenant to the target itself (`cutOver: true` on the move, `pulumi up` done):
   * refused while the map still names the old route or a target.
   */
  async finish(tenantId: string): Promise<MoveRecord> {
    const record = await this.acquire(tenantId, "finish");
    return this.withRelease(record, async (r) => {
      if (r.state === "finished" || (r.state === "cleaned" && r.finishedAt !== undefined)) return r;
      this.expect(r, ["cutover", "cleaned"], "finish");
      const entry = this.options.map.tenants[tenantId];
      if (!entry || entry.target !== undefined || !sameRoute(entry, r.target.route)) {
        throw new MoveStateError(tenantId, r.state, "finish", "the connection map does not route the tenant to the target yet: set cutOver: true on its move in the registry, pulumi up, then finish");
      }
      await this.options.control.remove(tenantId);
      const next = await this.journal.update(r, { state: r.state === "cleaned" ? "cleaned" : "finished", finishedAt: this.now().toISOString() }, "finish", {});
      await this.options.hooks?.afterStep?.(next.state, next);
      return next;
    });
  }

  /** The tenant's move record and its journal entries. */
  async status(tenantId: string): Promise<MoveStatus> {
    const record = await this.journal.load(tenantId);
    return { record, entries: record ? await this.journal.entries(record.moveId) : [] };
  }

  // ---- steps ---------------------------------------------------------------------------------------------------

  private async declare(tenantId: string, previous: MoveRecord | null): Promise<MoveRecord> {
    const { map } = this.options;
    const entry = map.tenants[tenantId];
    if (!entry) throw new UnknownMoveTenantError(tenantId);
    if (!entry.target) throw new NoMoveTargetError(tenantId);
    const endpoint = (route: Route): MoveEndpoint => {
      const cluster = map.clusters[route.cluster];
      const credentialRef = map.credentials[route.credential];
      if (!cluster || !credentialRef) throw new MoverError(`tenant [${tenantId}]: route names an unknown cluster or credential`);
      return { route: stripRoute(route), cluster, credentialRef };
    };
    const source = endpoint(entry);
    const target = endpoint(entry.target);
    const order = Object.keys(map.collections).sort();
    for (const logical of order) {
      if (sameNamespace(source, target, logical, this.options.singleServer === true)) {
        throw new MoverError(`tenant [${tenantId}] ${logical}: source and target are the same namespace; nothing to move`);
      }
    }
    // A target that already holds documents of the tenant would be deleted by a rollback: refuse to start on it.
    const dst = await this.options.connect(target);
    for (const logical of order) {
      const n = await this.collectionOf(dst, target.route, logical).countDocuments(tenantFilter(tenantId));
      if (n > 0) throw new MoveStateError(tenantId, previous?.state ?? "none", "start", `the target ${logical} already holds ${n} documents of the tenant`);
    }
    const now = this.now().toISOString();
    const collections: Record<string, CollectionProgress> = {};
    for (const logical of order) collections[logical] = { copied: 0, batches: 0, done: false };
    const record = await this.journal.create(
      {
        _id: moveRecordId(tenantId),
        kind: "state",
        tenantId,
        moveId: `${tenantId}@${now}`,
        state: "declared",
        source,
        target,
        order,
        collections,
        batchSize: this.options.batchSize ?? DEFAULT_BATCH_SIZE,
        retentionDays: this.options.retentionDays ?? DEFAULT_RETENTION_DAYS,
        freezeBoundMs: this.options.freezeBoundMs ?? DEFAULT_FREEZE_BOUND_MS,
        startedBy: this.journal.actor,
        startedAt: now,
      },
      previous,
      { source: describe(source), target: describe(target), collections: order },
    );
    return record;
  }

  /** Runs the forward steps from the record's state; releases the lease at the end or on any error. */
  private advance(record: MoveRecord, run: RunOptions, declared = false): Promise<MoveRecord> {
    return this.withRelease(record, async (r) => {
      if (declared) await this.options.hooks?.afterStep?.("declared", r);
      let current = r;
      for (;;) {
        switch (current.state) {
          case "declared":
            current = await this.freezeStep(current);
            break;
          case "frozen":
            current = await this.beginCopy(current);
            break;
          case "copying":
            current = await this.copyStep(current);
            break;
          case "copied":
            current = await this.verifyStep(current);
            break;
          case "verified":
            if (!run.cutover) return current;
            current = await this.cutoverStep(current);
            break;
          case "cutover":
          case "finished":
          case "cleaned":
          case "rolled-back":
            return current;
          case "rolling-back":
            throw new MoveStateError(current.tenantId, current.state, "continue", "resume or roll back to finish the rollback");
        }
      }
    });
  }

  private async freezeStep(r: MoveRecord): Promise<MoveRecord> {
    await this.writeOverride(r, "frozen", "current");
    const next = await this.journal.update(r, { state: "frozen", frozenAt: this.now().toISOString() }, "freeze", { freezeBoundMs: r.freezeBoundMs });
    await this.options.hooks?.afterStep?.("frozen", next);
    return next;
  }

  private async beginCopy(r: MoveRecord): Promise<MoveRecord> {
    // Every resolver must have seen the freeze before the first read, or a write could land after its document was copied.
    await this.waitFreezeBound(r);
    const src = await this.options.connect(r.source);
    const dst = await this.options.connect(r.target);
    const indexes: Record<string, string[]> = {};
    for (const logical of r.order) {
      indexes[logical] = await ensureIndexes(this.collectionOf(src, r.source.route, logical), this.collectionOf(dst, r.target.route, logical), this.options.indexes?.[logical]);
    }
    const next = await this.journal.update(r, { state: "copying" }, "indexes", { indexes });
    await this.options.hooks?.afterStep?.("copying", next);
    return next;
  }

  private async copyStep(r: MoveRecord): Promise<MoveRecord> {
    const src = await this.options.connect(r.source);
    const dst = await this.options.connect(r.target);
    let current = r;
    for (const logical of r.order) {
      const progress = current.collections[logical] ?? { copied: 0, batches: 0, done: false };
      if (progress.done) continue;
      const source = this.collectionOf(src, r.source.route, logical);
      const target = this.collectionOf(dst, r.target.route, logical);
      let batch = 0;
      let state = progress;
      await copyTenantDocuments(source, target, {
        tenantId: r.tenantId,
        batchSize: r.batchSize,
        after: progress.lastId === undefined ? undefined : parseCanonicalId(progress.lastId),
        onBatch: async ({ lastId, count }) => {
          batch += 1;
          state = { ...state, lastId: canonicalId(lastId), copied: state.copied + count, batches: state.batches + 1 };
          current = await this.journal.update(current, { collections: { ...current.collections, [logical]: state } }, "copy-batch", {
            collection: logical,
            batch: state.batches,
            count,
            lastId: state.lastId,
          });
          await this.options.hooks?.afterBatch?.(logical, batch);
        },
      });
      state = { ...state, done: true };
      current = await this.journal.update(current, { collections: { ...current.collections, [logical]: state } }, "copy-collection", {
        collection: logical,
        copied: state.copied,
        batches: state.batches,
      });
    }
    const next = await this.journal.update(current, { state: "copied" }, "copied", {
      copied: Object.fromEntries(r.order.map((l) => [l, current.collections[l]?.copied ?? 0])),
    });
    await this.options.hooks?.afterStep?.("copied", next);
    return next;
  }

  /** Hashes every collection on both sides; records the hashes; throws on the first mismatch (state → copied). */
  private async verifyStep(r: MoveRecord): Promise<MoveRecord> {
    const src = await this.options.connect(r.source);
    const dst = await this.options.connect(r.target);
    const collections = { ...r.collections };
    let failure: VerificationFailedError | undefined;
    for (const logical of r.order) {
      const source = await hashTenantDocuments(this.collectionOf(src, r.source.route, logical), r.tenantId, r.batchSize);
      const target = await hashTenantDocuments(this.collectionOf(dst, r.target.route, logical), r.tenantId, r.batchSize);
      collections[logical] = { ...(collections[logical] ?? { copied: 0, batches: 0, done: true }), source, target };
      if (!sameContent(source, target)) {
        failure = new VerificationFailedError(r.tenantId, logical, source, target);
        break;
      }
    }
    if (failure) {
      await this.journal.update(r, { state: "copied", collections }, "verify-failed", {
        collection: failure.collection,
        source: failure.expected,
        target: failure.actual,
      });
      throw failure;
    }
    const next = await this.journal.update(r, { state: "verified", collections, verifiedAt: this.now().toISOString() }, "verify", {
      hashes: Object.fromEntries(r.order.map((l) => [l, collections[l]?.target])),
    });
    await this.options.hooks?.afterStep?.("verified", next);
    return next;
  }

  private async cutoverStep(r: MoveRecord): Promise<MoveRecord> {
    if (r.state === "cutover") return r;
    this.expect(r, ["verified"], "cut over");
    const verified = this.options.verifyBeforeCutover === false ? r : await this.verifyStep(r);
    // One store write: every resolver switches routing and unfreezes at its next refresh, none sees one without the other.
    await this.writeOverride(verified, "open", "target");
    const next = await this.journal.update(verified, { state: "cutover", cutoverAt: this.now().toISOString() }, "cutover", {
      next: "set cutOver: true on the tenant's move in the registry, run pulumi up, then tenantry move finish; after clean-up set its stage (cluster or region, generation) to the target, remove move:, run pulumi up",
    });
    await this.options.hooks?.afterStep?.("cutover", next);
    return next;
  }

  /** Runs (or continues) the rollback phases; each is idempotent and recorded. */
  private async finishRollback(record: MoveRecord): Promise<MoveRecord> {
    return this.withRelease(record, async (start) => {
      let r = start;
      const from = r.rollback?.from ?? "declared";
      const done = new Set(r.rollback?.done ?? []);
      const wasCutover = from === "cutover";
      const mark = async (phase: string, detail: Record<string, unknown> = {}) => {
        done.add(phase);
        r = await this.journal.update(r, { rollback: { from, done: [...done] } }, `rollback-${phase}`, detail);
      };
      const src = await this.options.connect(r.source);
      const dst = await this.options.connect(r.target);
      if (wasCutover) {
        if (!done.has("frozen")) {
          // Writes go to the target since cut-over: freeze them there first, so nothing is written during the copy back.
          await this.writeOverride(r, "frozen", "target");
          await mark("frozen", { frozenAt: this.now().toISOString() });
        }
        if (!done.has("copied-back")) {
          // Also on a resumed rollback: every resolver must have seen the freeze before the copy back reads the target.
          await this.sleep(r.freezeBoundMs);
          const counts: Record<string, unknown> = {};
          for (const logical of r.order) {
            const source = this.collectionOf(src, r.source.route, logical);
            const target = this.collectionOf(dst, r.target.route, logical);
            const { copied } = await copyTenantDocuments(target, source, { tenantId: r.tenantId, batchSize: r.batchSize });
            const pruned = await pruneAbsent(source, target, { tenantId: r.tenantId, route: r.source.route, logical }, r.batchSize);
            const a = await hashTenantDocuments(target, r.tenantId, r.batchSize);
            const b = await hashTenantDocuments(source, r.tenantId, r.batchSize);
            if (!sameContent(a, b)) throw new VerificationFailedError(r.tenantId, logical, a, b, "target vs source after copy back");
            counts[logical] = { copied, pruned, hash: b };
          }
          await mark("copied-back", { collections: counts });
        }
      }
      if (!done.has("routed-back")) {
        // Back to "as the map says" (current route, open) in one write.
        await this.writeOverride(r, "open", "current");
        await mark("routed-back");
        // After cut-over, resolvers may still read the target until they refresh: wait before deleting it.
        if (wasCutover) await this.sleep(r.freezeBoundMs);
      }
      if (!done.has("target-cleared")) {
        const deleted: Record<string, number> = {};
        for (const logical of r.order) {
          const coll = this.collectionOf(dst, r.target.route, logical);
          deleted[logical] = await guardedDeleteMany(coll, tenantFilter(r.tenantId), { tenantId: r.tenantId, route: r.target.route, logical });
        }
        await mark("target-cleared", { deleted });
      }
      await this.options.control.remove(r.tenantId);
      const next = await this.journal.update(r, { state: "rolled-back", rolledBackAt: this.now().toISOString() }, "rolled-back", { from });
      await this.options.hooks?.afterStep?.("rolled-back", next);
      return next;
    });
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private async acquire(tenantId: string, step: string): Promise<MoveRecord> {
    const record = await this.journal.load(tenantId);
    if (!record) throw new MoveStateError(tenantId, "none", step, "no move was started");
    return this.journal.acquire(record);
  }

  private async withRelease(record: MoveRecord, body: (r: MoveRecord) => Promise<MoveRecord>): Promise<MoveRecord> {
    // The body updates the record; release whatever revision is current in the journal, mine or not (release is guarded).
    try {
      const out = await body(record);
      return await this.release(out);
    } catch (error) {
      const latest = await this.journal.load(record.tenantId).catch(() => null);
      if (latest) await this.journal.release(latest).catch(() => undefined);
      throw error;
    }
  }

  private async release(record: MoveRecord): Promise<MoveRecord> {
    await this.journal.release(record);
    const { lease: _lease, ...rest } = record;
    return { ...rest, revision: record.revision + 1 };
  }

  private expect(r: MoveRecord, states: readonly MoveState[], step: string): void {
    if (!states.includes(r.state)) throw new MoveStateError(r.tenantId, r.state, step);
  }

  private async writeOverride(r: MoveRecord, writes: TenantOverride["writes"], routeTo: TenantOverride["routeTo"]): Promise<void> {
    // The record's revision only grows (also across moves of the same tenant), so overrides are monotonic too.
    await this.options.control.write({ tenantId: r.tenantId, writes, routeTo, moveId: r.moveId, revision: r.revision + 1, updatedAt: this.now().toISOString() });
  }

  /** Waits what remains of the bound since the freeze was recorded (a resumed mover does not wait twice). */
  private async waitFreezeBound(r: MoveRecord): Promise<void> {
    const since = r.frozenAt ? this.now().getTime() - new Date(r.frozenAt).getTime() : 0;
    if (since < r.freezeBoundMs) await this.sleep(r.freezeBoundMs - since);
  }

  private collectionOf(client: BackendClient, route: Route, logical: string): BackendCollection {
    const physical = route.collections[logical];
    if (physical === undefined) throw new MoverError(`route has no collection ${logical}`);
    return client.db(route.database).collection(physical);
  }
}

/** A TenantEntry carries more than a Route; keep only the route's fields in the journal. */
function stripRoute(route: Route): Route {
  return { stage: route.stage, cluster: route.cluster, credential: route.credential, database: route.database, collections: { ...route.collections } };
}

function sameRoute(a: Route, b: Route): boolean {
  return JSON.stringify(stripRoute(a)) === JSON.stringify(stripRoute(b));
}

function describe(e: MoveEndpoint): string {
  return `${e.route.stage} ${e.route.cluster} ${e.route.database}`;
}
