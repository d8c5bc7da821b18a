// Helpers every CLI command uses (commands never import each other): file arguments, paths as shown, problem and usage
// output, colours, JSON output, the flags and failure mapping of the data commands (move, export, import).
import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { Connector } from "@tenantry/contract/backend/types";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import type { CredentialProvider } from "@tenantry/resolver";
import { MoverError, VerificationFailedError } from "@tenantry/mover/errors";
import { type EndpointSession, MapFileError, loadMapFile, openEndpoints, openSession, type Session } from "@tenantry/mover/session";
import { PlanRefusedError, PlanSettingsError } from "@tenantry/pulumi/plan/errors";
import { SecretLeakError } from "@tenantry/pulumi/plan/json";
import type { OfflineRunner } from "@tenantry/pulumi/plan/plan";
import { applyRegistryEdit } from "@tenantry/pulumi/plan/registry-edit";
import { type EditResult, RegistryEditError, TenantExistsError, UnknownTenantError } from "@tenantry/core/registry/edit";
import { type LoadedRegistry, RegistryNotFoundError, registryPathFor } from "@tenantry/core/registry/load";
import { formatProblem, type Problem, RegistryInvalidError } from "@tenantry/core/registry/problems";
import { EXIT, type Io } from "./io";

/** Adds one command to the program; the action reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => void;

export const ENV_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Which registry a command reads: FILE, or stacks/<env>.tenants.yaml; `{ usage }` is a usage error message. */
export function registryFileFor(opts: { file?: string | undefined; env?: string | undefined }, io: Io, fileFlag = "FILE"): string | { usage: string } {
  if (opts.file !== undefined && opts.env !== undefined) return { usage: `give either ${fileFlag} or --env, not both` };
  if (opts.file !== undefined) return resolve(io.cwd, opts.file);
  const env = opts.env ?? "dev";
  if (!ENV_PATTERN.test(env)) return { usage: `--env must be a lowercase environment name such as dev or prod, got ${JSON.stringify(env)}` };
  return registryPathFor(env, io.cwd);
}

