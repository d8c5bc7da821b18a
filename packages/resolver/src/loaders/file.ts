// Loads a connection map from a JSON file: `pulumi stack output --json`, `pulumi stack output connectionMap --json`,
// `tenantry plan --json` or `--out` — the map itself or a document holding it under `connectionMap`.
import { parseMapDocument } from "@tenantry/contract/connection-map/document";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { readTextFileAsync } from "@tenantry/contract/files";
import { describeIssues, MapSourceError } from "./errors";

/** Reads and validates the file; throws MapSourceError (not found, not JSON, not a valid map). */
export async function loadMapFile(path: string): Promise<ConnectionMap> {
  const text = await readTextFileAsync(path);
  if (text === undefined) throw new MapSourceError(path, "file not found");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MapSourceError(path, `not JSON (${(error as Error).message})`);
  }
  const parsed = parseMapDocument(data);
  if (!parsed.success) throw new MapSourceError(path, `not a valid connection map: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** A loader for watchMap: re-reads the file on every call. */
export function fileMapLoader(path: string): () => Promise<ConnectionMap> {
  return () => loadMapFile(path);
}
