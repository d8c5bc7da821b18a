// The Pulumi entry: read settings once, load the registry, build everything, export the connection map.
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildTenantry } from "./program/compose";
import { readSettings } from "./program/config";
import { formatProblem } from "./registry/problems";
import { loadRegistryFile } from "./registry/load";

const settings = readSettings();
// Relative to the project root (where Pulumi.yaml is), whatever directory the language host runs the program from.
const loaded = loadRegistryFile(resolve(__dirname, "..", settings.registryPath));
// The Node SDK captures `new Error().stack` for every Output and RPC promise; with source maps that dominates
// evaluation (bench/program.bench.ts). Resource source positions are unaffected: the SDK lifts the limit itself there.
if (!process.env.TENANTRY_STACK_TRACES) Error.stackTraceLimit = 0;
const tenantry = buildTenantry(settings, loaded);
for (const warning of [...loaded.warnings, ...tenantry.warnings]) void pulumi.log.warn(formatProblem(warning));

/** The connection map v1 the runtime resolver reads (no secrets: hosts, regions and secret ARNs only). */
export const connectionMap = tenantry.connectionMap;
