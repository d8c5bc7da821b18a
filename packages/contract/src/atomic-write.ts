// Writes a file so a reader never sees half of it: a temp file beside the target, then a rename; the temp file is
// removed when anything fails. Writes through a symlink to its target and keeps an existing file's mode.
import { chmodSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The file a write to `path` must replace: the symlink's final target when `path` is a link, else `path`. */
export function writeTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return path;
    throw error;
  }
}

/**
 * Replaces `path` atomically with `text`. A symlink stays a link (its target is replaced, in the target's directory,
 * so the rename stays on one filesystem); an existing file keeps its permission bits.
 */
export function writeFileAtomic(path: string, text: string): void {
  const target = writeTarget(path);
  let mode: number | undefined;
  try {
    mode = statSync(target).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, text, { encoding: "utf8", ...(mode === undefined ? {} : { mode }) });
    // writeFileSync's mode is filtered by the umask; chmod sets exactly the bits the file had.
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
