// The per-stack section of `tenantry plan` (text and markdown) for the per-tenant layout: one line per stack.
import type { PlannedStack } from "./model";

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

function counts(stack: PlannedStack): { resources: number; references: number } {
  const references = stack.resources.filter((r) => r.type === STACK_REFERENCE).length;
  return { resources: stack.resources.filter((r) => !r.component && r.type !== STACK_REFERENCE).length, references };
}

function tenantsOf(stack: PlannedStack): string {
  if (stack.kind === "shared") return `${stack.tenants.length} pool tenant(s)`;
  return stack.tenants.length <= 3 ? stack.tenants.join(", ") : `${stack.tenants.slice(0, 3).join(", ")} and ${stack.tenants.length - 3} more`;
}

/** `Stacks (per-tenant layout): …` then `  prod-acme  silo  acme  15 resources`. */
export function renderStacksText(stacks: readonly PlannedStack[]): string {
  const width = Math.max(...stacks.map((s) => s.name.length));
  const lines = stacks.map((s) => {
    const { resources, references } = counts(s);
    return `  ${s.name.padEnd(width)}  ${s.kind.padEnd(12)}  ${resources} resource(s)${references > 0 ? ` + ${references} stack reference(s)` : ""}  ${tenantsOf(s)}`;
  });
  return `\nStacks (per-tenant layout): ${stacks.length}\n${lines.join("\n")}\n`;
}

/** The same as a markdown table. */
export function renderStacksMarkdown(stacks: readonly PlannedStack[]): string {
  const rows = stacks.map((s) => {
    const { resources, references } = counts(s);
    return `| \`${s.name}\` | ${s.kind} | ${resources} | ${references} | ${tenantsOf(s)} |`;
  });
  return `\n### Stacks (per-tenant layout)\n\n| stack | kind | resources | stack references | tenants |\n|---|---|---:|---:|---|\n${rows.join("\n")}\n`;
}
