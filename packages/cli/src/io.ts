// The CLI's window on the world: commands write through an Io and return an exit code; only main.ts exits.

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (colours, progress). */
  isTTY: boolean;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Environment variables (for NO_COLOR and similar). */
  env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of every command: 0 ok, 1 invalid input or failed operation, 2 usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An Io that records what a command printed (tests and in-process callers). */
export function memoryIo(cwd = process.cwd(), isTTY = false): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    isTTY,
    cwd,
    env: {},
  };
}
