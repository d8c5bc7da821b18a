// The move's state machine: the one state document per move, which command each state allows, and what the
// application reads meanwhile (the rule import and the resolver share).
import type { ClusterEntry, ConnectionMap, CredentialRef, Route } from "@tenantry/contract/connection-map/schema";
import { overrideOfDocument } from "@tenantry/resolver";
import { chooseRoute, routeIdentity } from "@tenantry/contract/control/route";
import type { RouteIdentity } from "@tenantry/contract/control/types";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import { MoveStateError } from "./errors";
import type { ContentHash } from "./hash";

/**
 * `declared → frozen → copying → copied → verified → cutover → finished → cleaned`, and
 * `rolling-back → rolled-back` from any state before finish.
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

/** States after which a new move of the tenant may start (and import may write). */
export const TERMINAL_STATES: readonly MoveState[] = ["finished", "cleaned", "rolled-back"];

/** States a rollback may start from (a cut-over tenant rolls back until `move finish`). */
export const ROLLBACK_FROM: readonly MoveState[] = ["declared", "frozen", "copying", "copied", "verified", "cutover", "rolling-back"];

/** The commands of `tenantry move` that change a move, plus import (which must not race a move). */
export type MoveCommand = "start" | "resume" | "verify" | "cutover" | "rollback" | "finish" | "cleanup" | "import";

/** The states each command accepts (besides the state it would reach, where it is a no-op). */
export const COMMAND_NEEDS: Readonly<Record<MoveCommand, readonly (MoveState | "none")[]>> = {
  start: ["none", "finished", "cleaned", "rolled-back"],
  resume: ["declared", "frozen", "copying", "copied", "verified", "cutover", "rolling-back"],
  verify: ["copied", "verified"],
  cutover: ["verified", "cutover"],
  rollback: [...ROLLBACK_FROM, "rolled-back"],
  finish: ["cutover", "finished"],
  cleanup: ["finished", "cleaned"],
  import: ["none", "finished", "cleaned", "rolled-back"],
};

/** What to run from a state (the advice a refused command gives). */
export function nextCommand(state: MoveState | "none"): string {
  switch (state) {
    case "none":
      return "run `tenantry move start` once the registry declares the move";
    case "declared":
    case "frozen":
    case "copying":
    case "copied":
      return "run `tenantry move resume` (or `tenantry move rollback`)";
    case "verified":
      return "run `tenantry move cutover` (or `tenantry move rollback`)";
    case "cutover":
      return "set cutOver: true on the tenant's move in the registry, run pulumi up, then `tenantry move finish` (or `tenantry move rollback`)";
    case "finished":
      return "run `tenantry move cleanup` once the retention window has passed";
    case "rolling-back":
      return "run `tenantry move rollback` to finish the rollback";
    case "cleaned":
    case "rolled-back":
      return "the move is over; `tenantry move start` begins a new one";
  }
}

/** Throws MoveStateError (naming the command to run instead) unless `command` accepts `state`. */
export function assertCommandAllowed(tenantId: string, state: MoveState | "none", command: MoveCommand): void {
  const needs = COMMAND_NEEDS[command];
  if (!needs.includes(state)) throw new MoveStateError(tenantId, state, command, needs, nextCommand(state));
}

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
  /** Filled by verify (the last verify before cut-over: the state both sides had at cut-over). */
  source?: ContentHash;
  target?: ContentHash;
}

/** Phases of a rollback, in order; after cut-over all of them, before it only `clear-target`. */
export type RollbackPhase = "freeze-target" | "copy-back" | "clear-target";

export interface RollbackProgress {
  /** State the rollback started from. */
  from: MoveState;
  phase: RollbackPhase;
  /** When the phase was recorded: its freeze-bound wait counts from here (a resumed rollback does not wait twice). */
  since: string;
}

/** The override part: what resolvers apply (`null`: as the map says). */
export interface RouteOverride {
  writes: "open" | "frozen";
  /** `source`: the map's current route at declare time; `target`: the declared target. */
  to: "source" | "target";
}

/** Who may write the move now; `epoch` grows at every acquisition, so a taken-over holder's writes all miss. */
export interface Lease {
  owner: string;
  epoch: number;
  /** ISO time (the holder's clock) after which another mover may take the move over (plus the clock skew allowance). */
  expiresAt: string;
}

/** One journal entry (who, when, what step, counts and hashes), kept inside the state document. */
export interface JournalEntry {
  /** Revision the entry was written with. */
  revision: number;
  epoch: number;
  /** `os.userInfo().username` or `--actor`. */
  actor: string;
  owner: string;
  at: string;
  step: string;
  detail: Record<string, unknown>;
}

/**
 * The state document of a tenant's move, at the map's control location (`_id` = tenant id). Every transition is one
 * compare-and-set on `revision` and the writer's `epoch`: step, override, lease and journal change together or not at
 * all, so a crash leaves exactly one recorded state.
 */
export interface MoveRecord {
  _id: string;
  kind: "move";
  tenantId: string;
  /** Identity of this move (a tenant can move several times; earlier moves' documents go to the history collection). */
  moveId: string;
  state: MoveState;
  /** Incremented by every write; also what resolvers order overrides by. */
  revision: number;
  /** Incremented by every lease acquisition. */
  epoch: number;
  lease: Lease | null;
  route: RouteOverride | null;
  routes: { source: RouteIdentity; target: RouteIdentity };
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
  /** Clean-up proved the source unchanged since the cut-over (recorded before its first delete). */
  cleanupProvenAt?: string;
  cleanedAt?: string;
  rolledBackAt?: string;
  rollback?: RollbackProgress | null;
  log: JournalEntry[];
}

/** The route a state document makes resolvers use, by identity: what the application reads now. */
export function routeOfRecord(record: MoveRecord | null): "source" | "target" | "map" {
  if (!record || record.route === null) return "map";
  return record.route.to;
}

/** The tenant's move state document, or null when it never moved. */
export async function loadMove(store: BackendCollection, tenantId: string): Promise<MoveRecord | null> {
  return (await store.findOne({ _id: tenantId as never })) as MoveRecord | null;
}

/**
 * For import (and any tool that writes tenant data outside a move): refuses while a move of the tenant is not finished
 * (MoveStateError naming the command to run), else returns the tenant's state document (or null).
 */
export async function assertNoUnfinishedMove(store: BackendCollection, tenantId: string): Promise<MoveRecord | null> {
  const record = await loadMove(store, tenantId);
  assertCommandAllowed(tenantId, record?.state ?? "none", "import");
  return record;
}

/**
 * The route the application reads for a tenant: the map's current route, unless the state document's override
 * selects the target; the same rule as the resolver's (chooseRoute). Throws MoveStateError when the override names a
 * route the map does not have (the map is ahead of or behind the move).
 */
export function liveRoute(map: ConnectionMap, tenantId: string, record: MoveRecord | null): Route {
  const entry = map.tenants[tenantId];
  if (!entry) throw new MoveStateError(tenantId, record?.state ?? "none", "import", COMMAND_NEEDS.import, "the tenant is not in the connection map");
  const override = record ? overrideOfDocument(record) : undefined;
  const current = { identity: routeIdentity(entry) };
  const target = entry.target ? { identity: routeIdentity(entry.target) } : undefined;
  const choice = chooseRoute(override, current, target);
  if (choice === "none") {
    throw new MoveStateError(tenantId, record?.state ?? "none", "import", COMMAND_NEEDS.import, "the move's override names a route this connection map does not have: use the map the resolvers use");
  }
  return choice === "target" && entry.target ? entry.target : entry;
}
