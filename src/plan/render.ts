// Every rendering of a plan (text, markdown, JSON, the --out map) goes through here, so the leak guard sees all of them.
import { assertNoSecretText, renderConnectionMap, renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import type { Plan } from "./model";
import { renderText } from "./text";

export type PlanFormat = "text" | "json" | "markdown";

/** Renders the plan in `format`; throws SecretLeakError instead of returning text that holds a secret. */
export function renderPlan(plan: Plan, format: PlanFormat, options: { color?: boolean } = {}): string {
  if (format === "json") return renderJson(plan);
  const text = format === "markdown" ? renderMarkdown(plan) : renderText(plan, { color: options.color === true });
  assertNoSecretText(text, plan.knownSecrets);
  return text;
}

/** The would-be connection map as the `--out` file holds it; checked like every other rendering. */
export function renderMapFile(plan: Plan): string {
  return renderConnectionMap(plan);
}
