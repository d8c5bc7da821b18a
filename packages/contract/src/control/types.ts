// What a running resolver reads from the control location: per tenant, the freeze and the route a move has set.
// The mover writes one state document per move there (src/mover/store.ts); resolvers only read it.

/** Identity of a route: stage, cluster, database and physical collections (see routeIdentity). */
export type RouteIdentity = string;

/** The override of one tenant; absent means "as the connection map says". */
export interface TenantOverride {
  tenantId: string;
  /** `frozen`: reads continue, every write throws a retryable error. */
  writes: "open" | "frozen";
  /** `current`: the move's source (the map's current route); `target`: the move's target (after cut-over). */
  routeTo: "current" | "target";
  /** The move this override belongs to. */
  moveId: string;
  /** Monotonic per tenant; a resolver never applies an older revision over a newer one. */
  revision: number;
  updatedAt: string;
  /**
   * The identities of the move's two routes. When present the resolver serves the side `routeTo` names only if the
   * map has a route with that identity, and fails closed otherwise (a map deployed ahead of, or behind, the move).
   * Absent in hand-written overrides (tests): then `current` / `target` are the map's routes of those names.
   */
  routes?: { source: RouteIdentity; target: RouteIdentity };
}

/** Where resolvers read overrides (the map's control location in production, memory in tests). */
export interface ControlStore {
  /** Every current override, keyed by tenant id. */
  readAll(): Promise<ReadonlyMap<string, TenantOverride>>;
}

/** A ControlStore a test (or a single-process tool) writes by hand. The mover never uses this: it writes state documents. */
export interface WritableControlStore extends ControlStore {
  /** Writes one override (upsert by tenant id, refusing a lower revision). */
  write(override: TenantOverride): Promise<void>;
  /** Removes a tenant's override. */
  remove(tenantId: string): Promise<void>;
}

/** A write carrying a lower revision than the stored override: someone newer already wrote; re-read and decide. */
export class StaleOverrideRevisionError extends Error {
  override readonly name = "StaleOverrideRevisionError";
  constructor(
    readonly tenantId: string,
    /** The revision the write carried. */
    readonly attempted: number,
    /** The stored revision, when known. */
    readonly current: number | undefined,
  ) {
    super(`override of tenant [${tenantId}] is at revision ${current ?? "?"}, refusing revision ${attempted}`);
  }
}
