// `tenantry collections apply|check`: gives every tenant, at every stage, the registry's collections, validators,
// indexes and retention (src/collections), or reports how the servers differ from it (exit 1 on drift).
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Connector } from "@tenantry/contract/backend/types";
import { applyCollections, type CollectionsReport, declarationsOf, type Mode, UnknownCollectionsTenantError } from "@tenantry/core/collections/index";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { endpointClients } from "@tenantry/mover/connect";
import { loadMapFile, MapFileError } from "@tenantry/mover/session";
import { planLoaded } from "@tenantry/pulumi/plan/plan";
import type { OfflineRunner } from "@tenantry/pulumi/plan/plan";
import { ProgramLayoutError } from "@tenantry/pulumi/program/layout";
import { SettingsError } from "@tenantry/pulumi/program/settings";
import { loadRegistryFile, type LoadedRegistry, RegistryNotFoundError } from "@tenantry/core/registry/load";
import { formatProblem, RegistryInvalidError } from "@tenantry/core/registry/problems";
import { awsSecretsManagerCredentials, type CredentialProvider, mongoConnector } from "@tenantry/resolver";
import { EXIT, type Io } from "../io";
import { type RegisterCommand, registryFileFor, shown } from "../shared";

export const COLLECTIONS_ACTIONS = ["apply", "check"] as const;

export interface CollectionsOptions {
  /** Registry `stacks/<env>.tenants.yaml`. @default "dev" */
  env?: string | undefined;
  /** Registry file instead of --env. */
  registry?: string | undefined;
  /** The deployed connection map (stack output); without it, the offline plan's map, which needs --uri. */
  map?: string | undefined;
  /** One server for every cluster (local use); else TENANTRY_MONGODB_URI; else the map's clusters. Never printed. */
  uri?: string | undefined;
  tenant?: string | undefined;
  /** apply: drop indexes and validators the registry does not declare, recreate conflicting indexes. */
  dropUndeclared?: boolean | undefined;
  json?: boolean | undefined;
}

/** Seams for tests: the memory connector, a credentials provider, the offline runner. */
export interface CollectionsDeps {
  connector?: Connector;
  credentials?: CredentialProvider;
  runner?: OfflineRunner;
}

class Usage extends Error {}

async function mapFor(opts: CollectionsOptions, loaded: LoadedRegistry, uri: string | undefined, io: Io, deps: CollectionsDeps): Promise<ConnectionMap> {
  if (opts.map !== undefined) {
    const map = await loadMapFile(resolve(io.cwd, opts.map));
    if (map.environment !== loaded.registry.environment) {
      throw new Usage(`the connection map is of environment ${map.environment}, the registry of ${loaded.registry.environment}; pass the registry of the same environment (--env ${map.environment})`);
    }
    return map;
  }
  // The offline plan's map has the real routes (databases, collections, credentials) but no real hosts.
  if (uri === undefined && deps.connector === undefined) {
    throw new Usage("give --map (the deployed connection map: the stack output connectionMap) to reach the clusters, or --uri to apply the planned layout to one server");
  }
  return (await planLoaded(loaded, deps.runner ? { runner: deps.runner } : {})).run.connectionMap;
}

function renderText(report: CollectionsReport, dropUndeclared: boolean): string {
  const lines: string[] = [];
  for (const t of report.targets) {
    lines.push(`${t.label}  database ${t.database}`);
    for (const f of t.failures) lines.push(`  FAILED ${f.step}: ${f.codeName ? `${f.codeName}: ` : ""}${f.message}`);
    for (const c of t.collections) {
      const state = c.changes.length === 0 && c.drift.length === 0 && c.failures.length === 0 ? "as declared" : "";
      lines.push(`  ${c.physical}${state ? `: ${state}` : ""}`);
      for (const change of c.changes) lines.push(`    + ${change}`);
      for (const d of c.drift) lines.push(`    ! drift ${d.kind}: ${d.detail}`);
      for (const f of c.failures) lines.push(`    x FAILED ${f.step}${f.index === undefined ? "" : ` ${f.index}`}: ${f.codeName ? `${f.codeName}: ` : ""}${f.message}`);
    }
  }
  const verb = report.mode === "apply" ? "applied" : "checked";
  lines.push(`${verb} ${report.targets.length} target${report.targets.length === 1 ? "" : "s"}: ${report.changes} change${report.changes === 1 ? "" : "s"}, ${report.drift} drift, ${report.failures} failure${report.failures === 1 ? "" : "s"}`);
  if (report.mode === "apply" && report.drift > 0 && !dropUndeclared) lines.push("drift kept: nothing the registry does not declare is dropped without --drop-undeclared");
  if (report.mode === "check" && report.drift > 0) lines.push("run `tenantry collections apply` to create what is missing (and --drop-undeclared to drop what is not declared)");
  return `${lines.join("\n")}\n`;
}

