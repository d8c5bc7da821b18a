// Typed errors of the mover, export and import: callers (the CLI, tests) branch on the class and read its data.
import type { ContentHash } from "./hash";
import type { MoveState } from "./state";

/** Base class of every mover error (the CLI maps these to exit code 1 without a stack trace). */
export class MoverError extends Error {
  override readonly name: string = "MoverError";
}

/** The tenant's connection map entry declares no `target`: there is nothing to move to. */
export class NoMoveTargetError extends MoverError {
  override readonly name = "NoMoveTargetError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] has no declared move target in the connection map (add move: to the registry and run pulumi up)`);
  }
}

/** The tenant is not in the connection map. */
export class UnknownMoveTenantError extends MoverError {
  override readonly name = "UnknownMoveTenantError";
  constructor(readonly tenantId: string) {
    super(`tenant [${tenantId}] is not in the connection map`);
  }
}

/** The command is not allowed from the move's current state; `instead` names the command to run. */
export class MoveStateError extends MoverError {
  override readonly name = "MoveStateError";
  constructor(
    readonly tenantId: string,
    readonly state: MoveState | "none",
    /** The refused command (`cutover`, `cleanup`, `import`, …). */
    readonly command: string,
    /** The states the command accepts. */
    readonly needs: readonly (MoveState | "none")[],
    /** What to do instead. */
    readonly instead: string,
  ) {
    super(`tenant [${tenantId}]: ${command} refused in state ${state} (needs ${needs.join(" | ")}): ${instead}`);
  }
}

/** Another live mover holds the lease of this tenant's move. */
export class MoveLockedError extends MoverError {
  override readonly name: string = "MoveLockedError";
  constructor(
    readonly tenantId: string,
    readonly holder: string | undefined,
    readonly expiresAt: Date | undefined,
    message?: string,
  ) {
    super(message ?? `tenant [${tenantId}]: the move is held by ${holder ?? "?"} until ${expiresAt?.toISOString() ?? "?"}`);
  }
}

/**
 * This mover's lease was taken over (or its time budget ran out and the renewal found another epoch): it stops and
 * changes nothing more. Another mover owns the move now.
 */
export class LeaseLostError extends MoveLockedError {
  override readonly name = "LeaseLostError";
  constructor(
    tenantId: string,
    /** The epoch this mover held. */
    readonly epoch: number,
    /** The state document's epoch and holder when last read, if known. */
    readonly currentEpoch: number | undefined,
    holder: string | undefined,
  ) {
    super(tenantId, holder, undefined, `tenant [${tenantId}]: this mover's lease (epoch ${epoch}) was taken over${holder ? ` by ${holder}` : ""} (epoch ${currentEpoch ?? "?"}); it stopped and wrote nothing more`);
  }
}

/** A rollback after cut-over found writes on both sides since the cut-over: it refuses rather than delete either. */
export class RollbackConflictError extends MoverError {
  override readonly name = "RollbackConflictError";
  constructor(
    readonly tenantId: string,
    /** Logical collection whose source changed since the cut-over. */
    readonly collection: string,
    readonly atCutover: ContentHash,
    readonly now: ContentHash,
  ) {
    super(
      `tenant [${tenantId}] ${collection}: the source changed since the cut-over (${atCutover.count} docs then, ${now.count} now) while the target took writes; ` +
        "refusing to roll back over either side: the move stays cut over, reconcile the source by hand",
    );
  }
}

/** The target lacks an index the source (or the registry) has: no cut-over, duplicates could be accepted there. */
export class IndexMismatchError extends MoverError {
  override readonly name = "IndexMismatchError";
  constructor(
    readonly tenantId: string,
    readonly collection: string,
    /** Key patterns (JSON) missing on the target or differing in `unique`. */
    readonly missing: readonly string[],
  ) {
    super(`tenant [${tenantId}] ${collection}: the target lacks indexes ${missing.join(", ")}; no cut-over`);
  }
}

/** Source and target differ for one collection: the move stays `copied`, no cut-over. */
export class VerificationFailedError extends MoverError {
  override readonly name = "VerificationFailedError";
  constructor(
    readonly tenantId: string,
    /** Logical collection. */
    readonly collection: string,
    readonly expected: ContentHash,
    readonly actual: ContentHash,
    readonly what: string = "source vs target",
  ) {
    super(
      `tenant [${tenantId}] collection ${collection}: ${what} differ — ` +
        `expected ${expected.count} docs hash ${expected.hash.slice(0, 16)}…, got ${actual.count} docs hash ${actual.hash.slice(0, 16)}…`,
    );
  }
}

/** Clean-up asked before the retention window after cut-over has elapsed. */
export class RetentionNotElapsedError extends MoverError {
  override readonly name = "RetentionNotElapsedError";
  constructor(
    readonly tenantId: string,
    readonly notBefore: Date,
  ) {
    super(`tenant [${tenantId}]: clean-up is refused before ${notBefore.toISOString()} (retention window after cut-over)`);
  }
}

/** The delete guard refused a delete that is not limited to one tenant's documents in its own namespace. */
export class UnsafeDeleteError extends MoverError {
  override readonly name = "UnsafeDeleteError";
  constructor(
    readonly namespace: string,
    readonly reason: string,
  ) {
    super(`refused delete on ${namespace}: ${reason}`);
  }
}

/** A document about to be written does not carry the tenant's tag (import of a foreign or untagged document). */
export class ForeignDocumentError extends MoverError {
  override readonly name = "ForeignDocumentError";
  constructor(
    readonly tenantId: string,
    readonly collection: string,
    readonly line: number,
    readonly found: unknown,
  ) {
    super(`tenant [${tenantId}] ${collection}.ejson line ${line}: document has tenant_id ${JSON.stringify(found) ?? "undefined"}, expected "${tenantId}"`);
  }
}

/** An export directory whose files do not match its manifest (tampered, truncated, or another tenant's). */
export class ManifestMismatchError extends MoverError {
  override readonly name = "ManifestMismatchError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/**
 * An export file that cannot be read as the export format: malformed JSON or EJSON, a duplicate `_id`, a manifest
 * name outside the declared collections. `line` / `column` are 1-based positions in `file` (0 when not known).
 */
export class ExportFormatError extends MoverError {
  override readonly name = "ExportFormatError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}${line > 0 ? `:${line}${column > 0 ? `:${column}` : ""}` : ""}: ${reason}`);
  }
}

/**
 * An export that could not read every document of the tenant in `_id` order: the collection's `_id`s are of more
 * than one BSON type (a range scan stays inside one type), or documents were written during the export. No manifest
 * is written, so the directory cannot be imported.
 */
export class ExportIncompleteError extends MoverError {
  override readonly name = "ExportIncompleteError";
  constructor(
    readonly tenantId: string,
    readonly collection: string,
    readonly exported: number,
    readonly counted: number,
    readonly idTypes: readonly string[],
  ) {
    super(
      `tenant [${tenantId}] collection ${collection}: the export read ${exported} documents but the collection holds ${counted} of the tenant` +
        (idTypes.length > 1
          ? ` — its _ids are of several BSON types (${idTypes.join(", ")}), which an _id-ordered export cannot page over (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/); give them one type, then export again`
          : " — documents were written during the export; freeze the tenant (or stop its writers) and export again"),
    );
  }
}
