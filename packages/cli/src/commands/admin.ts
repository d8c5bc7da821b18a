// `tenantry admin find|erase-user`: audited operator calls across tenants over the resolver's admin scope.
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { BSON } from "mongodb";
import type { Document } from "mongodb";
import type { Connector } from "@tenantry/contract/backend/types";
import { parseMapDocument } from "@tenantry/contract/connection-map/document";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { createResolver, mongoConnector } from "@tenantry/resolver";
import type { CredentialProvider, FanOutResult, FanOutSelection, ResidencyReport, Resolver, TenantResult } from "@tenantry/resolver";
import { EXIT, type Io } from "../io";

// BSON through the driver: a direct "bson" import can load a second copy whose classes differ from the driver's.
const { EJSON } = BSON;

/** Options both admin commands take. */
export interface AdminCommandOptions {
  reason: string;
  /** Connection map file; else TENANTRY_MAP. */
  map?: string | undefined;
  /** When given, the map's environment must be this one. */
  env?: string | undefined;
  /** Recorded as the actor. @default the OS user */
  actor?: string | undefined;
  /** Comma-separated tenant ids. */
  tenants?: string | undefined;
  /** Confine the fan-out to one residency zone. */
  residency?: string | undefined;
  /** The zone this machine is in (the report names tenants whose data left it). */
  zone?: string | undefined;
  /** One server for every cluster of the map (local use); else TENANTRY_MONGODB_URI. Never printed. */
  uri?: string | undefined;
  json?: boolean | undefined;
}

export interface AdminFindOptions extends AdminCommandOptions {
  filter?: string | undefined;
  /** Documents per tenant at most. */
  limit?: string | undefined;
}

export interface AdminEraseOptions extends AdminCommandOptions {
  ticket: string;
  dryRun?: boolean | undefined;
}

/** Seams for tests: the memory connector, fake credentials. */
export interface AdminCommandDeps {
  connector?: Connector;
  credentials?: CredentialProvider;
}

/** A bad flag or an unreadable map: exit 2. */
class Usage extends Error {}