/** Runs `tenantry collections apply|check`; 0 done (check: no drift), 1 drift (check) or a failure, 2 usage. */
export async function collectionsCommand(action: string, opts: CollectionsOptions, io: Io, deps: CollectionsDeps = {}): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`tenantry collections: ${message}\n`);
    return code;
  };
  if (!(COLLECTIONS_ACTIONS as readonly string[]).includes(action)) return fail(EXIT.usage, `unknown action ${JSON.stringify(action)}: one of ${COLLECTIONS_ACTIONS.join(", ")}`);
  const mode = action as Mode;
  if (mode === "check" && opts.dropUndeclared === true) return fail(EXIT.usage, "--drop-undeclared applies to `collections apply` only");
  if (opts.env !== undefined && opts.registry !== undefined) return fail(EXIT.usage, "give either --env or --registry, not both");
  const file = registryFileFor({ file: opts.registry, env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  const uri = opts.uri ?? io.env.TENANTRY_MONGODB_URI;
  const connector = deps.connector ?? (uri !== undefined ? mongoConnector({ uri: () => uri, appName: "tenantry-collections" }) : mongoConnector({ appName: "tenantry-collections" }));
  const clients = endpointClients(connector, deps.credentials ?? awsSecretsManagerCredentials());
  try {
    const loaded = loadRegistryFile(file);
    const map = await mapFor(opts, loaded, uri, io, deps);
    const report = await applyCollections({
      map,
      declarations: declarationsOf(loaded.registry),
      connect: (target) => clients.connect(target),
      mode,
      dropUndeclared: opts.dropUndeclared === true,
      tenantId: opts.tenant,
    });
    io.stdout(opts.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, opts.dropUndeclared === true));
    return report.failures > 0 || (mode === "check" && report.drift > 0) ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (error instanceof Usage) return fail(EXIT.usage, error.message);
    if (error instanceof RegistryNotFoundError) return fail(EXIT.usage, `registry file not found: ${shown(io, file)}`);
    if (error instanceof MapFileError) return fail(error.reason === "file not found" ? EXIT.usage : EXIT.failed, error.message);
    if (error instanceof UnknownCollectionsTenantError) return fail(EXIT.failed, error.message);
    if (error instanceof RegistryInvalidError || error instanceof ProgramLayoutError) {
      io.stderr(`tenantry collections: the registry is invalid:\n`);
      for (const p of error.problems) io.stderr(`  ${formatProblem({ ...p, ...(p.file === undefined ? {} : { file: shown(io, p.file) }) })}\n`);
      return EXIT.failed;
    }
    if (error instanceof SettingsError) return fail(EXIT.failed, `the stack settings cannot be used:\n  ${error.problems.join("\n  ")}`);
    throw error;
  } finally {
    await clients.close();
  }
}

export const registerCollections: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("collections")
    .description("Apply the registry's collections, validators, indexes and retention to every tenant (apply), or report drift (check: exit 1 on drift)")
    .argument("<action>", COLLECTIONS_ACTIONS.join("|"))
    .option("--env <env>", "registry stacks/<env>.tenants.yaml (default dev)")
    .option("--registry <file>", "registry file instead of --env")
    .option("--map <file>", "the deployed connection map (stack output); without it, the planned map on --uri")
    .option("--uri <uri>", "connect every cluster to this one server (local use; or TENANTRY_MONGODB_URI)")
    .option("--tenant <id>", "only this tenant's collections (a pool tenant: its shared cluster's collections)")
    .addOption(new Option("--drop-undeclared", "apply: drop indexes and validators the registry does not declare, recreate conflicting indexes"))
    .option("--json", "print the report as JSON")
    .action(async (action: string, options: CollectionsOptions) => {
      setExit(await collectionsCommand(action, options, io));
    });
};
