// The offline plan as a library: validate the registry, run the program under the mock engine, compare with the last map.
import { ConnectionMap } from "../connection-map/schema";
import { diffMaps } from "../connection-map/diff";
import { parseMapDocument } from "../connection-map/document";
import { readTextFile } from "../files";
import { OFFLINE_SETTINGS, type ProgramSettings } from "../program/settings";
import { stackFileSettings } from "../program/stack-file";
import { loadRegistryFile, type LoadedRegistry } from "../registry/load";
import type { Plan } from "./model";
import type { OfflineRun } from "./types";

export type { Plan } from "./model";

/** Runs the program offline on a loaded registry; the engine's `runOfflineDetailed` unless a test or bench injects another. */
export type OfflineRunner = (
  loaded: LoadedRegistry,
  settings: Partial<ProgramSettings>,
) => Promise<{ run: OfflineRun; generatedSecrets?: readonly string[] }>;

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
 * plan shows the real prefix, protection and SSM publication; explicit settings win.
 */
const engineRunner: OfflineRunner = async (loaded, settings) => {
  const { runOfflineDetailed } = await import("./engine.js");
  const fromStack = stackFileSettings(loaded.file, loaded.registry.environment, OFFLINE_SETTINGS);
  return runOfflineDetailed(loaded, { ...fromStack, registryPath: loaded.file, ...settings });
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
  const { run, generatedSecrets = [] } = await (input.runner ?? engineRunner)(loaded, input.settings ?? {});
  if (input.previous) input.onPhase?.("comparing");
  const changes = input.previous ? diffMaps(input.previous, run.connectionMap) : [];
  return { run, changes, compared: input.previous !== undefined, registry: loaded.registry, knownSecrets: generatedSecrets };
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
