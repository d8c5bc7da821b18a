// Problems found in a registry (or a plan): collected in one pass, reported as `FILE:LINE:COL  path  message`.

export interface Problem {
  severity: "error" | "warning";
  /** Dotted path of the offending field, e.g. `tenants[3].region`. */
  path: string;
  /** What is wrong and what would be right, naming the tenant: `tenant [acme] needs stage silo for HIPAA, registry says pool`. */
  message: string;
  /** Tenant the problem concerns, when there is one. */
  tenantId?: string;
  /** Position in the source file (1-based), when known. */
  file?: string;
  line?: number;
  col?: number;
}

/** One problem as a line: `FILE:LINE:COL  path  message` (warnings are marked). */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}:${p.line ?? 1}:${p.col ?? 1}` : "<registry>";
  const mark = p.severity === "warning" ? "warning: " : "";
  return `${where}  ${p.path}  ${mark}${p.message}`;
}

/** Thrown when a registry cannot be used; carries every problem found. */
export class RegistryInvalidError extends Error {
  override readonly name = "RegistryInvalidError";
  constructor(readonly problems: readonly Problem[]) {
    super(`the registry has ${problems.filter((p) => p.severity === "error").length} error(s)`);
  }
}
