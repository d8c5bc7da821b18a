// Runtime overrides a move sets without a redeploy: freeze a tenant's writes, switch its routing to the target.
// Running resolvers poll a ControlStore; the mover writes it. See src/mover for the protocol.

/** The override of one tenant; absent means "as the connection map says". */
export interface TenantOverride {
  tenantId: string;
  /** `frozen`: reads continue, every write throws a retryable error. */
  writes: "open" | "frozen";
  /** `target`: route to the map's `target` route (after cut-over); ignored when the map has no target. */
  routeTo: "current" | "target";
  /** The move this override belongs to. */
  moveId: string;
  /** Monotonic per tenant; a resolver never applies an older revision over a newer one. */
  revision: number;
  updatedAt: string;
}

/** Where overrides live (a small control collection in production, memory in tests). */
export interface ControlStore {
  /** Every current override, keyed by tenant id. */
  readAll(): Promise<ReadonlyMap<string, TenantOverride>>;
  /** Writes one override (upsert by tenant id, refusing a lower revision). */
  write(override: TenantOverride): Promise<void>;
  /** Removes a tenant's override once the map itself says what it said. */
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
