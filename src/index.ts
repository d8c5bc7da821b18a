// The Pulumi entry: read settings once, load the registry, build this stack, export the connection map (and the per-tenant layout's wiring).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { buildTenantry } from "@tenantry/pulumi/program/compose";
import { readSettings, readStackIdentity } from "@tenantry/pulumi/program/config";
import { buildPerTenantStack, STACK_OUTPUTS } from "@tenantry/pulumi/program/stacks/program";
import { readShardFile, shardFileFor } from "@tenantry/pulumi/program/stacks/shards";
import { formatProblem } from "@tenantry/core/registry/problems";
import { loadRegistryFile } from "@tenantry/core/registry/load";

const settings = readSettings();
// Relative to the project root (where Pulumi.yaml is), whatever directory the language host runs the program from.
const registryFile = resolve(__dirname, "..", settings.registryPath);
const loaded = loadRegistryFile(registryFile);
// The Node SDK captures `new Error().stack` for every Output and RPC promise; with source maps that dominates
// evaluation (bench/program.bench.ts). Resource source positions are unaffected: the SDK lifts the limit itself there.
if (!process.env.TENANTRY_STACK_TRACES) Error.stackTraceLimit = 0;
for (const warning of loaded.warnings) void pulumi.log.warn(formatProblem(warning));

// `tenantry:stackLayout: per-tenant` (README "Past one stack"): this stack builds only its part of the registry.
const perTenant =
  settings.stackLayout === "per-tenant"
    ? buildPerTenantStack(
        settings,
        loaded,
        readShardFile(shardFileFor(registryFile, loaded.registry.environment)),
        readStackIdentity(),
        (JSON.parse(readFileSync(resolve(__dirname, "..", "package.json"), "utf8")) as { version: string }).version,
      ).then((stack) => {
        for (const warning of [...stack.build.warnings, ...stack.warnings]) void pulumi.log.warn(formatProblem(warning));
        return stack.outputs;
      })
    : undefined;
const single = perTenant ? undefined : buildTenantry(settings, loaded);
for (const warning of single?.warnings ?? []) void pulumi.log.warn(formatProblem(warning));

/** The connection map v1 the runtime resolver reads (no secrets: hosts, regions and secret ARNs only). */
export const connectionMap: pulumi.Output<ConnectionMap> = single
  ? single.connectionMap
  : // A tenant stack of the per-tenant layout has none: an Output of undefined is not exported.
    (pulumi.output(perTenant?.then((o) => o[STACK_OUTPUTS.map])) as pulumi.Output<ConnectionMap>);
/** Per-tenant layout only (undefined, so not exported, in the single layout): this stack's map facts. */
export const mapFacts = perTenant?.then((o) => o[STACK_OUTPUTS.facts]);
/** Per-tenant layout, shared stack: what the tenant stacks read through StackReference. */
export const tenantryShared = perTenant?.then((o) => o[STACK_OUTPUTS.shared]);
/** Per-tenant layout: digest of the inputs this stack last ran with (the orchestrator's change detection). */
export const tenantryInputs = perTenant?.then((o) => o[STACK_OUTPUTS.inputs]);
