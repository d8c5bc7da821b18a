// Errors of the stack commands the CLI maps to messages and exit codes, in one place.
import { ProgramLayoutError } from "../program/layout";
import { SettingsError } from "../program/settings";
import { ConflictingFactsError } from "../program/stacks/merge";
import { ShardFileError } from "../program/stacks/shards";
import { UnknownStackError } from "../program/stacks/names";
import { RegistryNotFoundError } from "@tenantry/core/registry/load";
import { formatProblem, RegistryInvalidError } from "@tenantry/core/registry/problems";
import { MoveInFlightError } from "./migrate";
import { UnknownStackTenantError } from "./orchestrate";

/** A known failure as `{ code, lines }` (exit 1 failed, 2 usage), or undefined for anything else (a bug: rethrow). */
export function describeStackError(error: unknown): { usage: boolean; lines: string[] } | undefined {
  if (error instanceof RegistryNotFoundError) return { usage: true, lines: [`registry file not found: ${error.file}`] };
  if (error instanceof RegistryInvalidError) return { usage: false, lines: [...error.problems.map(formatProblem), "the registry is invalid; nothing done"] };
  if (error instanceof ProgramLayoutError) return { usage: false, lines: [...error.problems.map((p) => `${p.path}  ${p.message}`), "the program cannot be built; nothing done"] };
  if (error instanceof SettingsError) return { usage: false, lines: [error.message] };
  if (error instanceof ShardFileError || error instanceof ConflictingFactsError || error instanceof MoveInFlightError || error instanceof UnknownStackError) return { usage: false, lines: [error.message] };
  if (error instanceof UnknownStackTenantError) return { usage: true, lines: [error.message] };
  return undefined;
}
