// Reads a connection map out of any JSON document that carries one: the map itself, stack outputs or `plan --json`.
import { ConnectionMap } from "./schema";

/**
 * Validates `data` as a connection map: the map itself (`pulumi stack output connectionMap --json`, `plan --out`) or a
 * document holding it under `connectionMap` (`plan --json`, `pulumi stack output --json`).
 */
export function parseMapDocument(data: unknown): ReturnType<typeof ConnectionMap.safeParse> {
  const candidate = data !== null && typeof data === "object" && "connectionMap" in data ? data.connectionMap : data;
  return ConnectionMap.safeParse(candidate);
}
