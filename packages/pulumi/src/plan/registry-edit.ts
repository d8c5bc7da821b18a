// The registry edit pipeline of `onboard` / `offboard`: edit the text, validate, plan in memory, render, and only then
// write — an invalid result, a refused plan or a leak leaves the file untouched.
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "@tenantry/contract/atomic-write";
import type { EditResult } from "@tenantry/core/registry/edit";
import { type LoadedRegistry, RegistryNotFoundError } from "@tenantry/core/registry/load";
import type { Plan } from "./model";
import { type OfflineRunner, planForTenant, planLoaded } from "./plan";
import { renderPlan } from "./render";

export interface RegistryEditInput {
  /** The registry file (a symlink is edited through, its target replaced). */
  file: string;
  tenantId: string;
  /** The text edit (throws the registry edit errors or RegistryInvalidError). */
  edit: (text: string, file: string) => EditResult;
  runner?: OfflineRunner;
  /** Colours in the rendered tenant plan. @default false */
  color?: boolean;
}

export type RegistryEditOutcome =
  | { changed: false }
  | {
      changed: true;
      loaded: LoadedRegistry;
      /** The plan restricted to the tenant. */
      plan: Plan;
      /** Its text rendering, already checked by the leak guard. */
      planText: string;
    };

/**
 * Runs the pipeline. Throws RegistryNotFoundError, the edit's errors, RegistryInvalidError, the plan's errors
 * (PlanSettingsError, PlanRefusedError), SecretLeakError, or the write's system error; the file is written last.
 */
export async function applyRegistryEdit(input: RegistryEditInput): Promise<RegistryEditOutcome> {
  let text: string;
  try {
    text = readFileSync(input.file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR") throw new RegistryNotFoundError(input.file);
    throw error;
  }
  const result = input.edit(text, input.file);
  if (result.text === text) return { changed: false };
  const plan = planForTenant(await planLoaded(result.loaded, input.runner ? { runner: input.runner } : {}), input.tenantId);
  const planText = await renderPlan(plan, "text", { color: input.color === true });
  writeFileAtomic(input.file, result.text);
  return { changed: true, loaded: result.loaded, plan, planText };
}
