// Every rendering of a plan (text, markdown, JSON, the --out map) goes through here, so the leak guard sees all of them.
import { planJson } from "./json";
import { assertNoSecretText, assertNoSecretValues } from "./leak-guard";
import { renderMarkdown } from "./markdown";
import type { Plan } from "./model";
import { renderStacksMarkdown, renderStacksText } from "./stacks-text";
import { renderText } from "./text";

export type PlanFormat = "text" | "json" | "markdown";

/**
 * Renders the plan in `format`; rejects with SecretLeakError instead of returning text that holds a secret. JSON is
 * checked value by value (paths name the field), text and markdown as rendered (what a reader would see).
 */
export async function renderPlan(plan: Plan, format: PlanFormat, options: { color?: boolean } = {}): Promise<string> {
  if (format === "json") {
    const doc = planJson(plan);
    await assertNoSecretValues(doc, plan.knownSecrets);
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const stacks = plan.stacks ? (format === "markdown" ? renderStacksMarkdown(plan.stacks) : renderStacksText(plan.stacks)) : "";
  const text = (format === "markdown" ? renderMarkdown(plan) : renderText(plan, { color: options.color === true })) + stacks;
  await assertNoSecretText(text, plan.knownSecrets);
  return text;
}

/** The would-be connection map as the `--out` file holds it; checked like every other rendering. */
export async function renderMapFile(plan: Plan): Promise<string> {
  await assertNoSecretValues(plan.run.connectionMap, plan.knownSecrets);
  return `${JSON.stringify(plan.run.connectionMap, null, 2)}\n`;
}
