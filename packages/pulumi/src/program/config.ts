// The only module that reads `pulumi.Config`: turns stack config into plain, typed ProgramSettings.
import * as pulumi from "@pulumi/pulumi";
import { settingsFrom, type ProgramSettings } from "./settings";

export * from "./settings";

/** Reads the stack configuration (namespace `tenantry`), the one place `pulumi.Config` is used. */
export function readSettings(): ProgramSettings {
  const cfg = new pulumi.Config("tenantry");
  const aws = new pulumi.Config("aws");
  // Required under `pulumi up`: the default org id is only a placeholder for the offline plan.
  cfg.require("atlasOrgId");
  return settingsFrom(
    {
      get: (key) => cfg.get(key),
      getBoolean: (key) => cfg.getBoolean(key),
      getObject: <T>(key: string) => cfg.getObject<T>(key),
      getNumber: (key) => cfg.getNumber(key),
      awsRegion: () => aws.get("region"),
    },
    pulumi.getStack(),
  );
}

/** The Pulumi stack being run, its organization and project (names of StackReferences in the per-tenant layout). */
export function readStackIdentity(): { stack: string; organization: string; project: string } {
  return { stack: pulumi.getStack(), organization: pulumi.getOrganization(), project: pulumi.getProject() };
}
