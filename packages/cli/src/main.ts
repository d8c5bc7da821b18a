#!/usr/bin/env node
// The `tenantry` command: parses arguments with commander and dispatches to one module per command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT, type Io, processIo } from "./io";
import { commands } from "./commands";
import { helpHint } from "./shared";

/** The package's version (the cli package.json is one level up from both src and dist). */
export function tenantryVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, "../package.json"), "utf8")) as { version: string }).version;
}

/** Runs the CLI in process and returns the exit code (tests call this; the bin entry exits with it). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("tenantry")
    .description("Tenant isolation as code for MongoDB Atlas and AWS")
    .version(tenantryVersion(), "-V, --version", "print the version and exit")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    // A usage error is one line and a hint, not the whole help (subcommands inherit this setting).
    .showHelpAfterError(helpHint("<command>"));
  for (const register of commands) {
    register(program, io, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
}

/**
 * Resolves once everything written to the stream has been handed to the OS. process.exit() does not wait for a pipe
 * to drain (https://nodejs.org/api/process.html#a-note-on-process-io): a reader slower than us would get a cut-off
 * document. A write's callback runs after every earlier write, so an empty write marks the end.
 */
export function drained(stream: NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean }): Promise<void> {
  if (stream.destroyed === true) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write("", () => resolve());
  });
}

/** Exits with `code` once stdout and stderr are drained. */
async function exitWhenDrained(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

if (require.main === module) {
  // The AWS SDK warns about Node versions on stderr from inside our commands; that is the SDK's notice to us, not to users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // A reader that goes away (`| head`) ends the output, not the command with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT.ok);
  });
  runCli(process.argv.slice(2), processIo()).then(
    (code) => exitWhenDrained(code),
    (error: unknown) => {
      process.stderr.write(`tenantry: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return exitWhenDrained(EXIT.failed);
    },
  );
}