async function loadMap(opts: AdminCommandOptions, io: Io): Promise<ConnectionMap> {
  const file = opts.map ?? io.env.TENANTRY_MAP;
  if (file === undefined) throw new Usage("give the connection map with --map FILE (or TENANTRY_MAP)");
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new Usage(`--map: cannot read ${file}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Usage(`--map: ${file} is not JSON`);
  }
  const parsed = parseMapDocument(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Usage(`--map: ${file} is not a connection map: ${issue ? `${issue.path.join(".")} ${issue.message}` : "invalid"}`);
  }
  if (opts.env !== undefined && parsed.data.environment !== opts.env) throw new Usage(`--map ${file} is the map of environment ${parsed.data.environment}, not ${opts.env}`);
  return parsed.data;
}

function openResolver(map: ConnectionMap, opts: AdminCommandOptions, io: Io, deps: AdminCommandDeps): Resolver {
  const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
  const connector = deps.connector ?? (uri ? mongoConnector({ uri: () => uri, appName: "tenantry-admin" }) : mongoConnector({ appName: "tenantry-admin" }));
  return createResolver({ map, connector, ...(deps.credentials ? { credentials: deps.credentials } : {}) });
}

function selectionOf(opts: AdminCommandOptions): FanOutSelection {
  const selection: FanOutSelection = {};
  if (opts.tenants !== undefined) {
    const tenants = opts.tenants.split(",").map((t) => t.trim()).filter((t) => t !== "");
    if (tenants.length === 0) throw new Usage("--tenants needs at least one tenant id");
    selection.tenants = tenants;
  }
  if (opts.residency !== undefined) selection.residency = opts.residency;
  return selection;
}

function actorOf(opts: AdminCommandOptions): string {
  if (opts.actor !== undefined) return opts.actor;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function where(t: TenantResult<unknown>): string {
  return `tenant ${t.tenantId}  ${t.stage} ${t.cluster}/${t.database}  zone ${t.zone}`;
}

function residencyLine(r: ResidencyReport): string {
  if (r.leftZone.length > 0) return `residency: data of ${r.leftZone.map((t) => `${t.tenantId} (${t.zone})`).join(", ")} left zone ${r.gatheredIn ?? "?"}`;
  if (r.gatheredIn !== undefined) return `residency: every tenant is in zone ${r.gatheredIn}`;
  return r.crossesZones ? `residency: gathered from ${r.zones.length} zones (${r.zones.join(", ")}); pass --zone to name the tenants whose data left yours` : `residency: zone ${r.zones.join(", ") || "none"}`;
}

function jsonOf(result: FanOutResult<unknown>): unknown {
  return {
    callId: result.callId,
    residency: result.residency,
    tenants: result.tenants.map((t) => (t.ok ? t : { ...t, error: { name: t.error.name, message: t.error.message } })),
  };
}

/** Runs a body and maps failures: usage → 2, any typed error of the call → 1 with one line, never a stack trace. */
async function guarded(name: string, io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Usage) {
      io.stderr(`tenantry admin ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof Error) {
      io.stderr(`tenantry admin ${name}: ${error.name}: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** `tenantry admin find <collection>`: each selected tenant's matching documents. Exit 1 when a tenant failed. */
export async function adminFind(collection: string, opts: AdminFindOptions, io: Io, deps: AdminCommandDeps = {}): Promise<number> {
  return guarded("find", io, async () => {
    let filter: Document = {};
    if (opts.filter !== undefined) {
      try {
        filter = EJSON.parse(opts.filter, { relaxed: true }) as Document;
      } catch {
        throw new Usage(`--filter is not JSON (extended JSON is accepted): ${JSON.stringify(opts.filter)}`);
      }
      if (filter === null || typeof filter !== "object" || Array.isArray(filter)) throw new Usage("--filter must be a JSON object");
    }
    const limit = opts.limit === undefined ? undefined : Number(opts.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Usage(`--limit must be a positive integer, got ${JSON.stringify(opts.limit)}`);
    const selection = selectionOf(opts);
    const map = await loadMap(opts, io);
    const resolver = openResolver(map, opts, io, deps);
    try {
      const admin = resolver.admin({ actor: actorOf(opts), reason: opts.reason, ...(opts.zone ? { zone: opts.zone } : {}) });
      const result = await admin.acrossTenants(selection).collection(collection).find(filter, limit === undefined ? undefined : { limit });
      if (opts.json) {
        io.stdout(`${EJSON.stringify(jsonOf(result), undefined, 2, { relaxed: true })}\n`);
      } else {
        for (const t of result.tenants) {
          if (!t.ok) {
            io.stdout(`${where(t)}: failed: ${t.error.name}: ${t.error.message}\n`);
            continue;
          }
          io.stdout(`${where(t)}: ${t.documents.length} document${t.documents.length === 1 ? "" : "s"}\n`);
          for (const d of t.documents) io.stdout(`  ${EJSON.stringify(d, { relaxed: true })}\n`);
        }
        io.stdout(`${residencyLine(result.residency)}\naudit: call ${result.callId}\n`);
      }
      return result.failed.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      await resolver.close();
    }
  });
}

function perCollection(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([c, n]) => `${c} ${n}`)
    .join(", ");
}

/**
 * `tenantry admin erase-user <userId>`: the user's documents in every user-scoped collection of every selected tenant;
 * `--dry-run` prints the counts and deletes nothing. Exit 1 when a tenant failed (nothing is retried).
 */
export async function adminEraseUser(userId: string, opts: AdminEraseOptions, io: Io, deps: AdminCommandDeps = {}): Promise<number> {
  return guarded("erase-user", io, async () => {
    const selection = selectionOf(opts);
    const map = await loadMap(opts, io);
    const resolver = openResolver(map, opts, io, deps);
    try {
      const admin = resolver.admin({ actor: actorOf(opts), reason: opts.reason, ...(opts.zone ? { zone: opts.zone } : {}) });
      const user = admin.forUser(userId, { ...selection, allowWrites: true, ticket: opts.ticket });
      const result = opts.dryRun ? await user.count() : await user.erase();
      const verb = opts.dryRun ? "would delete" : "deleted";
      if (opts.json) {
        io.stdout(`${JSON.stringify({ dryRun: opts.dryRun === true, userId, ...(jsonOf(result) as object) }, undefined, 2)}\n`);
      } else {
        let total = 0;
        let tenants = 0;
        for (const t of result.tenants) {
          if (!t.ok) {
            const done = t.completed && Object.keys(t.completed).length > 0 ? ` (${verb} before the error: ${perCollection(t.completed)})` : "";
            io.stdout(`${where(t)}: failed: ${t.error.name}: ${t.error.message}${done}\n`);
            continue;
          }
          const n = Object.values(t.collections).reduce((sum, c) => sum + c, 0);
          total += n;
          if (n > 0) tenants++;
          io.stdout(`${where(t)}: ${verb} ${n} (${perCollection(t.collections) || "no user-scoped collections"})\n`);
        }
        io.stdout(
          opts.dryRun
            ? `dry run: nothing deleted; without --dry-run this deletes ${total} documents of user ${userId} in ${tenants} tenants\n`
            : `deleted ${total} documents of user ${userId} in ${tenants} tenants\n`,
        );
        io.stdout(`${residencyLine(result.residency)}\naudit: call ${result.callId}\n`);
      }
      return result.failed.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      await resolver.close();
    }
  });
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption("--reason <text>", "why (recorded in the audit trail with every call)")
    .option("--map <file>", "connection map JSON (default: TENANTRY_MAP)")
    .option("--env <env>", "refuse a map of another environment")
    .option("--actor <name>", "who is recorded in the audit trail (default: the OS user)")
    .option("--tenants <ids>", "comma-separated tenant ids (default: every tenant that is not offboarding)")
    .option("--residency <zone>", "only tenants of this residency zone")
    .option("--zone <zone>", "the zone this machine is in: the output names tenants whose data left it")
    .option("--uri <uri>", "connect every cluster of the map to this one server (local use; or TENANTRY_MONGODB_URI)")
    .option("--json", "print JSON (extended JSON for documents)");
}

/** Registers the command (the RegisterCommand shape of ./index, written out so this file imports no other command module). */
export function registerAdmin(program: Command, io: Io, setExit: (code: number) => void): void {
  const admin = program.command("admin").description("Audited operator calls across tenants (find, erase-user)");
  common(admin.command("find").description("Find documents of a collection in every selected tenant").argument("<collection>", "logical collection"))
    .option("--filter <json>", "filter as JSON (extended JSON accepted), e.g. '{\"invoice\":\"INV-1\"}'")
    .option("--limit <n>", "documents per tenant at most")
    .action(async (collection: string, options: AdminFindOptions) => {
      setExit(await adminFind(collection, options, io));
    });
  common(admin.command("erase-user").description("Delete one user's documents in every user-scoped collection of every selected tenant").argument("<userId>", "user id"))
    .requiredOption("--ticket <id>", "the ticket the erasure is made under (recorded)")
    .option("--dry-run", "print what would be deleted per tenant; delete nothing")
    .action(async (userId: string, options: AdminEraseOptions) => {
      setExit(await adminEraseUser(userId, options, io));
    });
}
