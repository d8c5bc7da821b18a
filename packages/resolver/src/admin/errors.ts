// Errors of the admin scope and its audit trail: classes carrying the data a caller (or the CLI) branches on.

/** `resolver.admin()` without a usable actor or reason (or a write without a ticket): refused, nothing runs. */
export class AdminContextError extends Error {
  override readonly name = "AdminContextError";
  constructor(
    /** The missing or malformed field. */
    readonly field: "context" | "actor" | "reason" | "ticket" | "userId" | "options",
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`admin ${field} ${reason}`);
  }
}

/** Why an admin write was refused. */
export type AdminWriteRefusal =
  /** The fan-out was not opened with `allowWrites: true`. */
  | "writes-not-allowed"
  /** `allowWrites: true` without a non-empty `ticket`. */
  | "no-ticket"
  /** A write to a user-scoped collection across every user of a tenant: go through `forUser(userId)`. */
  | "user-scoped";

/** An admin write refused before it touched any tenant (its audit record says `refused`). */
export class AdminWriteRefusedError extends Error {
  override readonly name = "AdminWriteRefusedError";
  constructor(
    readonly operation: string,
    readonly refusal: AdminWriteRefusal,
    detail: string,
  ) {
    super(`admin ${operation} refused: ${detail}`);
  }
}

/** A fan-out selection that names a tenant it cannot serve (unknown, or outside the zone it is confined to). */
export class TenantSelectionError extends Error {
  override readonly name = "TenantSelectionError";
  constructor(
    readonly tenantId: string,
    readonly reason: string,
  ) {
    super(`admin fan-out: tenant [${tenantId}] ${reason}`);
  }
}

/**
 * The audit trail could not be written. `phase`:
 * - `setup`: there is nowhere to write it (no control location and no `admin.log`): `admin()` is refused;
 * - `started`: the record written before the call failed: the call did not run (fail closed);
 * - `finished`: the call ran but its outcome record failed; `result` holds what it returned.
 */
export class AuditUnavailableError extends Error {
  override readonly name = "AuditUnavailableError";
  constructor(
    readonly phase: "setup" | "started" | "finished",
    detail: string,
    options?: { cause?: unknown },
    /** What the call returned (phase `finished` only). */
    readonly result?: unknown,
  ) {
    super(`audit trail unavailable (${phase}): ${detail}`, options);
  }
}

/** A result document of one tenant carried another tenant's tag: never expected (the guards filter); the tenant fails. */
export class ForeignResultError extends Error {
  override readonly name = "ForeignResultError";
  constructor(
    readonly tenantId: string,
    readonly field: string,
  ) {
    super(`a result of tenant [${tenantId}] carries another ${field}; refusing to return it`);
  }
}
