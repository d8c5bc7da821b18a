// The Pulumi entry: read settings once, load the registry, build everything, export the connection map.
import * as pulumi from "@pulumi/pulumi";
import { buildTenantry } from "./program/compose";
import { readSettings } from "./program/config";
import { formatProblem } from "./registry/problems";
import { loadRegistryFile } from "./registry/load";

const settings = readSettings();
const loaded = loadRegistryFile(settings.registryPath);
const tenantry = buildTenantry(settings, loaded);
for (const warning of [...loaded.warnings, ...tenantry.warnings]) void pulumi.log.warn(formatProblem(warning));

/** The connection map v1 the runtime resolver reads (no secrets: hosts, regions and secret ARNs only). */
export const connectionMap = tenantry.connectionMap;
