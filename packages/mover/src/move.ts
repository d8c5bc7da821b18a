// The move protocol: declare → freeze → copy → verify → cut over → finish → clean up, and rollback. Every transition
// is one compare-and-set on the move's state document; every data write is fenced by the mover's lease.
import { userInfo } from "node:os";
import type { BackendClient, BackendCollection } from "@tenantry/contract/backend/types";
import type { ConnectionMap, Route } from "@tenantry/contract/connection-map/schema";
import { routeIdentity } from "@tenantry/contract/control/route";
import type { CollectionDeclarations } from "@tenantry/core/collections/index";
import { DEFAULT_CONTROL_REFRESH_MS, defaultFailClosedAfterMs, MOVE_DOCUMENT_KIND } from "@tenantry/resolver";
import { IndexMismatchError, LeaseLostError, MoveStateError, MoverError, NoMoveTargetError, RetentionNotElapsedError, RollbackConflictError, UnknownMoveTenantError, VerificationFailedError } from "./errors";
import { sameContent } from "./hash";
import { type Fence, MoveStore } from "./store";
import { type CollectionProgress, type JournalEntry, type MoveEndpoint, type MoveRecord, type MoveState, assertCommandAllowed, nextCommand } from "./state";
import {
  DEFAULT_BATCH_SIZE,
  canonicalId,
  copyTenantDocuments,
  deleteCopiesPresentIn,
  deleteTenantDocuments,
  ensureIndexes,
  hashTenantDocuments,
  missingIndexes,
  parseCanonicalId,
  prepareTarget,
  syncTenantDocuments,
  tenantFilter,
} from "./transfer";

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

/** Observation points for tests and benchmarks (a hook that throws stops the mover there, like a crash). */
export interface MoveHooks {
  /** After a step's state was recorded. */
  afterStep?: (state: MoveState, record: MoveRecord) => void | Promise<void>;
  /** After batch `batch` (1-based, counted per run) of `logical` was committed and checkpointed. */
  afterBatch?: (logical: string, batch: number) => void | Promise<void>;
}

