// Reads a stack file (`stacks/Pulumi.<env>.yaml`) without the Pulumi CLI, so the offline plan uses the same settings as `pulumi up`.
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { readTextFile } from "@tenantry/contract/files";
import { type ConfigSource, type ProgramSettings, SettingsError, settingsFrom } from "./settings";

/** The stack file of an environment: beside its registry, as `stackConfigDir: stacks` in Pulumi.yaml puts it. */
export function stackFileFor(registryFile: string, environment: string): string {
  return join(dirname(registryFile), `Pulumi.${environment}.yaml`);
}

/** A ConfigSource over a stack file's `config:` map, with Pulumi's conversions ("true" is a boolean, JSON text an object). */
export function stackFileSource(file: string, text: string | undefined = readTextFile(file)): ConfigSource {
  if (text === undefined) throw new SettingsError([`${file}: stack file not found`]);
  const document = parse(text) as { config?: Record<string, unknown> } | null;
  const config = document?.config ?? {};
  const raw = (key: string): unknown => config[key];
  const fail = (key: string, what: string): never => {
    throw new SettingsError([`${file}: ${key} must be ${what}`]);
  };
  return {
    get: (key) => {
      const value = raw(`tenantry:${key}`);
      if (value === undefined || value === null) return undefined;
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
      return fail(`tenantry:${key}`, "a single value, not a list or map");
    },
    getBoolean: (key) => {
      const value = raw(`tenantry:${key}`);
      if (value === undefined || value === null) return undefined;
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      return fail(`tenantry:${key}`, "true or false");
    },
    getObject: <T>(key: string) => {
      const value = raw(`tenantry:${key}`);
      if (value === undefined || value === null) return undefined;
      if (typeof value === "string") {
        try {
          return JSON.parse(value) as T;
        } catch {
          return fail(`tenantry:${key}`, "an object (YAML or JSON text)");
        }
      }
      return value as T;
    },
    getNumber: (key) => {
      const value = raw(`tenantry:${key}`);
      if (value === undefined || value === null) return undefined;
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
      return Number.isFinite(n) ? n : fail(`tenantry:${key}`, "a number");
    },
    awsRegion: () => {
      const value = raw("aws:region");
      return typeof value === "string" ? value : undefined;
    },
  };
}

/**
 * The settings `pulumi up` would use for this environment, read from its stack file, over `base`; undefined when the
 * environment has no stack file. The registry path is the registry being planned.
 */
export function stackFileSettings(registryFile: string, environment: string, base: ProgramSettings): ProgramSettings | undefined {
  const file = stackFileFor(registryFile, environment);
  const text = readTextFile(file);
  if (text === undefined) return undefined;
  const source = stackFileSource(file, text);
  // As src/program/config.ts: `pulumi up` refuses a stack without it (Config.require), so the plan does too.
  if (source.get("atlasOrgId") === undefined) throw new SettingsError([`${file}: tenantry:atlasOrgId is required (pulumi up refuses the stack without it)`]);
  return { ...settingsFrom(source, environment, base), registryPath: registryFile };
}
