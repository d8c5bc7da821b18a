// The error every map loader throws: which source, and why it gave no usable map (never the map's content).
/** A connection map could not be loaded from `source` (a file path or an SSM parameter path). */
export class MapSourceError extends Error {
  override readonly name = "MapSourceError";
  constructor(
    /** The file or parameter path read. */
    readonly source: string,
    /** What was wrong: not found, not JSON, not a valid connection map (with the first issues), a half-published map. */
    readonly reason: string,
  ) {
    super(`connection map from ${source}: ${reason}`);
  }
}

/** The first few schema issues as one line, `path: message; …`. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}
