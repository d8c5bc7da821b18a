// The offline plan as a library: validate the registry, run the program under the mock engine, compare with the last map.
import { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { diffMaps } from "@tenantry/core/connection-map/diff";
import { parseMapDocument } from "@tenantry/contract/connection-map/document";
import { readTextFile } from "@tenantry/contract/files";
import { ProgramLayoutError } from "../program/layout";
import { DEFAULT_SETTINGS, type ProgramSettings, SettingsError } from "../program/settings";
import { stackFileFor, stackFileSettings } from "../program/stack-file";
import { UnknownStackError } from "../program/stacks/names";
import { ShardFileError } from "../program/stacks/shards";
import { loadRegistryFile, type LoadedRegistry } from "@tenantry/core/registry/load";
import { DestructiveChangeError, PlanRefusedError, PlanSettingsError } from "./errors";
import type { Plan, PlannedStack } from "./model";
import type { OfflineRun } from "./types";

export type { Plan } from "./model";

/** Runs the program offline on a loaded registry; the engine's `runOfflineDetailed` unless a test or bench injects another. */
export type OfflineRunner = (
  loaded: LoadedRegistry,
  settings: Partial<ProgramSettings>,
) => Promise<{ run: OfflineRun; generatedSecrets?: readonly string[]; stacks?: PlannedStack[] }>;

export interface PlanInput {
  registryFile: string;
  /** Connection map of the last deployment; the plan then lists every change against it. */
  previous?: ConnectionMap;
  settings?: Partial<ProgramSettings>;
  /** Called when a phase starts, for a progress indicator. */
  onPhase?: (phase: "validating" | "evaluating" | "comparing") => void;
  /** @default the engine's runOfflineDetailed */
  runner?: OfflineRunner;
}

/**
 * The engine loads the Pulumi SDK (slow): only commands that plan pay for it, on first use. Settings come from the
 * environment's stack file (`Pulumi.<env>.yaml` beside the registry) when there is one, as under `pulumi up`, so the
 * plan shows the real prefix, protection and SSM publication, and a setting `pulumi up` requires that the file lacks
 * (`atlasOrgId`, `atlasGovOrgId` once a FedRAMP tenant exists) fails the plan too: placeholders stand in only for
 * ids the cloud assigns. Without a stack file the offline placeholders are used. Explicit settings win.
 */
const engineRunner: OfflineRunner = async (loaded, settings) => {
  const fromStack = stackFileSettings(loaded.file, loaded.registry.environment, DEFAULT_SETTINGS);
  const merged = { ...fromStack, registryPath: loaded.file, ...settings };
  try {
    if (merged.stackLayout === "per-tenant") {
      // Every stack's program under the mock engine (README "Past one stack"); the persisted shards as `tenantry up` reads them.
      const { planStacksOffline } = await import("./stacks.js");
      const { readShardFile, shardFileFor } = await import("../program/stacks/shards.js");
      const run = await planStacksOffline(loaded, merged, readShardFile(shardFileFor(loaded.file, loaded.registry.environment)));
      return {
        run: run.run,
        generatedSecrets: run.generatedSecrets,
        stacks: run.stacks.map((s) => ({ name: s.plan.name, kind: s.plan.kind, tenants: s.plan.tenants, resources: s.resources })),
      };
    }
    const { runOfflineDetailed } = await import("./engine.js");
    return await runOfflineDetailed(loaded, merged, fromStack ? { baseSettings: DEFAULT_SETTINGS } : {});
  } catch (error) {
    // A missing setting is the stack file's problem, named as such (the file to edit, the key to set).
    if (fromStack && error instanceof ProgramLayoutError && error.problems.every((p) => p.path.startsWith("settings."))) {
      const file = stackFileFor(loaded.file, loaded.registry.environment);
      throw new SettingsError(error.problems.map((p) => `${file}: ${p.message}`));
    }
    throw error;
  }
};

/**
 * Plans one environment. The registry is validated first, so an invalid one fails fast with RegistryInvalidError
 * (all problems) before the program runs; a missing file throws RegistryNotFoundError.
 */
export async function planEnvironment(input: PlanInput): Promise<Plan> {
  input.onPhase?.("validating");
  return planLoaded(loadRegistryFile(input.registryFile), input);
}

/** Plans an already validated registry (e.g. an edit not yet written to disk). */
export async function planLoaded(loaded: LoadedRegistry, input: Omit<PlanInput, "registryFile">): Promise<Plan> {
  input.onPhase?.("evaluating");
  let evaluated: Awaited<ReturnType<OfflineRunner>>;
  try {
    evaluated = await (input.runner ?? engineRunner)(loaded, input.settings ?? {});
  } catch (error) {
    // The program's own classes stay inside the library: callers branch on the plan's.
    if (error instanceof SettingsError) throw new PlanSettingsError(error.problems);
    if (error instanceof ShardFileError || error instanceof UnknownStackError) throw new PlanSettingsError([error.message]);
    if (error instanceof ProgramLayoutError) throw new PlanRefusedError(error.problems);
    throw error;
  }
  const { run, generatedSecrets = [], stacks } = evaluated;
  if (input.previous) input.onPhase?.("comparing");
  const changes = input.previous ? diffMaps(input.previous, run.connectionMap) : [];
  return { run, changes, compared: input.previous !== undefined, registry: loaded.registry, knownSecrets: generatedSecrets, ...(stacks && { stacks }) };
}

/** Thrown when the `--previous` file is not a connection map; `problems` say why. */
export class PreviousMapError extends Error {
  override readonly name = "PreviousMapError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    /** True when the file does not exist (a usage error rather than a bad map). */
    readonly missing = false,
  ) {
    super(`${file} is not a connection map: ${problems.join("; ")}`);
  }
}