/** Path as the user sees it: relative to the working directory when inside it. */
export function shown(io: Io, path: string): string {
  const rel = relative(io.cwd, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Problems go to stderr, one per line, as `FILE:LINE:COL  path  message` (every command, one stream). */
export function printProblems(io: Io, problems: readonly Problem[], indent = ""): void {
  for (const p of problems) io.stderr(`${indent}${formatProblem({ ...p, ...(p.file === undefined ? {} : { file: shown(io, p.file) }) })}\n`);
}

/** A problem as the `--json` outputs carry it (absent fields are null, so the shape never varies). */
export function problemJson(io: Io, p: Problem) {
  return {
    severity: p.severity,
    path: p.path,
    message: p.message,
    tenantId: p.tenantId ?? null,
    file: p.file === undefined ? null : shown(io, p.file),
    line: p.line ?? null,
    col: p.col ?? null,
  };
}

/** Prints one JSON document on stdout (pretty, trailing newline). */
export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** A failure line on stderr, `tenantry <command>: message`; returns the code. */
export function fail(io: Io, command: string, code: number, message: string): number {
  io.stderr(`tenantry ${command}: ${message}\n`);
  return code;
}

/** The hint every usage error ends with (commander's own errors print it too). */
export function helpHint(command?: string): string {
  return `(run \`tenantry ${command === undefined ? "" : `${command} `}--help\` for usage)`;
}

/** A usage error: one line naming the problem, then the --help hint; exit 2. */
export function usage(io: Io, command: string, message: string): number {
  io.stderr(`tenantry ${command}: ${message}\n${helpHint(command)}\n`);
  return EXIT.usage;
}

/** Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: Io): boolean {
  return io.isTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "") && io.env.TERM !== "dumb";
}

/** Why an output file path cannot be written, checked before any work starts; undefined when it can. */
export function outputFileProblem(path: string): string | undefined {
  if (existsSync(path) && statSync(path).isDirectory()) return "is a directory; give a file path such as map.json";
  const dir = dirname(path);
  if (!existsSync(dir)) return `its directory ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  return undefined;
}

/** Options every data command (move, export, import) shares. */
export interface DataCommandOptions {
  map: string;
  /** One server for every cluster (local use); else TENANTRY_MONGODB_URI; else the map's clusters. Never printed. */
  uri?: string | undefined;
  controlCluster?: string | undefined;
  batchSize?: string | undefined;
  /** Milliseconds to find a server before failing (`serverSelectionTimeoutMS`). @default 10000 */
  timeout?: string | undefined;
  json?: boolean | undefined;
  quiet?: boolean | undefined;
}

/** Seams for tests: a connector (the memory backend) and clock. */
export interface DataCommandDeps {
  connector?: Connector;
  credentials?: CredentialProvider;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** How long a data command waits for a server before it fails with the driver's reason. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A bad flag value of a data command (exit 2). */
export class FlagError extends Error {
  override readonly name = "FlagError";
}

/** A positive integer option (zero allowed where `allowZero`), or a FlagError naming the flag. */
export function intOption(value: string | undefined, flag: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || (Number(value) < 1 && !allowZero)) throw new FlagError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function sessionInput(opts: DataCommandOptions, io: Io, deps: DataCommandDeps) {
  const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
  const timeoutMs = intOption(opts.timeout, "--timeout") ?? DEFAULT_TIMEOUT_MS;
  return { uri, connector: deps.connector, credentials: deps.credentials, timeoutMs };
}

/** Loads the map and opens the tenant's endpoints only (export, import: no control location); the caller closes them. */
export async function openDataEndpoints(opts: DataCommandOptions, tenantId: string, io: Io, deps: DataCommandDeps): Promise<{ map: ConnectionMap; session: EndpointSession }> {
  const input = sessionInput(opts, io, deps);
  const map = await loadMapFile(resolve(io.cwd, opts.map));
  return { map, session: openEndpoints({ map, tenantId, ...input }) };
}

/**
 * Loads the map once and opens the tenant's endpoints, plus the moves' control collection when the map has a control
 * location (or `--control-cluster` names one): import reads the move state there. The caller closes the session.
 */
export async function openDataEndpointsWithMoves(
  opts: DataCommandOptions,
  tenantId: string,
  io: Io,
  deps: DataCommandDeps,
): Promise<{ map: ConnectionMap; session: EndpointSession; moves: Session["store"] | undefined }> {
  const input = sessionInput(opts, io, deps);
  const map = await loadMapFile(resolve(io.cwd, opts.map));
  if (map.control === undefined && opts.controlCluster === undefined) return { map, session: openEndpoints({ map, tenantId, ...input }), moves: undefined };
  const session = await openSession({ map, tenantId, controlCluster: opts.controlCluster, ...input });
  return { map, session, moves: session.store };
}

/** Loads the map and opens a session; the caller closes it. */
export async function openDataSession(opts: DataCommandOptions, tenantId: string, io: Io, deps: DataCommandDeps): Promise<{ map: ConnectionMap; session: Session }> {
  const input = sessionInput(opts, io, deps);
  const map = await loadMapFile(resolve(io.cwd, opts.map));
  const session = await openSession({ map, tenantId, controlCluster: opts.controlCluster, ...input });
  return { map, session };
}

/** The driver's own reason for a failed connection (server selection hides it in `reason`), one line. */
export function errorCause(error: Error): string {
  const reason = (error as { reason?: { servers?: Map<string, { error?: { message?: string } }> } }).reason;
  const fromServers = reason?.servers ? [...reason.servers.values()].map((s) => s.error?.message).find((m) => m !== undefined) : undefined;
  const cause = (error as { cause?: unknown }).cause;
  const message = fromServers ?? (cause instanceof Error ? cause.message : undefined);
  return message !== undefined && !error.message.includes(message) ? `${error.message} (${message})` : error.message;
}

/**
 * Runs a data command body and maps failures: usage (bad flag values, unreadable map or registry file) → 2; mover,
 * registry and database errors → 1 with one line, never a stack trace and never the URI.
 */
export async function runDataCommand(name: string, io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof FlagError || (error instanceof MapFileError && error.reason === "file not found")) return usage(io, name, error.message);
    if (error instanceof RegistryNotFoundError) return usage(io, name, `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof RegistryInvalidError) {
      printProblems(io, error.problems);
      return fail(io, name, EXIT.failed, "the registry is invalid (problems above); run `tenantry validate` on it");
    }
    if (error instanceof MoverError) {
      fail(io, name, EXIT.failed, error.message);
      if (error instanceof VerificationFailedError) io.stderr("  nothing was cut over; inspect the target, then `tenantry move rollback` (or resume after repairing it)\n");
      return EXIT.failed;
    }
    if (error instanceof Error) return fail(io, name, EXIT.failed, `${error.name}: ${errorCause(error)}`);
    throw error;
  }
}

