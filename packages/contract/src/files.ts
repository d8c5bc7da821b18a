// Reading a text file with one not-found convention: a missing path (or a directory) is `undefined`, and every other
// failure (permissions, I/O) is thrown unchanged, so each caller raises its own typed not-found error and nothing else.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

function notFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR";
}

/** The file's UTF-8 text, or undefined when there is no file at `path`. */
export function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/** The file's UTF-8 text, or undefined when there is no file at `path` (async). */
export async function readTextFileAsync(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}
