// `tenantry stacks migrate | assign | manifests`: move a single-layout environment to per-tenant stacks and emit operator manifests.
import { spawn } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import { EXIT, type Io } from "../io";
import { automationWorkspace } from "@tenantry/pulumi/orchestration/automation";
import { loadEnvironmentStacks, projectDirOf } from "@tenantry/pulumi/orchestration/environment";
import { describeStackError } from "@tenantry/pulumi/orchestration/errors";
import { migrationMoves, shellLine, stateMoveArgv } from "@tenantry/pulumi/orchestration/migrate";
import { operatorStacks } from "@tenantry/pulumi/orchestration/operator";
import type { StackWorkspace } from "@tenantry/pulumi/orchestration/workspace";
import { stackFileFor, stackFileSource } from "@tenantry/pulumi/program/stack-file";
import { renderShardFile } from "@tenantry/pulumi/program/stacks/shards";
import { OFFLINE_SETTINGS } from "@tenantry/pulumi/program/settings";
import { type RegisterCommand, registryFileFor, shown } from "../shared";

/** Runs one command line; resolves its exit code and stderr. */
export type CommandRunner = (argv: readonly string[], cwd: string) => Promise<{ code: number; stderr: string }>;

const spawnRunner: CommandRunner = (argv, cwd) =>
  new Promise((resolve) => {
    const [command = "pulumi", ...args] = argv;
    const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => resolve({ code: 127, stderr: error.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });

export interface StacksDeps {
  workspace?: (projectDir: string) => StackWorkspace;
  run?: CommandRunner;
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, "utf8");
  renameSync(temp, path);
}

function failWith(io: Io, name: string) {
  return (code: number, message: string) => {
    io.stderr(`tenantry stacks ${name}: ${message}\n`);
    return code;
  };
}

function handle(error: unknown, fail: (code: number, message: string) => number): number {
  const known = describeStackError(error);
  if (!known) throw error;
  return fail(known.usage ? EXIT.usage : EXIT.failed, known.lines.join("\n  "));
}

export interface MigrateOptions {
  env?: string | undefined;
  apply?: boolean | undefined;
  /** Pulumi project name (Pulumi.yaml's). @default tenantry */
  project?: string | undefined;
}

/**
 * Prints the `pulumi state move` commands splitting the environment stack into tenant stacks; `--apply` writes the
 * shard file, creates the stacks with their config and runs the moves one by one, stopping at the first failure.
 * Refuses while a registry `move:` is in flight. 0 listed / applied, 1 refused or failed, 2 usage.
 */
export async function migrateCommand(opts: MigrateOptions, io: Io, deps: StacksDeps = {}): Promise<number> {
  const fail = failWith(io, "migrate");
  const file = registryFileFor({ env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  try {
    const env = loadEnvironmentStacks(file, { stackLayout: "per-tenant" }, OFFLINE_SETTINGS);
    const moves = migrationMoves(env.loaded.registry, env.layout, env.partition, opts.project ?? "tenantry", env.environmentStack);
    for (const move of moves) {
      io.stdout(`# ${move.dest}: ${move.tenants.join(", ")} (${move.urns.length} component(s) with their children)\n${shellLine(stateMoveArgv(move))}\n`);
    }
    io.stdout(`# then set tenantry:stackLayout: per-tenant in ${shown(io, stackFileFor(file, env.loaded.registry.environment))} and run tenantry preview --env ${env.environmentStack}: no resource changes\n`);
    if (!opts.apply) {
      io.stderr(`tenantry stacks migrate: dry run — ${moves.length} move(s) listed; --apply runs them\n`);
      return EXIT.ok;
    }
    writeAtomic(env.shardFile, renderShardFile(env.partition.assignment.shards));
    const projectDir = projectDirOf(file);
    const workspace = (deps.workspace ?? automationWorkspace)(projectDir);
    const shared = await workspace.config(env.environmentStack);
    const config = { ...shared, "tenantry:stackLayout": { value: "per-tenant" }, "tenantry:environmentStack": { value: env.environmentStack } };
    for (const move of moves) {
      await workspace.ensureStack(move.dest, config);
      const result = await (deps.run ?? spawnRunner)(stateMoveArgv(move), projectDir);
      if (result.code !== 0) return fail(EXIT.failed, `moving to ${move.dest} failed (exit ${result.code}): ${result.stderr.trim().split("\n")[0] ?? ""}; fix it and run again — moved stacks no longer hold the URNs, the rest are still in ${move.source}`);
      io.stderr(`moved ${move.urns.length} component(s) to ${move.dest}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    return handle(error, fail);
  }
}

/** Writes the bridge shard assignment (existing entries kept, new tenants in the lowest shard with room). */
export function assignCommand(opts: { env?: string | undefined }, io: Io): number {
  const fail = failWith(io, "assign");
  const file = registryFileFor({ env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  try {
    const env = loadEnvironmentStacks(file, { stackLayout: "per-tenant" }, OFFLINE_SETTINGS);
    const { added, dropped, overfull, shards } = env.partition.assignment;
    writeAtomic(env.shardFile, renderShardFile(shards));
    for (const shard of overfull) io.stderr(`shard ${shard} holds more than tenantry:bridgeShardSize (${env.settings.bridgeShardSize}) tenants: kept, never rebalanced\n`);
    io.stdout(`${shown(io, env.shardFile)}: ${shards.size} bridge tenant(s) in ${new Set(shards.values()).size} shard(s); ${added.length} added, ${dropped.length} dropped\n`);
    return EXIT.ok;
  } catch (error) {
    return handle(error, fail);
  }
}

export interface ManifestOptions {
  env?: string | undefined;
  repo?: string | undefined;
  branch?: string | undefined;
  repoDir?: string | undefined;
  org?: string | undefined;
  namespace?: string | undefined;
  secret?: string | undefined;
}

/** Prints one Pulumi Kubernetes Operator `Stack` per stack (YAML documents). */
export function manifestsCommand(opts: ManifestOptions, io: Io): number {
  const fail = failWith(io, "manifests");
  if (opts.repo === undefined) return fail(EXIT.usage, "--repo <git url> is required (the operator clones the project from it)");
  const file = registryFileFor({ env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  try {
    const env = loadEnvironmentStacks(file, { stackLayout: "per-tenant" }, OFFLINE_SETTINGS);
    const source = stackFileSource(stackFileFor(file, env.loaded.registry.environment));
    const keys = ["atlasOrgId", "atlasGovOrgId", "awsRegion", "awsGovProfile", "namingPrefix", "protect", "publishToSsm", "bridgeShardSize", "registryPath"];
    const sharedConfig: Record<string, string> = {};
    for (const key of keys) {
      const value = source.get(key);
      if (value !== undefined) sharedConfig[`tenantry:${key}`] = value;
    }
    const ids = source.getObject<Record<string, string>>("sharedProjectIds");
    if (ids) sharedConfig["tenantry:sharedProjectIds"] = JSON.stringify(ids);
    const region = source.awsRegion();
    if (region) sharedConfig["aws:region"] = region;
    const docs = operatorStacks(env.partition.stacks, {
      organization: opts.org ?? "organization",
      repo: opts.repo,
      branch: opts.branch ?? "main",
      ...(opts.repoDir !== undefined && { repoDir: opts.repoDir }),
      namespace: opts.namespace ?? "tenantry",
      credentialsSecret: opts.secret ?? "tenantry-credentials",
      sharedConfig,
      environmentStack: env.environmentStack,
    });
    io.stdout(docs.map((d) => stringify(d)).join("---\n"));
    return EXIT.ok;
  } catch (error) {
    return handle(error, fail);
  }
}

export const registerStacks: RegisterCommand = (program: Command, io: Io, setExit) => {
  const stacks = program.command("stacks").description("The per-tenant stack layout: split an environment, assign bridge shards, emit operator manifests");
  stacks
    .command("migrate")
    .description("Print (with --apply run) the pulumi state move commands moving each tenant's resources to its own stack (exit 0 ok, 1 refused or failed, 2 usage)")
    .option("--env <env>", "the environment")
    .option("--apply", "create the tenant stacks and run the moves")
    .option("--project <name>", "Pulumi project name (default tenantry)")
    .action(async (options: MigrateOptions) => setExit(await migrateCommand(options, io)));
  stacks
    .command("assign")
    .description("Write stacks/<env>.shards.yaml: existing bridge shard entries kept, new bridge tenants in the lowest shard with room")
    .option("--env <env>", "the environment")
    .action((options: { env?: string }) => setExit(assignCommand(options, io)));
  stacks
    .command("manifests")
    .description("Print a Pulumi Kubernetes Operator Stack per stack, the shared stack a prerequisite of the others")
    .option("--env <env>", "the environment")
    .option("--repo <url>", "git repository of this project")
    .option("--branch <name>", "branch the operator deploys (default main)")
    .option("--repo-dir <dir>", "directory of Pulumi.yaml in the repository")
    .option("--org <org>", "Pulumi organization (default organization)")
    .option("--namespace <ns>", "Kubernetes namespace (default tenantry)")
    .option("--secret <name>", "Secret with PULUMI_ACCESS_TOKEN and cloud credentials (default tenantry-credentials)")
    .action((options: ManifestOptions) => setExit(manifestsCommand(options, io)));
};