/** The flags move, export and import share. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--map <file>", "connection map JSON (stack output, or `tenantry plan --json` output)")
    .option("--uri <uri>", "connect every cluster of the map to this one server (local use; or TENANTRY_MONGODB_URI)")
    .option("--control-cluster <key>", "move: cluster key holding the overrides and the move journal (default: the connection map's control location; export and import ignore it)")
    .option("--batch-size <n>", "documents per batch (default 1000)")
    .option("--timeout <ms>", `milliseconds to reach a server before failing with the cause (default ${DEFAULT_TIMEOUT_MS})`)
    .option("--json", "print the result as one JSON document on stdout (shape in the README)")
    .option("-q, --quiet", "no progress lines on stderr");
}

/** A one-line progress indicator on stderr, shown only on a colour-capable terminal; cleared when done. */
export function progress(io: Io): { phase(text: string): void; done(): void } {
  if (!useColor(io)) return { phase: () => undefined, done: () => undefined };
  let shownOnce = false;
  return {
    phase(text) {
      shownOnce = true;
      io.stderr(`\r\u001b[2K… ${text}`);
    },
    done() {
      if (shownOnce) io.stderr("\r\u001b[2K");
    },
  };
}

/** Injection points of the registry edit commands (tests). */
export interface EditDeps {
  runner?: OfflineRunner;
}

/**
 * Runs the library's registry edit pipeline for onboard / offboard and maps its failures: usage → 2; a refused edit,
 * an invalid result or a refused plan → 1 with the file left untouched. Returns an exit code.
 */
export async function editRegistryCommand(
  command: "onboard" | "offboard",
  tenantId: string,
  where: { env?: string | undefined; registry?: string | undefined },
  edit: (text: string, file: string) => EditResult,
  io: Io,
  deps: EditDeps,
  done: (loaded: LoadedRegistry, file: string) => string,
): Promise<number> {
  if (where.env !== undefined && where.registry !== undefined) return usage(io, command, "give either --env or --registry, not both");
  const file = registryFileFor({ file: where.registry, env: where.env }, io, "--registry");
  if (typeof file !== "string") return usage(io, command, file.usage);
  const untouched = `${shown(io, file)} left untouched`;
  try {
    const outcome = await applyRegistryEdit({ file, tenantId, edit, color: useColor(io), ...(deps.runner ? { runner: deps.runner } : {}) });
    if (!outcome.changed) {
      io.stdout(`tenant [${tenantId}] needs no change in ${shown(io, file)}; file left untouched\n`);
      return EXIT.ok;
    }
    io.stdout(`${done(outcome.loaded, file)}\n\n${outcome.planText}`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof RegistryNotFoundError) return usage(io, command, `registry file not found: ${shown(io, error.file)}`);
    if (error instanceof TenantExistsError || error instanceof UnknownTenantError || error instanceof RegistryEditError) {
      return fail(io, command, EXIT.failed, `${error.message}; ${untouched}`);
    }
    if (error instanceof RegistryInvalidError) {
      fail(io, command, EXIT.failed, `the registry would be invalid after this change (${untouched}):`);
      printProblems(io, error.problems, "  ");
      return EXIT.failed;
    }
    if (error instanceof PlanRefusedError) {
      fail(io, command, EXIT.failed, `the program refuses the registry after this change (${untouched}):`);
      printProblems(io, error.problems, "  ");
      return EXIT.failed;
    }
    if (error instanceof PlanSettingsError) return fail(io, command, EXIT.failed, `the stack settings cannot be used (${untouched}):\n  ${error.problems.join("\n  ")}`);
    if (error instanceof SecretLeakError) return fail(io, command, EXIT.failed, `${error.message}; ${untouched}`);
    if ((error as NodeJS.ErrnoException).syscall !== undefined) return fail(io, command, EXIT.failed, `cannot write ${shown(io, file)}: ${(error as Error).message}`);
    throw error;
  }
}
