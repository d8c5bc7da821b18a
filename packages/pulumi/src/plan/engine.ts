// The offline engine: runs the real Pulumi program under mocks, records every resource with its options, returns the map.
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { resolveSettings, OFFLINE_SETTINGS, type ProgramSettings } from "../program/config";
import { planLayout, type ProgramInput } from "../program/layout";
import { loadRegistryFile } from "@tenantry/core/registry/load";
import { createMockState } from "./mock-state";
import type { OfflineRun, RecordedResource } from "./types";

export type { OfflineRun, RecordedResource } from "./types";

/** Pulumi's serialized-value signature key and the values marking a secret and a resource reference. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const STACK_TYPE = "pulumi:pulumi:Stack";
/** Type of a StackReference (a read of another stack's outputs, registered like a resource). */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const GOV_PROVIDER_REF = "pulumi:providers:aws::aws-gov::";

/** A registration as the monitor saw it, before secrets are masked (tests use it to prove nothing leaks). */
export interface RawRegistration {
  type: string;
  name: string;
  urn: string;
  parentUrn: string;
  custom: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  /** `replaceOnChanges` property paths. */
  replaceOnChanges: string[];
  /** Provider reference (`urn::id`), empty for default providers. */
  provider: string;
  /** Serialized inputs: secrets still wrapped in their signature objects. */
  props: Record<string, unknown>;
}

export interface OfflineOptions {
  /**
   * `Error.stackTraceLimit` while resources are registered. The Node SDK captures `new Error().stack` for every
   * Output it creates; 0 skips that work (bench/program.bench.ts measures it). @default 0
   */
  stackTraceLimit?: number;
  /**
   * What settings not given fall back to. A stack file's settings are complete and come with DEFAULT_SETTINGS, so no
   * placeholder hides a setting `pulumi up` would require. @default OFFLINE_SETTINGS (a registry without a stack file)
   */
  baseSettings?: ProgramSettings;
}

export interface DetailedRun {
  run: OfflineRun;
  raw: RawRegistration[];
  /** Every password the mocks generated. */
  generatedSecrets: string[];
  /** What `buildTenantry` returned (component handles for tests). */
  program: import("../program/compose").Tenantry;
}

/** Replaces every secret by "[secret]" and every resource reference by its URN, recursively. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return "[secret]";
    if (o[SIG] === RESOURCE_SIG) return o.urn;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

// The Pulumi runtime is process-global: runs are queued so two never share the mock monitor.
let queue: Promise<unknown> = Promise.resolve();

/** Loads the registry file and runs the program offline. Several runs per process are fine; they run one at a time. */
export async function runOffline(input: { registryFile: string; settings?: Partial<ProgramSettings> }): Promise<OfflineRun> {
  const loaded = loadRegistryFile(input.registryFile);
  const settings = { registryPath: input.registryFile, ...input.settings };
  return (await runOfflineDetailed(loaded, settings)).run;
}

/** Runs the program offline from an already loaded registry; returns the raw registrations too. */
export function runOfflineDetailed(
  loaded: ProgramInput,
  partialSettings: Partial<ProgramSettings> = {},
  options: OfflineOptions = {},
): Promise<DetailedRun> {
  const next = queue.then(() => runOnce(loaded, partialSettings, options));
  queue = next.catch(() => undefined);
  return next;
}

async function runOnce(loaded: ProgramInput, partialSettings: Partial<ProgramSettings>, options: OfflineOptions): Promise<DetailedRun> {
  const settings = resolveSettings(partialSettings, options.baseSettings ?? OFFLINE_SETTINGS);
  // Pre-flight outside the Pulumi runtime: a ProgramLayoutError thrown inside the stack would leave the SDK's
  // pending stack registration rejecting in the background.
  planLayout(settings, loaded);
  const environment = loaded.registry.environment;
  // Loaded only now, after setMocks, so nothing in the program can capture the real (absent) engine.
  // (`.js`: this is an ECMAScript import expression under node16 resolution; tsx and vitest map it to the .ts source.)
  // Already queued by runOfflineDetailed: the unqueued runner.
  const engine = await runUnderMocks({ stack: environment, awsRegion: settings.awsRegion, ...options }, async () => {
    const { buildTenantry } = await import("../program/compose.js");
    const built = buildTenantry(settings, loaded);
    return { result: built, outputs: { connectionMap: built.connectionMap } };
  });
  const program = engine.result;
  // `promise()` rejects when the map cannot be assembled; `apply` would just never call back.
  const connectionMap = await (program.connectionMap as unknown as { promise(): Promise<ConnectionMap> }).promise();

  const run: OfflineRun = {
    environment,
    placements: [...loaded.placements],
    resources: recordResources(engine.raw, program.layout.componentTenants),
    connectionMap,
    warnings: [...(loaded.warnings ?? []), ...program.warnings],
  };
  return { run, raw: engine.raw, generatedSecrets: engine.generatedSecrets, program };
}

