// The move's state machine and the shape of its journal documents (the current-state record and the entries).
import type { ClusterEntry, CredentialRef, Route } from "../connection-map/schema";
import type { ContentHash } from "./hash";

/**
 * `declared → frozen → copying → copied → verified → cutover → finished | cleaned`, and
 * `rolling-back → rolled-back` from any state before clean-up (and before finish).
 */
export const MOVE_STATES = [
  "declared",
  "frozen",
  "copying",
  "copied",
  "verified",
  "cutover",
  "finished",
  "cleaned",
  "rolling-back",
  "rolled-back",
] as const;
export type MoveState = (typeof MOVE_STATES)[number];

/** States after which a new move of the tenant may start. */
export const TERMINAL_STATES: readonly MoveState[] = ["finished", "cleaned", "rolled-back"];

/** States a rollback may start from (a cut-over tenant rolls back until `move finish` or clean-up). */
export const ROLLBACK_FROM: readonly MoveState[] = ["declared", "frozen", "copying", "copied", "verified", "cutover", "rolling-back"];

/** One side of a move, copied from the connection map at declare time so later steps never depend on a newer map. */
export interface MoveEndpoint {
  route: Route;
  /** The cluster entry `route.cluster` named when the move was declared. */
  cluster: ClusterEntry;
  /** The credential reference `route.credential` named when the move was declared. */
  credentialRef: CredentialRef;
}

/** Copy and verify progress of one logical collection. */
export interface CollectionProgress {
  /** Canonical EJSON of the last `_id` of the last committed batch; absent before the first batch. */
  lastId?: string;
  /** Documents written to the target so far (upserts; a replayed batch counts again). */
  copied: number;
  batches: number;
  done: boolean;
  /** Filled by verify. */
  source?: ContentHash;
  target?: ContentHash;
}

/** Progress of a rollback, so a crashed rollback resumes where it stopped. */
export interface RollbackProgress {
  /** State the rollback started from. */
  from: MoveState;
  /** Phases done, in order: frozen, copied-back, routed-back, target-cleared. */
  done: string[];
}

/** The current-state document of a tenant's move: one per tenant, guarded by `revision`. */
export interface MoveRecord {
  /** `move:<tenantId>`. */
  _id: string;
  kind: "state";
  tenantId: string;
  /** Identity of this move (a tenant can move several times; the record keeps the latest). */
  moveId: string;
  state: MoveState;
  /** Incremented by every write; a write with a stale revision fails (two movers cannot both advance). */
  revision: number;
  source: MoveEndpoint;
  target: MoveEndpoint;
  /** Logical collections in copy order. */
  order: string[];
  collections: Record<string, CollectionProgress>;
  batchSize: number;
  retentionDays: number;
  /** How long the mover waited after freezing before reading (the freeze latency bound). */
  freezeBoundMs: number;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
  frozenAt?: string;
  verifiedAt?: string;
  cutoverAt?: string;
  finishedAt?: string;
  cleanedAt?: string;
  rolledBackAt?: string;
  rollback?: RollbackProgress;
  /** Who may write the record right now. */
  lease?: { owner: string; expiresAt: Date };
}

/** One append-only journal entry. */
export interface JournalEntry {
  /** `<moveId>#<revision, 8 digits>`: replaying a write cannot append twice. */
  _id: string;
  kind: "entry";
  tenantId: string;
  moveId: string;
  revision: number;
  /** `os.userInfo().username` or `--actor`. */
  actor: string;
  at: string;
  step: string;
  /** Counts, hashes, checkpoints: whatever the step has to say. */
  detail: Record<string, unknown>;
}
