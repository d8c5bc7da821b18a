// The shape every registry rule reports: a problem located by its path in the document, positioned later by the loader.
import type { PathSegment } from "../positions";

export interface RuleProblem {
  severity: "error" | "warning";
  /** Path of the offending node, e.g. ["tenants", 3, "region"]; a missing field points at its parent in the file. */
  at: PathSegment[];
  /** What is wrong and what would be right, naming the tenant or cluster. */
  message: string;
  /** Tenant the problem concerns, when there is one. */
  tenantId?: string;
  /** Point at the key rather than the value (unknown and misplaced fields). */
  atKey?: boolean;
}

/** Small constructors so each rule reads as one line. */
export function error(at: PathSegment[], message: string, tenantId?: string, atKey?: boolean): RuleProblem {
  return { severity: "error", at, message, ...(tenantId === undefined ? {} : { tenantId }), ...(atKey ? { atKey } : {}) };
}

export function warning(at: PathSegment[], message: string, tenantId?: string): RuleProblem {
  return { severity: "warning", at, message, ...(tenantId === undefined ? {} : { tenantId }) };
}