export interface MockEngineOptions extends OfflineOptions {
  /** Stack name `pulumi.getStack()` returns. */
  stack: string;
  /** Region of AWS resources that set none. */
  awsRegion: string;
  /** Outputs of other stacks by fully qualified name, returned to `StackReference`s (REFERENCE §9.1). */
  stackOutputs?: ReadonlyMap<string, Record<string, unknown>>;
}

/** Project name the mock engine runs under (`Pulumi.yaml`'s). */
export const MOCK_PROJECT = "tenantry";
/** Organization of a self-managed backend, which StackReference names use (https://www.pulumi.com/docs/iac/concepts/stacks/). */
export const MOCK_ORGANIZATION = "organization";

/**
 * Runs one program under the mock monitor, recording every registration with its options; runs are queued (the
 * runtime is process-global). `body` registers the resources and returns the stack outputs.
 */
export function underMocks<T>(
  options: MockEngineOptions,
  body: () => Promise<{ result: T; outputs: Record<string, unknown> }>,
): Promise<{ result: T; outputs: Record<string, unknown>; raw: RawRegistration[]; generatedSecrets: string[] }> {
  const next = queue.then(() => runUnderMocks(options, body));
  queue = next.catch(() => undefined);
  return next;
}

async function runUnderMocks<T>(
  options: MockEngineOptions,
  body: () => Promise<{ result: T; outputs: Record<string, unknown> }>,
): Promise<{ result: T; outputs: Record<string, unknown>; raw: RawRegistration[]; generatedSecrets: string[] }> {
  const state = createMockState({
    defaultAwsRegion: options.awsRegion,
    providerRegion: (ref) => (ref?.includes(GOV_PROVIDER_REF) ? "us-gov-west-1" : undefined),
  });
  const newResource = state.mocks.newResource.bind(state.mocks);
  const mocks: pulumi.runtime.Mocks = {
    call: state.mocks.call.bind(state.mocks),
    newResource: (args) =>
      args.type === STACK_REFERENCE_TYPE
        ? { id: String(args.inputs.name), state: { ...args.inputs, outputs: options.stackOutputs?.get(String(args.inputs.name)) ?? {}, secretOutputNames: [] } }
        : newResource(args),
  };
  await pulumi.runtime.setMocks(mocks, MOCK_PROJECT, options.stack, false, MOCK_ORGANIZATION);

  const raw: RawRegistration[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource: (req: any, cb: (err: unknown, res: any) => void) => void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: (err: unknown, res: any) => void) => {
    // Options never reach the mocks; the request carries them (https://www.pulumi.com/docs/iac/concepts/testing/unit/).
    const entry: RawRegistration = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parentUrn: req.getParent(),
      custom: req.getCustom(),
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      replaceOnChanges: req.getReplaceonchangesList() ?? [],
      provider: req.getProvider() ?? "",
      props: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    };
    raw.push(entry);
    original(req, (err, res) => {
      if (!err && res) entry.urn = res.getUrn();
      cb(err, res);
    });
  };

  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = options.stackTraceLimit ?? 0;
  try {
    const runInPulumiStack = (pulumi.runtime as any).runInPulumiStack as (init: () => Promise<unknown>) => Promise<unknown>;
    const holder: { done?: { result: T; outputs: Record<string, unknown> } } = {};
    // The root Stack resource is registered as under `pulumi up`, so parents and URNs look the same.
    await runInPulumiStack(async () => {
      holder.done = await body();
      return holder.done.outputs;
    });
    if (!holder.done) throw new Error("the program did not run");
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(holder.done.outputs)) {
      outputs[key] = value === undefined ? undefined : await (pulumi.output(value) as unknown as { promise(): Promise<unknown> }).promise();
    }
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { result: holder.done.result, outputs, raw, generatedSecrets: state.generatedSecrets };
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
}

/** Program resources with masked inputs, each attributed to the tenant whose component (transitively) owns it. */
export function recordResources(raw: readonly RawRegistration[], componentTenants: ReadonlyMap<string, string>): RecordedResource[] {
  const byUrn = new Map(raw.map((r) => [r.urn, r]));
  const tenantOf = new Map<string, string | null>();
  const resolve = (r: RawRegistration): string | null => {
    const cached = tenantOf.get(r.urn);
    if (cached !== undefined) return cached;
    const own = !r.custom ? componentTenants.get(r.name) : undefined;
    const parent = byUrn.get(r.parentUrn);
    const tenant = own ?? (parent ? resolve(parent) : null);
    tenantOf.set(r.urn, tenant);
    return tenant;
  };
  return raw
    .filter((r) => r.type !== STACK_TYPE && !(r.type.startsWith("pulumi:providers:") && r.name.startsWith("default")))
    .map((r) => {
      const parent = byUrn.get(r.parentUrn);
      return {
        type: r.type,
        name: r.name,
        tenant: resolve(r),
        inputs: maskSecrets(r.props) as Record<string, unknown>,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        component: !r.custom,
        ...(parent && parent.type !== STACK_TYPE && { parent: parent.name }),
      };
    });
}
