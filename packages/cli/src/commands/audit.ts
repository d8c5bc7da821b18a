// `tenantry audit --env ENV`: lists the admin audit trail (`tenantry.audit` at the map's control location).
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Connector } from "@tenantry/contract/backend/types";
import { parseMapDocument } from "@tenantry/contract/connection-map/document";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { AUDIT_COLLECTION, awsSecretsManagerCredentials, collectionAuditLog, mongoConnector } from "@tenantry/resolver";
import type { AuditQuery, AuditRecord, CredentialProvider } from "@tenantry/resolver";
import { EXIT, type Io } from "../io";

export interface AuditCommandOptions {
  env?: string | undefined;
  /** Connection map file; else TENANTRY_MAP. */
  map?: string | undefined;
  /** ISO date or a duration back from now: `30m`, `24h`, `7d`. */
  since?: string | undefined;
  actor?: string | undefined;
  tenant?: string | undefined;
  limit?: string | undefined;
  uri?: string | undefined;
  json?: boolean | undefined;
}

export interface AuditCommandDeps {
  connector?: Connector;
  credentials?: CredentialProvider;
  now?: () => Date;
}

class Usage extends Error {}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO 8601 date or `<n>m|h|d` before now. */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (UNITS[relative[2] as string] as number));
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw new Usage(`--since must be an ISO date (2026-12-01T10:00Z) or a duration (30m, 24h, 7d), got ${JSON.stringify(value)}`);
  return date;
}

async function loadMap(opts: AuditCommandOptions, io: Io): Promise<ConnectionMap> {
  const file = opts.map ?? io.env.TENANTRY_MAP;
  if (file === undefined) throw new Usage("give the connection map of the environment with --map FILE (or TENANTRY_MAP)");
  let data: unknown;
  try {
    data = JSON.parse(await readFile(resolve(io.cwd, file), "utf8"));
  } catch {
    throw new Usage(`--map: cannot read ${file} as JSON`);
  }
  const parsed = parseMapDocument(data);
  if (!parsed.success) throw new Usage(`--map: ${file} is not a connection map`);
  if (parsed.data.environment !== opts.env) throw new Usage(`--map ${file} is the map of environment ${parsed.data.environment}, not ${opts.env}`);
  return parsed.data;
}

function line(r: AuditRecord): string {
  const head = `${r.at}  ${r.actor}  ${r.operation}${r.writes ? " (write)" : ""}  ${r.phase}`;
  if (r.phase === "started") {
    const ticket = r.ticket ? `  ticket ${r.ticket}` : "";
    const user = r.userId ? `  user ${r.userId}` : "";
    return `${head}  ${r.tenants.length} tenants [${r.zones.join(", ")}]  ${r.collections.join(", ")}${user}${ticket}  reason ${JSON.stringify(r.reason)}  call ${r.callId}`;
  }
  const failed = (r.results ?? []).filter((t) => !t.ok);
  const failures = failed.length > 0 ? `  failed: ${failed.map((t) => `${t.tenantId} ${t.error ?? ""}`.trim()).join(", ")}` : "";
  const error = r.error ? `  ${r.error}` : "";
  return `${head}  ${r.outcome ?? "?"}  ${r.count ?? 0} documents  ${Math.round(r.durationMs ?? 0)} ms${error}${failures}  call ${r.callId}`;
}

/** The command body: prints matching records oldest first; exit 0 (also when there are none), 1 unreachable, 2 usage. */
export async function auditCommand(opts: AuditCommandOptions, io: Io, deps: AuditCommandDeps = {}): Promise<number> {
  try {
    if (opts.env === undefined) throw new Usage("--env is required: the environment whose audit trail to list");
    const query: AuditQuery = {};
    if (opts.since !== undefined) query.since = parseSince(opts.since, (deps.now ?? (() => new Date()))());
    if (opts.actor !== undefined) query.actor = opts.actor;
    if (opts.tenant !== undefined) query.tenant = opts.tenant;
    if (opts.limit !== undefined) {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Usage(`--limit must be a positive integer, got ${JSON.stringify(opts.limit)}`);
      query.limit = limit;
    }
    const map = await loadMap(opts, io);
    const control = map.control;
    if (!control) throw new Usage(`the connection map of ${map.environment} declares no control location: there is no audit trail`);
    const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
    const connector = deps.connector ?? (uri ? mongoConnector({ uri: () => uri, appName: "tenantry-audit" }) : mongoConnector({ appName: "tenantry-audit" }));
    const cluster = map.clusters[control.cluster] as ConnectionMap["clusters"][string];
    const credentialRef = map.credentials[control.credential] as ConnectionMap["credentials"][string];
    const credentials = connector.needsCredentials ? await (deps.credentials ?? awsSecretsManagerCredentials()).get(control.credential, credentialRef) : undefined;
    const client = await connector.connect({ clusterKey: control.cluster, cluster, credentialKey: control.credential, credentialRef, credentials });
    try {
      const records = await collectionAuditLog(client.db(control.database).collection(AUDIT_COLLECTION)).list(query);
      if (opts.json) io.stdout(`${JSON.stringify(records, undefined, 2)}\n`);
      else if (records.length === 0) io.stdout(`no audit records in ${map.environment}${query.since ? ` since ${query.since.toISOString()}` : ""}\n`);
      else io.stdout(`${records.map(line).join("\n")}\n`);
      return EXIT.ok;
    } finally {
      await client.close();
    }
  } catch (error) {
    if (error instanceof Usage) {
      io.stderr(`tenantry audit: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof Error) {
      io.stderr(`tenantry audit: ${error.name}: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** Registers the command (the RegisterCommand shape of ./index, written out so this file imports no other command module). */
export function registerAudit(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("audit")
    .description("List the admin audit trail of an environment (oldest first)")
    .option("--env <env>", "the environment (must be the map's)")
    .option("--map <file>", "its connection map JSON (default: TENANTRY_MAP)")
    .option("--since <when>", "ISO date, or a duration back from now: 30m, 24h, 7d")
    .option("--actor <name>", "only calls by this actor")
    .option("--tenant <id>", "only calls that selected this tenant")
    .option("--limit <n>", "the newest n records (default 1000)")
    .option("--uri <uri>", "connect the control cluster to this server (local use; or TENANTRY_MONGODB_URI)")
    .option("--json", "print the records as JSON")
    .action(async (options: AuditCommandOptions) => {
      setExit(await auditCommand(options, io));
    });
}
