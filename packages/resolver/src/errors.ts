// Every error the resolver throws that a caller may branch on: classes carrying the data, never bare strings.
import type { z } from "zod";

/** The connection map given to `createResolver` or `reload` does not satisfy the connection map schema. */
export class InvalidConnectionMapError extends Error {
  override readonly name = "InvalidConnectionMapError";
  constructor(
    /** Every zod issue, with its path inside the map. */
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`invalid connection map: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
}

/** `forTenant` got a context it cannot trust: missing, empty, non-string or unsafe ids. Never a silent empty filter. */
export class MalformedContextError extends Error {
  override readonly name = "MalformedContextError";
  constructor(
    /** Which part of the context: `context`, `tenantId` or `userId`. */
    readonly field: "context" | "tenantId" | "userId",
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`malformed tenant context: ${field} ${reason}`);
  }
}

/** The tenant id is well formed but not in the connection map. */
export class UnknownTenantError extends Error {
  override readonly name = "UnknownTenantError";
  constructor(readonly tenantId: string) {
    super(`unknown tenant [${tenantId}]`);
  }
}

/** The tenant is being offboarded: the resolver refuses every operation. */
export class TenantOffboardedError extends Error {
  override readonly name = "TenantOffboardedError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is offboarding; its data is no longer served`);
  }
}

/** A write to a frozen tenant (map status `frozen`, or a freeze override during a move). Retry after the move. */
export class TenantFrozenError extends Error {
  override readonly name = "TenantFrozenError";
  /** Always true: the freeze is temporary. */
  readonly retryable = true as const;
  constructor(
    readonly tenantId: string,
    /** `map` (status frozen) or `control` (a move's override). */
    readonly source: "map" | "control",
  ) {
    super(`tenant [${tenantId}] is frozen (${source === "map" ? "connection map status" : "move in progress"}); retry the write later`);
  }
}

/**
 * The control store has not been read successfully for longer than `control.failClosedAfterMs`: the resolver cannot
 * know whether a move froze the tenant, so writes fail closed. Reads continue.
 */
export class ControlStoreStaleError extends Error {
  override readonly name = "ControlStoreStaleError";
  readonly retryable = true as const;
  constructor(
    readonly tenantId: string,
    /** Milliseconds since the last successful read. */
    readonly staleForMs: number,
  ) {
    super(`control store not read for ${staleForMs} ms: refusing writes of tenant [${tenantId}] until it is reachable`);
  }
}

/**
 * A tenant with a declared move (its map entry has a `target`) is served only once the control store was read: until
 * then the resolver cannot know whether the move has cut over, so reads and writes both fail (after at most
 * `control.coldStartWaitMs`). Also thrown while a moving tenant's snapshot is stale, and when the override names a
 * route the map does not have (the map was deployed ahead of or behind the move). Retry later.
 */
export class ControlStoreUnavailableError extends Error {
  override readonly name = "ControlStoreUnavailableError";
  readonly retryable = true as const;
  constructor(
    readonly tenantId: string,
    /** `cold-start`: no read succeeded yet; `stale`: none for longer than failClosedAfterMs; `route-mismatch`. */
    readonly reason: "cold-start" | "stale" | "route-mismatch",
  ) {
    super(
      reason === "route-mismatch"
        ? `tenant [${tenantId}]: the move's override names a route this connection map does not have; refusing to guess (reload the current map)`
        : `tenant [${tenantId}] has a declared move and the control store ${reason === "cold-start" ? "has not been read yet" : "is stale"}: refusing to serve it from a route that may be out of date; retry later`,
    );
  }
}

/** `scope.collection(name)` (or a `$lookup`) named a collection the connection map does not declare. */
export class UndeclaredCollectionError extends Error {
  override readonly name = "UndeclaredCollectionError";
  constructor(
    readonly collection: string,
    /** The declared logical collections. */
    readonly declared: readonly string[],
  ) {
    super(`collection [${collection}] is not declared in the connection map (declared: ${declared.join(", ") || "none"})`);
  }
}

/** Why an operation was refused. */
export type IsolationReason =
  /** `$where`, `$function`, `$accumulator`, BSON Code, `serializeFunctions`. */
  | "server-side-js"
  /** `__proto__`, `constructor`, `prototype` as a key. */
  | "forbidden-key"
  /** Not a plain object / array where one is required, too deep, or an unknown operator. */
  | "malformed-argument"
  /** An update, pipeline update or replacement that would change or drop `tenant_id` / `user_id`. */
  | "tag-write"
  /** An aggregation or change stream stage that reads or writes outside the tenant's data. */
  | "forbidden-stage"
  /** An option that weakens isolation (`bypassDocumentValidation`, a weak collation, `explain`...). */
  | "forbidden-option"
  /** An operation that cannot be scoped to one tenant (`estimatedDocumentCount`, `drop`, raw commands...). */
  | "unscopable-operation";

/** An operation refused because it could cross, drop or weaken the tenant boundary. */
export class IsolationViolationError extends Error {
  override readonly name: string = "IsolationViolationError";
  constructor(
    readonly reason: IsolationReason,
    /** The method called, e.g. `aggregate`. */
    readonly method: string,
    /** Where in the argument, e.g. `pipeline[2].$lookup.from`. */
    readonly path: string,
    detail: string,
  ) {
    super(`${method}: ${path ? `${path}: ` : ""}${detail}`);
  }
}

/** A write carrying another tenant's (or user's) tag. */
export class CrossTenantWriteError extends IsolationViolationError {
  override readonly name = "CrossTenantWriteError";
  constructor(
    method: string,
    path: string,
    /** `tenant_id` or `user_id`. */
    readonly field: string,
  ) {
    super("tag-write", method, path, `${field} must be this scope's value (or absent); refusing to write another value`);
  }
}

/** An operation on a resolver after `close()`. */
export class ResolverClosedError extends Error {
  override readonly name = "ResolverClosedError";
  constructor() {
    super("the resolver is closed");
  }
}

/** A credential reference could not be turned into a username and password. */
export class CredentialsUnavailableError extends Error {
  override readonly name = "CredentialsUnavailableError";
  constructor(
    /** Connection-map key of the credential. */
    readonly credentialKey: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`credentials [${credentialKey}] unavailable: ${reason}`, options);
  }
}
