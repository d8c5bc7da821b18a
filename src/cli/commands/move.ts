// `tenantry move <action> <tenant> --map FILE`: drives the move protocol (start, resume, verify, cutover, rollback,
// cleanup, finish, status) over the library in src/mover; prints progress and maps typed errors to exit codes.
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Connector } from "../../backend/types";
import type { ConnectionMap } from "../../connection-map/schema";
import type { CredentialProvider } from "../../resolver";
import { MoverError, VerificationFailedError } from "../../mover/errors";
import { DEFAULT_FREEZE_BOUND_MS, Mover } from "../../mover/move";
import { type EndpointSession, MapFileError, type Session, loadMapFile, openEndpoints, openSession } from "../../mover/session";
import type { JournalEntry, MoveRecord } from "../../mover/state";
import { loadRegistryFile } from "../../registry/load";
import type { IndexSpec } from "../../registry/schema";
import { EXIT, type Io } from "../io";
import type { RegisterCommand } from "./index";

export const MOVE_ACTIONS = ["start", "resume", "verify", "cutover", "rollback", "cleanup", "finish", "status"] as const;
export type MoveAction = (typeof MOVE_ACTIONS)[number];

/** Options every data command (move, export, import) shares. */
export interface DataCommandOptions {
  map: string;
  /** One server for every cluster (local use); else TENANTRY_MONGODB_URI; else the map's clusters. Never printed. */
  uri?: string | undefined;
  controlCluster?: string | undefined;
  batchSize?: string | undefined;
}

export interface MoveCommandOptions extends DataCommandOptions {
  retention?: string | undefined;
  actor?: string | undefined;
  /** Milliseconds to wait after the freeze (the resolvers' freeze latency bound). */
  freezeWait?: string | undefined;
  /** Registry file whose collection index specs are created on the target (else the source's indexes are mirrored). */
  registry?: string | undefined;
  /** start/resume: continue through cut-over once verified. */
  cutover?: boolean | undefined;
}