/**
 * Reads the previous connection map: the map itself (`pulumi stack output connectionMap --json`, `plan --out`)
 * or a document holding it under `connectionMap` (`plan --json`, `pulumi stack output --json`).
 */
export function readPreviousMap(file: string): ConnectionMap {
  const text = readTextFile(file);
  if (text === undefined) throw new PreviousMapError(file, ["file not found"], true);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PreviousMapError(file, [`invalid JSON: ${(error as Error).message}`]);
  }
  const parsed = parseMapDocument(data);
  if (!parsed.success) {
    throw new PreviousMapError(
      file,
      parsed.error.issues.slice(0, 10).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** The plan restricted to one tenant: its placement, resources, map entry (with the clusters and credentials it uses), warnings and changes. */
export function planForTenant(plan: Plan, tenantId: string): Plan {
  const { run } = plan;
  const entry = run.connectionMap.tenants[tenantId];
  const routes = entry ? [entry, ...(entry.target ? [entry.target] : [])] : [];
  const pick = <T>(record: Record<string, T>, keys: string[]): Record<string, T> =>
    Object.fromEntries(keys.flatMap((k) => {
      const v = record[k];
      return v === undefined ? [] : [[k, v] as const];
    }));
  return {
    ...plan,
    run: {
      ...run,
      placements: run.placements.filter((p) => p.tenantId === tenantId),
      resources: run.resources.filter((r) => r.tenant === tenantId),
      connectionMap: {
        ...run.connectionMap,
        clusters: pick(run.connectionMap.clusters, routes.map((r) => r.cluster)),
        credentials: pick(run.connectionMap.credentials, routes.map((r) => r.credential)),
        tenants: entry ? { [tenantId]: entry } : {},
      },
      warnings: run.warnings.filter((w) => w.tenantId === tenantId),
    },
    changes: plan.changes.filter((c) => c.tenantId === tenantId),
  };
}

/** The destructive-change policy: throws DestructiveChangeError when the plan holds any and they are not allowed. */
export function assertDestructiveAllowed(plan: Plan, allowDestructive: boolean): void {
  const count = plan.changes.filter((c) => c.destructive).length;
  if (count > 0 && !allowDestructive) throw new DestructiveChangeError(count);
}
