// Every rule a registry must satisfy beyond its zod types, collected in one pass.
import type { Registry } from "../schema";
import { backupRules } from "./backup";
import { capacityRules } from "./capacity";
import { collectionRules } from "./collections";
import { idRules } from "./ids";
import { networkRules } from "./network";
import { siloOpsRules } from "./silo-ops";
import { stageRules } from "./stage";
import type { RuleProblem } from "./types";

export type { RuleProblem } from "./types";

/** Runs every rule on a schema-valid registry and returns all problems (errors and warnings); the loader sorts them. */
export function checkRegistry(registry: Registry): RuleProblem[] {
  return [...idRules(registry), ...stageRules(registry), ...backupRules(registry), ...networkRules(registry), ...capacityRules(registry), ...collectionRules(registry), ...siloOpsRules(registry)];
}