/** Seams for tests: a connector (the memory backend) and clock. */
export interface DataCommandDeps {
  connector?: Connector;
  credentials?: CredentialProvider;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

class Usage extends Error {}

/** A positive integer option, or a usage error naming the flag. */
export function intOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 && flag !== "--freeze-wait-ms") throw new Usage(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Loads the map and opens the tenant's endpoints only (export, import: no control location); the caller closes them. */
export async function openDataEndpoints(opts: DataCommandOptions, tenantId: string, io: Io, deps: DataCommandDeps): Promise<{ map: ConnectionMap; session: EndpointSession }> {
  const map = await loadMapFile(resolve(io.cwd, opts.map));
  const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
  return { map, session: openEndpoints({ map, tenantId, uri, connector: deps.connector, credentials: deps.credentials }) };
}

/** Loads the map and opens a session; the caller closes it. */
export async function openDataSession(opts: DataCommandOptions, tenantId: string, io: Io, deps: DataCommandDeps): Promise<{ map: ConnectionMap; session: Session }> {
  const map = await loadMapFile(resolve(io.cwd, opts.map));
  const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
  const session = await openSession({ map, tenantId, uri, controlCluster: opts.controlCluster, connector: deps.connector, credentials: deps.credentials });
  return { map, session };
}

/**
 * Runs a data command body and maps failures: usage (bad flag values, unreadable map file) → 2; mover errors and
 * database errors → 1 with one line, never a stack trace and never the URI.
 */
export async function runDataCommand(name: string, io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Usage || (error instanceof MapFileError && error.reason === "file not found")) {
      io.stderr(`tenantry ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof MoverError) {
      io.stderr(`tenantry ${name}: ${error.message}\n`);
      if (error instanceof VerificationFailedError) io.stderr("  nothing was cut over; inspect the target, then `tenantry move rollback` (or resume after repairing it)\n");
      return EXIT.failed;
    }
    if (error instanceof Error) {
      io.stderr(`tenantry ${name}: ${error.name}: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

function formatRecord(r: MoveRecord): string[] {
  const lines = [
    `tenant [${r.tenantId}]  move ${r.moveId}  state ${r.state}`,
    `  from ${r.source.route.stage} ${r.source.route.cluster}/${r.source.route.database}  to ${r.target.route.stage} ${r.target.route.cluster}/${r.target.route.database}`,
  ];
  for (const logical of r.order) {
    const c = r.collections[logical];
    if (!c) continue;
    const hash = c.target ? `  verified ${c.target.count} docs ${c.target.hash.slice(0, 16)}…` : "";
    lines.push(`  ${logical}: copied ${c.copied} in ${c.batches} batches${c.done ? "" : " (in progress)"}${hash}`);
  }
  if (r.cutoverAt) lines.push(`  cut over ${r.cutoverAt}; clean-up allowed after ${new Date(new Date(r.cutoverAt).getTime() + r.retentionDays * 86_400_000).toISOString()}`);
  if (r.lease) lines.push(`  held by ${r.lease.owner} until ${new Date(r.lease.expiresAt).toISOString()}`);
  return lines;
}

function formatEntry(e: JournalEntry): string {
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `  ${e.at}  ${e.actor.padEnd(12)} ${e.step.padEnd(16)} ${detail}`;
}

const NEXT: Partial<Record<MoveRecord["state"], string>> = {
  verified: "next: tenantry move cutover (writes stay frozen until then)",
  cutover:
    "next: set cutOver: true on the tenant's move in the registry, pulumi up, then tenantry move finish; tenantry move cleanup after the retention window, then set its stage (cluster or region, generation) to the target, remove move:, pulumi up",
  finished: "next: tenantry move cleanup after the retention window, then set the tenant's stage (cluster or region, generation) to the target in the registry, remove move:, pulumi up",
  "rolled-back": "the tenant is back on its source, writes open; remove move: from the registry when you give up the move",
};

/** The command body; returns an exit code. */
export async function move(action: string, tenantId: string, opts: MoveCommandOptions, io: Io, deps: DataCommandDeps = {}): Promise<number> {
  return runDataCommand("move", io, async () => {
    if (!(MOVE_ACTIONS as readonly string[]).includes(action)) throw new Usage(`unknown action ${JSON.stringify(action)}: one of ${MOVE_ACTIONS.join(", ")}`);
    const batchSize = intOption(opts.batchSize, "--batch-size");
    const retentionDays = intOption(opts.retention, "--retention");
    const freezeBoundMs = intOption(opts.freezeWait, "--freeze-wait-ms");
    let indexes: Record<string, IndexSpec[]> | undefined;
    if (opts.registry !== undefined) {
      const { registry } = loadRegistryFile(resolve(io.cwd, opts.registry));
      indexes = Object.fromEntries(registry.collections.map((c) => [c.name, c.indexes]));
    }
    const { map, session } = await openDataSession(opts, tenantId, io, deps);
    try {
      const mover = new Mover({
        map,
        connect: (e) => session.clients.connect(e),
        control: session.control,
        journal: session.journal,
        actor: opts.actor,
        batchSize,
        retentionDays,
        freezeBoundMs: freezeBoundMs ?? DEFAULT_FREEZE_BOUND_MS,
        indexes,
        singleServer: session.singleServer,
        now: deps.now,
        sleep: deps.sleep,
      });
      const run = { cutover: opts.cutover === true };
      let record: MoveRecord;
      switch (action as MoveAction) {
        case "status": {
          const { record: r, entries } = await mover.status(tenantId);
          if (!r) {
            io.stdout(`tenant [${tenantId}]: no move recorded\n`);
            return EXIT.ok;
          }
          io.stdout(`${[...formatRecord(r), "journal:", ...entries.map(formatEntry)].join("\n")}\n`);
          return EXIT.ok;
        }
        case "start":
          record = await mover.start(tenantId, run);
          break;
        case "resume":
          record = await mover.resume(tenantId, run);
          break;
        case "verify":
          record = await mover.verify(tenantId);
          break;
        case "cutover":
          record = await mover.cutover(tenantId);
          break;
        case "rollback":
          record = await mover.rollback(tenantId);
          break;
        case "cleanup":
          record = await mover.cleanup(tenantId);
          break;
        case "finish":
          record = await mover.finish(tenantId);
          break;
      }
      io.stdout(`${formatRecord(record).join("\n")}\n`);
      const next = NEXT[record.state];
      if (next) io.stdout(`${next}\n`);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  });
}

/** The flags move, export and import share. */
export function dataOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--map <file>", "connection map JSON (stack output, or `tenantry plan --json` output)")
    .option("--uri <uri>", "connect every cluster of the map to this one server (local use; or TENANTRY_MONGODB_URI)")
    .option("--control-cluster <key>", "move: cluster key holding the overrides and the move journal (default: the connection map's control location; export and import ignore it)")
    .option("--batch-size <n>", "documents per batch (default 1000)");
}

export const registerMove: RegisterCommand = (program: Command, io: Io, setExit) => {
  dataOptions(
    program
      .command("move")
      .description("Move a tenant to its declared target with its data: start | resume | verify | cutover | rollback | cleanup | finish | status")
      .argument("<action>", MOVE_ACTIONS.join("|"))
      .argument("<tenant>", "tenant id"),
  )
    .option("--retention <days>", "days after cut-over before clean-up is allowed (default 7)")
    .option("--actor <name>", "who is recorded in the journal (default: the OS user)")
    .option("--freeze-wait-ms <ms>", `wait after freezing, the resolvers' freeze latency bound (default ${DEFAULT_FREEZE_BOUND_MS})`)
    .option("--registry <file>", "registry whose collection index specs are created on the target (default: mirror the source's indexes)")
    .option("--cutover", "start/resume: cut over as soon as the copy is verified")
    .action(async (action: string, tenant: string, options: MoveCommandOptions) => {
      setExit(await move(action, tenant, options, io));
    });
};