export interface MoverOptions {
  /** The connection map; read at declare (start) and by finish. Later steps use the routes recorded at declare. */
  map: ConnectionMap;
  /** Opens (or returns a cached) client for one side of the move; the caller owns and closes the clients. */
  connect: (endpoint: MoveEndpoint) => Promise<BackendClient>;
  /** The control collection (the map's `control` location): one state document per move, read by every resolver. */
  store: BackendCollection;
  /** Where earlier moves' state documents are archived when a tenant moves again (`tenantry_moves`). */
  history?: BackendCollection;
  /** @default os.userInfo().username */
  actor?: string;
  /** Lease holder identity; @default derived from actor, host, pid. */
  owner?: string;
  /** @default 60 s */
  leaseMs?: number;
  /** Data writes stop this long before the lease could expire. @default 20 s */
  leaseMarginMs?: number;
  /** Takeover waits this long past a lease's recorded expiry. @default 5 s */
  clockSkewMs?: number;
  /** The freeze latency bound. @default DEFAULT_FREEZE_BOUND_MS (15 s) */
  freezeBoundMs?: number;
  /** @default 1000 */
  batchSize?: number;
  /** @default 7 */
  retentionDays?: number;
  /** The registry's collection declarations: the target gets them (`prepareTarget`) besides the source's own indexes. */
  collections?: CollectionDeclarations;
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
  private readonly store: MoveStore;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: MoverOptions) {
    const actor = options.actor ?? userInfo().username;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? realSleep;
    this.store = new MoveStore(options.store, options.history, {
      actor,
      owner: options.owner,
      leaseMs: options.leaseMs,
      leaseMarginMs: options.leaseMarginMs,
      clockSkewMs: options.clockSkewMs,
      now: this.now,
    });
  }

  /** Declares the move from the map entry's `target` and runs it up to `verified` (or through cut-over). */
  async start(tenantId: string, run: RunOptions = {}): Promise<MoveRecord> {
    const previous = await this.store.load(tenantId);
    assertCommandAllowed(tenantId, previous?.state ?? "none", "start");
    const fence = await this.declare(tenantId, previous);
    return this.held(fence, async (f) => {
      await this.options.hooks?.afterStep?.("declared", f.record);
      await this.advance(f, run);
    });
  }

  /** Continues the tenant's move from its state document: a crashed copy resumes after its last checkpoint. */
  async resume(tenantId: string, run: RunOptions = {}): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "resume"), async (f) => {
      if (f.record.state === "rolling-back") await this.rollbackPhases(f);
      else await this.advance(f, run);
    });
  }

  /** Verifies (again) without cutting over; from `copied` or `verified`. */
  async verify(tenantId: string): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "verify"), (f) => this.verifyStep(f));
  }

  /** Re-synchronises and checks the target's indexes, re-verifies, then routes to the target and unfreezes in one write. */
  async cutover(tenantId: string): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "cutover"), (f) => this.cutoverStep(f));
  }

  /** Returns the tenant to its source, losing no acknowledged write, from any state before finish. */
  async rollback(tenantId: string): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "rollback"), async (f) => {
      if (f.record.state === "rolled-back") return;
      if (f.record.state !== "rolling-back") {
        const from = f.record.state;
        // After cut-over the target takes the application's writes: freeze them there first (route unchanged).
        const cut = from === "cutover";
        await f.cas(
          { state: "rolling-back", rollback: { from, phase: cut ? "freeze-target" : "clear-target", since: this.now().toISOString() }, ...(cut ? { route: { writes: "frozen", to: "target" } } : {}) },
          "rollback-start",
          { from },
        );
        await this.options.hooks?.afterStep?.("rolling-back", f.record);
      }
      await this.rollbackPhases(f);
    });
  }

  /**
   * Ends the move once the map routes the tenant to the target itself (`cutOver: true` on the move, `pulumi up` done):
   * after re-synchronising the target's indexes once more. Clean-up (after the retention window) clears the override.
   */
  async finish(tenantId: string): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "finish"), async (f) => {
      const r = f.record;
      if (r.state === "finished") return;
      const entry = this.options.map.tenants[tenantId];
      if (!entry || entry.target !== undefined || routeIdentity(entry) !== r.routes.target) {
        throw new MoveStateError(tenantId, r.state, "finish", ["cutover"], "the connection map does not route the tenant to the target yet: set cutOver: true on its move in the registry, pulumi up, then finish with that map");
      }
      const indexes = await this.syncIndexes(f);
      // The override stays (open, to the target): a resolver still on the previous map keeps reading the target, one on
      // the new map finds the target as its current route. Clean-up clears it.
      await f.cas({ state: "finished", route: { writes: "open", to: "target" }, finishedAt: this.now().toISOString() }, "finish", { indexes });
      await this.options.hooks?.afterStep?.("finished", f.record);
    });
  }

  /**
   * Deletes the tenant's source documents once the retention window has passed, after proving the source is exactly
   * what was verified on the target at cut-over (so every document deleted was present there).
   */
  async cleanup(tenantId: string): Promise<MoveRecord> {
    return this.held(await this.store.acquire(tenantId, "cleanup"), async (f) => {
      const r = f.record;
      if (r.state === "cleaned") return;
      const notBefore = new Date(new Date(r.cutoverAt ?? r.updatedAt).getTime() + r.retentionDays * 86_400_000);
      if (this.now().getTime() < notBefore.getTime()) throw new RetentionNotElapsedError(tenantId, notBefore);
      const src = await this.options.connect(r.source);
      // The proof is recorded before the first delete, so a clean-up that dies half way resumes without re-proving.
      if (r.cleanupProvenAt === undefined) {
        for (const logical of r.order) {
          const now = await hashTenantDocuments(this.collectionOf(src, r.source.route, logical), tenantId, r.batchSize);
          const then = r.collections[logical]?.source;
          if (!then || !sameContent(then, now)) {
            throw new VerificationFailedError(tenantId, logical, then ?? { count: 0, hash: "" }, now, "source at cut-over vs source now (written after the cut-over: not deleting it)");
          }
        }
        await f.cas({ cleanupProvenAt: this.now().toISOString() }, "cleanup-proven", { reason: "the source is what was verified on the target at cut-over" });
      }
      const deleted: Record<string, number> = {};
      for (const logical of r.order) {
        const coll = this.collectionOf(src, r.source.route, logical);
        deleted[logical] = await deleteTenantDocuments(coll, { tenantId, route: r.source.route, logical }, r.batchSize, () => f.guard());
      }
      await f.cas({ state: "cleaned", route: null, cleanedAt: this.now().toISOString() }, "cleanup", { deleted });
      await this.options.hooks?.afterStep?.("cleaned", f.record);
    });
  }

  /** The tenant's move state document and its journal entries (read from that one document). */
  async status(tenantId: string): Promise<MoveStatus> {
    const record = await this.store.load(tenantId);
    return { record, entries: record?.log ?? [] };
  }

  // ---- steps ---------------------------------------------------------------------------------------------------

  private async declare(tenantId: string, previous: MoveRecord | null): Promise<Fence> {
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
    // A target that already holds documents of the tenant: a rollback could not tell them from copies. Refuse.
    const dst = await this.options.connect(target);
    for (const logical of order) {
      const n = await this.collectionOf(dst, target.route, logical).countDocuments(tenantFilter(tenantId));
      if (n > 0) {
        throw new MoveStateError(tenantId, previous?.state ?? "none", "start", ["none", "finished", "cleaned", "rolled-back"], `the target ${logical} already holds ${n} documents of the tenant: remove them (or declare another target) first`);
      }
    }
    const now = this.now().toISOString();
    const collections: Record<string, CollectionProgress> = {};
    for (const logical of order) collections[logical] = { copied: 0, batches: 0, done: false };
    return this.store.create(
      {
        _id: tenantId,
        kind: MOVE_DOCUMENT_KIND,
        tenantId,
        moveId: `${tenantId}@${now}`,
        state: "declared",
        route: null,
        routes: { source: routeIdentity(source.route), target: routeIdentity(target.route) },
        source,
        target,
        order,
        collections,
        batchSize: this.options.batchSize ?? DEFAULT_BATCH_SIZE,
        retentionDays: this.options.retentionDays ?? DEFAULT_RETENTION_DAYS,
        freezeBoundMs: this.options.freezeBoundMs ?? DEFAULT_FREEZE_BOUND_MS,
        startedBy: this.store.actor,
        startedAt: now,
      },
      previous,
      { source: describe(source), target: describe(target), collections: order },
    );
  }

  /** Runs the forward steps from the record's state. */
  private async advance(f: Fence, run: RunOptions): Promise<void> {
    for (;;) {
      switch (f.record.state) {
        case "declared":
          await this.freezeStep(f);
          break;
        case "frozen":
          await this.beginCopy(f);
          break;
        case "copying":
          await this.copyStep(f);
          break;
        case "copied":
          await this.verifyStep(f);
          break;
        case "verified":
          if (!run.cutover) return;
          await this.cutoverStep(f);
          break;
        default:
          return;
      }
    }
  }

  private async freezeStep(f: Fence): Promise<void> {
    await f.cas({ state: "frozen", route: { writes: "frozen", to: "source" }, frozenAt: this.now().toISOString() }, "freeze", { freezeBoundMs: f.record.freezeBoundMs });
    await this.options.hooks?.afterStep?.("frozen", f.record);
  }

  private async beginCopy(f: Fence): Promise<void> {
    // Every resolver must have seen the freeze before the first read, or a write could land after its document was copied.
    await this.waitFreezeBound(f);
    const indexes = await this.syncIndexes(f);
    await f.cas({ state: "copying" }, "indexes", { indexes });
    await this.options.hooks?.afterStep?.("copying", f.record);
  }

  private async copyStep(f: Fence): Promise<void> {
    const r = f.record;
    const src = await this.options.connect(r.source);
    const dst = await this.options.connect(r.target);
    for (const logical of r.order) {
      const progress = f.record.collections[logical] ?? { copied: 0, batches: 0, done: false };
      if (progress.done) continue;
      let batch = 0;
      let state = progress;
      await copyTenantDocuments(this.collectionOf(src, r.source.route, logical), this.collectionOf(dst, r.target.route, logical), {
        tenantId: r.tenantId,
        batchSize: r.batchSize,
        after: progress.lastId === undefined ? undefined : parseCanonicalId(progress.lastId),
        guard: () => f.guard(),
        onBatch: async ({ lastId, count }) => {
          batch += 1;
          state = { ...state, lastId: canonicalId(lastId), copied: state.copied + count, batches: state.batches + 1 };
          // The checkpoint is also the lease renewal before the next batch.
          await f.cas({ [`collections.${logical}`]: state });
          await this.options.hooks?.afterBatch?.(logical, batch);
        },
      });
      state = { ...state, done: true };
      await f.cas({ [`collections.${logical}`]: state }, "copy-collection", { collection: logical, copied: state.copied, batches: state.batches });
    }
    await f.cas({ state: "copied" }, "copied", { copied: Object.fromEntries(r.order.map((l) => [l, f.record.collections[l]?.copied ?? 0])) });
    await this.options.hooks?.afterStep?.("copied", f.record);
  }

  /** Hashes every collection on both sides; records the hashes; throws on the first mismatch (state → copied). */
  private async verifyStep(f: Fence): Promise<void> {
    const r = f.record;
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
      await f.cas({ state: "copied", collections }, "verify-failed", { collection: failure.collection, source: failure.expected, target: failure.actual });
      throw failure;
    }
    await f.cas({ state: "verified", collections, verifiedAt: this.now().toISOString() }, "verify", {
      hashes: Object.fromEntries(r.order.map((l) => [l, collections[l]?.target])),
    });
    await this.options.hooks?.afterStep?.("verified", f.record);
  }

  private async cutoverStep(f: Fence): Promise<void> {
    if (f.record.state === "cutover") return;
    // Indexes created on the source during the move (after the copy began) are created on the target now, and checked.
    const indexes = await this.syncIndexes(f);
    if (this.options.verifyBeforeCutover !== false) await this.verifyStep(f);
    // One write: every resolver switches routing and unfreezes at its next refresh, none sees one without the other.
    await f.cas({ state: "cutover", route: { writes: "open", to: "target" }, cutoverAt: this.now().toISOString() }, "cutover", {
      indexes,
      next: nextCommand("cutover"),
    });
    await this.options.hooks?.afterStep?.("cutover", f.record);
  }

  /**
   * The rollback phases, each recorded before it starts, each idempotent.
   * After cut-over: `freeze-target` (writes frozen on the target, wait the freeze bound) → decide from the state
   * document and the data: the source must still be what was verified at cut-over (else both sides took writes:
   * refuse, stay cut over) → `copy-back` (the source takes the target's state: differences only) → route back, open,
   * wait the bound → `clear-target`. Before cut-over the source was never left: `clear-target` only.
   * `clear-target` deletes only target documents whose `_id` the source has (copies); any other is kept and counted.
   */
  private async rollbackPhases(f: Fence): Promise<void> {
    const src = await this.options.connect(f.record.source);
    const dst = await this.options.connect(f.record.target);
    const { tenantId, order } = f.record;
    const sourceOf = (logical: string) => this.collectionOf(src, f.record.source.route, logical);
    const targetOf = (logical: string) => this.collectionOf(dst, f.record.target.route, logical);
    const from = f.record.rollback?.from ?? "declared";
    if (f.record.rollback?.phase === "freeze-target") {
      await this.waitSince(f, f.record.rollback.since);
      for (const logical of order) {
        const then = f.record.collections[logical]?.source;
        const now = await hashTenantDocuments(sourceOf(logical), tenantId, f.record.batchSize);
        if (!then || !sameContent(then, now)) {
          // Undo the freeze: the tenant keeps working on the target, nothing was deleted anywhere.
          await f.cas({ state: "cutover", rollback: null, route: { writes: "open", to: "target" } }, "rollback-refused", { collection: logical, atCutover: then, now });
          throw new RollbackConflictError(tenantId, logical, then ?? { count: 0, hash: "" }, now);
        }
      }
      await f.cas({ "rollback.phase": "copy-back", "rollback.since": this.now().toISOString() }, "rollback-decided", { direction: "target → source", reason: "the source is unchanged since the cut-over" });
    }
    if (f.record.rollback?.phase === "copy-back") {
      const counts: Record<string, unknown> = {};
      for (const logical of order) {
        const scope = { tenantId, route: f.record.source.route, logical };
        const { written, deleted } = await syncTenantDocuments(targetOf(logical), sourceOf(logical), scope, f.record.batchSize, () => f.guard());
        const a = await hashTenantDocuments(targetOf(logical), tenantId, f.record.batchSize);
        const b = await hashTenantDocuments(sourceOf(logical), tenantId, f.record.batchSize);
        if (!sameContent(a, b)) throw new VerificationFailedError(tenantId, logical, a, b, "target vs source after copy back");
        counts[logical] = { written, deleted, hash: b };
      }
      // Back to the source, open, in the same write that records the phase.
      await f.cas({ "rollback.phase": "clear-target", "rollback.since": this.now().toISOString(), route: { writes: "open", to: "source" } }, "rollback-copied-back", { collections: counts });
    }
    if (f.record.rollback?.phase === "clear-target") {
      // After cut-over, resolvers may still read the target until they refresh: wait before deleting its copy.
      if (from === "cutover") await this.waitSince(f, f.record.rollback.since);
      const deleted: Record<string, number> = {};
      const kept: Record<string, number> = {};
      for (const logical of order) {
        const scope = { tenantId, route: f.record.target.route, logical };
        if (from === "cutover") {
          // The copy-back proved (equal hashes, recorded) that the source had every target document; the target took
          // no write since: all of it is copies, even of documents the application has deleted on the source since.
          deleted[logical] = await deleteTenantDocuments(targetOf(logical), scope, f.record.batchSize, () => f.guard());
          kept[logical] = 0;
        } else {
          // Before cut-over the source stays frozen until this phase ends: a target document is a copy iff the source has it.
          const res = await deleteCopiesPresentIn(targetOf(logical), sourceOf(logical), scope, f.record.batchSize, () => f.guard());
          deleted[logical] = res.deleted;
          kept[logical] = res.kept;
        }
      }
      await f.cas({ state: "rolled-back", route: null, rolledBackAt: this.now().toISOString() }, "rolled-back", { from, deleted, kept });
      await this.options.hooks?.afterStep?.("rolled-back", f.record);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  /** Runs a command's body under its lease; gives the lease back at the end, also on an error (never after losing it). */
  private async held(fence: Fence, body: (f: Fence) => Promise<void>): Promise<MoveRecord> {
    try {
      await body(fence);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) await fence.release().catch(() => undefined);
      throw error;
    }
    return fence.release();
  }

  /** Creates the source's (and registry's) indexes on the target and checks it has them all. */
  private async syncIndexes(f: Fence): Promise<Record<string, string[]>> {
    const r = f.record;
    const src = await this.options.connect(r.source);
    const dst = await this.options.connect(r.target);
    await f.guard();
    const declared = this.options.collections ? await prepareTarget(dst, r.target.route, r.tenantId, this.options.collections) : {};
    const created: Record<string, string[]> = {};
    for (const logical of r.order) {
      const source = this.collectionOf(src, r.source.route, logical);
      const target = this.collectionOf(dst, r.target.route, logical);
      await f.guard();
      created[logical] = [...(declared[logical] ?? []), ...(await ensureIndexes(source, target))];
      const missing = await missingIndexes(source, target, declared[logical]);
      if (missing.length > 0) throw new IndexMismatchError(r.tenantId, logical, missing);
    }
    return created;
  }

  /** Waits what remains of the freeze bound since the freeze was recorded (a resumed mover does not wait twice). */
  private async waitFreezeBound(f: Fence): Promise<void> {
    await this.waitSince(f, f.record.frozenAt);
  }

  private async waitSince(f: Fence, since: string | undefined): Promise<void> {
    const elapsed = since ? this.now().getTime() - new Date(since).getTime() : 0;
    if (elapsed < f.record.freezeBoundMs) await f.sleep(f.record.freezeBoundMs - elapsed, this.sleep);
  }

  private collectionOf(client: BackendClient, route: Route, logical: string): BackendCollection {
    const physical = route.collections[logical];
    if (physical === undefined) throw new MoverError(`route has no collection ${logical}`);
    return client.db(route.database).collection(physical);
  }
}

/** A TenantEntry carries more than a Route; keep only the route's fields in the state document. */
function stripRoute(route: Route): Route {
  return { stage: route.stage, cluster: route.cluster, credential: route.credential, database: route.database, collections: { ...route.collections } };
}

function describe(e: MoveEndpoint): string {
  return `${e.route.stage} ${e.route.cluster} ${e.route.database}`;
}
