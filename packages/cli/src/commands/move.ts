// `tenantry move <action> <tenant> --map FILE`: drives the move protocol (start, resume, verify, cutover, rollback,
// cleanup, finish, status) over the library in src/mover; prints progress and maps typed errors to exit codes.
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_FREEZE_BOUND_MS, Mover } from "@tenantry/mover/move";
import { type JournalEntry, type MoveRecord, nextCommand } from "@tenantry/mover/state";
import { loadRegistryFile } from "@tenantry/core/registry/load";
import { declarationsOf } from "@tenantry/core/collections/index";
import { EXIT, type Io } from "../io";
import {
  type DataCommandDeps,
  type DataCommandOptions,
  dataOptions,
  FlagError,
  intOption,
  openDataSession,
  printJson,
  type RegisterCommand,
  runDataCommand,
} from "../shared";

export const MOVE_ACTIONS = ["start", "resume", "verify", "cutover", "rollback", "cleanup", "finish", "status"] as const;
export type MoveAction = (typeof MOVE_ACTIONS)[number];

export interface MoveCommandOptions extends DataCommandOptions {
  retention?: string | undefined;
  actor?: string | undefined;
  /** Milliseconds to wait after the freeze (the resolvers' freeze latency bound). */
  freezeWait?: string | undefined;
  /** Registry file whose collections (validators, indexes, retention) are applied to the target (else the source's indexes are mirrored). */
  registry?: string | undefined;
  /** start/resume: continue through cut-over once verified. */
  cutover?: boolean | undefined;
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
  if (r.route) lines.push(`  route override: ${r.route.to}, writes ${r.route.writes}`);
  if (r.rollback && r.state === "rolling-back") lines.push(`  rollback from ${r.rollback.from}: phase ${r.rollback.phase}`);
  if (r.lease) lines.push(`  held by ${r.lease.owner} (epoch ${r.lease.epoch}) until ${r.lease.expiresAt}`);
  return lines;
}

function formatEntry(e: JournalEntry): string {
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `  ${e.at}  ${e.actor.padEnd(12)} ${e.step.padEnd(16)} ${detail}`;
}

/** The `move status --json` document (version 1: extend, never rename); null record when no move is recorded. */
export function statusJson(tenantId: string, r: MoveRecord | undefined | null, entries: readonly JournalEntry[]) {
  return {
    version: 1,
    tenantId,
    move: r
      ? {
          moveId: r.moveId,
          state: r.state,
          source: { stage: r.source.route.stage, cluster: r.source.route.cluster, database: r.source.route.database },
          target: { stage: r.target.route.stage, cluster: r.target.route.cluster, database: r.target.route.database },
          collections: r.order.flatMap((logical) => {
            const c = r.collections[logical];
            return c ? [{ name: logical, copied: c.copied, batches: c.batches, done: c.done, verified: c.target ? { count: c.target.count, hash: c.target.hash } : null }] : [];
          }),
          cutoverAt: r.cutoverAt ?? null,
          retentionDays: r.retentionDays,
          lease: r.lease ? { owner: r.lease.owner, epoch: r.lease.epoch, expiresAt: new Date(r.lease.expiresAt).toISOString() } : null,
          route: r.route ?? null,
        }
      : null,
    journal: entries.map((e) => ({ at: e.at, actor: e.actor, step: e.step, detail: e.detail })),
  };
}

/** The command body; returns an exit code. */
export async function move(action: string, tenantId: string, opts: MoveCommandOptions, io: Io, deps: DataCommandDeps = {}): Promise<number> {
  return runDataCommand("move", io, async () => {
    if (!(MOVE_ACTIONS as readonly string[]).includes(action)) throw new FlagError(`unknown action ${JSON.stringify(action)}: one of ${MOVE_ACTIONS.join(", ")}`);
    const batchSize = intOption(opts.batchSize, "--batch-size");
    const retentionDays = intOption(opts.retention, "--retention");
    const freezeBoundMs = intOption(opts.freezeWait, "--freeze-wait-ms", true);
    const collections = opts.registry === undefined ? undefined : declarationsOf(loadRegistryFile(resolve(io.cwd, opts.registry)).registry);
    const { map, session } = await openDataSession(opts, tenantId, io, deps);
    try {
      const mover = new Mover({
        map,
        connect: (e) => session.clients.connect(e),
        store: session.store,
        history: session.history,
        actor: opts.actor,
        batchSize,
        retentionDays,
        freezeBoundMs: freezeBoundMs ?? DEFAULT_FREEZE_BOUND_MS,
        ...(collections && { collections }),
        singleServer: session.singleServer,
        now: deps.now,
        sleep: deps.sleep,
      });
      const run = { cutover: opts.cutover === true };
      let record: MoveRecord;
      switch (action as MoveAction) {
        case "status": {
          const { record: r, entries } = await mover.status(tenantId);
          if (opts.json) {
            printJson(io, statusJson(tenantId, r, entries));
            return EXIT.ok;
          }
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
      io.stdout(`next: ${nextCommand(record.state)}\n`);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  });
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
    .option("--registry <file>", "registry whose collections, validators, indexes and retention are applied to the target before the copy (default: mirror the source's indexes)")
    .option("--cutover", "start/resume: cut over as soon as the copy is verified")
    .action(async (action: string, tenant: string, options: MoveCommandOptions) => {
      setExit(await move(action, tenant, options, io));
    });
};
