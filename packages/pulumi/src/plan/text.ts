// The readable `tenantry plan` summary for a terminal or a log: per stage and zone what each tenant gets, resources, warnings, changes.
import pc from "picocolors";
import type { TenantChange } from "@tenantry/core/connection-map/diff";
import { formatProblem, type Problem } from "@tenantry/core/registry/problems";
import type { Plan } from "./model";
import { byCluster, type ClusterRow, collectionsText, type PlanSummary, shortType, summarize, type TenantGroup, type TenantRow } from "./summary";

export interface TextOptions {
  /** ANSI colours (only on a terminal without NO_COLOR). @default false */
  color?: boolean;
  /** Bridge / silo tenants listed one per line per group before the rest is counted. @default 50 */
  listLimit?: number;
  /** Pool tenant ids named per cluster before the rest is counted. @default 8 */
  idsShown?: number;
  /** Warnings and non-destructive changes printed before the rest is counted (destructive ones are always all printed). @default 50 */
  linesLimit?: number;
}

type Colors = ReturnType<typeof pc.createColors>;

/** What a stage gives every tenant in it, in one phrase. */
export const STAGE_GIST: Readonly<Record<string, string>> = {
  pool: "shared collections on the zone's shared cluster, every document tagged and filtered by tenant_id",
  bridge: "own collections t_<id>__<name> on the shared cluster, own database user and role",
  silo: "own Atlas project, cluster, credentials, backup schedule and network rules",
};

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

export function stageCounts(s: PlanSummary): string {
  return `${s.byStage.pool.toLocaleString("en-US")} pool, ${s.byStage.bridge.toLocaleString("en-US")} bridge, ${s.byStage.silo.toLocaleString("en-US")} silo`;
}

function clusterLine(c: ClusterRow): string {
  const t = c.tenants;
  const n = (v: number) => v.toLocaleString("en-US");
  return [c.name, c.residency, c.region, c.instanceSize ?? "-", `backup ${c.backupPolicy ?? "-"}`, `${n(t.pool)} pool, ${n(t.bridge)} bridge`].join("  ");
}

function tenantLine(r: TenantRow, color: Colors): string {
  const flags = [r.status !== "active" ? color.yellow(`[${r.status}]`) : "", r.target ? color.cyan(`→ move to ${r.target}`) : ""].filter(Boolean);
  const where = r.stage === "silo" ? `${r.clusterName} ${r.region} ${r.instanceSize ?? ""}`.trim() : `${r.clusterName} ${r.region}`;
  const why = r.reasons.length > 0 ? color.dim(` — ${r.reasons.join("; ")}`) : "";
  return [
    `  ${color.bold(r.id)}${r.name !== r.id ? ` (${r.name})` : ""}${flags.length ? ` ${flags.join(" ")}` : ""}${why}`,
    `    ${[where, `${r.database}: ${collectionsText(r.collections)}`, `backup ${r.backupPolicy ?? "-"}`, r.encryption, ...r.safeguards].join(" · ")}`,
    ...(r.operations.length > 0 ? [`    ops: ${r.operations.join(" · ")}`] : []),
  ].join("\n");
}

function poolGroup(group: TenantGroup, idsShown: number, color: Colors): string[] {
  const lines: string[] = [];
  for (const rows of byCluster(group.tenants).values()) {
    const first = rows[0];
    if (!first) continue;
    const ids = rows.slice(0, idsShown).map((r) => r.id);
    const more = rows.length > idsShown ? ` and ${(rows.length - idsShown).toLocaleString("en-US")} more` : "";
    lines.push(`  ${color.bold(first.clusterName)} (${first.region}): ${plural(rows.length, "tenant")} — ${ids.join(", ")}${more}`);
    lines.push(`    ${first.database}: ${Object.values(first.collections).join(", ")} · backup ${first.backupPolicy ?? "-"} · ${first.encryption}`);
    // Tenants that are not simply active (frozen, offboarding, mid-move) are named even in a large pool.
    for (const r of rows.filter((x) => x.status !== "active" || x.target).slice(0, idsShown)) {
      const flags = [r.status !== "active" ? r.status : "", r.target ? `move to ${r.target}` : ""].filter(Boolean).join(", ");
      lines.push(`    ${color.yellow("!")} ${r.id}: ${flags}`);
    }
  }
  return lines;
}

function capped<T>(items: readonly T[], limit: number, line: (item: T) => string, what: string): string[] {
  const lines = items.slice(0, limit).map(line);
  if (items.length > limit) lines.push(`  … and ${plural(items.length - limit, what)} more (see --json)`);
  return lines;
}

export function changeMark(c: TenantChange): string {
  if (c.destructive) return "✗";
  if (c.kind === "added") return "+";
  if (c.kind === "removed") return "-";
  return "~";
}

function changeLines(plan: Plan, limit: number, color: Colors): string[] {
  if (!plan.compared) return [];
  const destructive = plan.changes.filter((c) => c.destructive);
  const safe = plan.changes.filter((c) => !c.destructive);
  const head =
    plan.changes.length === 0
      ? "No changes against the previous connection map."
      : `Changes against the previous connection map: ${plan.changes.length.toLocaleString("en-US")} (${destructive.length} destructive)`;
  return [
    "",
    color.bold(head),
    ...destructive.map((c) => `  ${color.red(changeMark(c))} ${color.red(c.message)}`),
    ...capped(safe, limit, (c) => `  ${color.green(changeMark(c))} ${c.message}`, "change"),
  ];
}

function warningLines(warnings: readonly Problem[], limit: number, color: Colors): string[] {
  if (warnings.length === 0) return [];
  return ["", color.bold(`Warnings (${warnings.length})`), ...capped(warnings, limit, (w) => `  ${color.yellow(formatProblem(w))}`, "warning")];
}

/** Renders the plan as plain text (or coloured when `color`). Ends with a newline. */
export function renderText(plan: Plan, options: TextOptions = {}): string {
  const color = pc.createColors(options.color ?? false);
  const listLimit = options.listLimit ?? 50;
  const idsShown = options.idsShown ?? 8;
  const linesLimit = options.linesLimit ?? 50;
  const s = summarize(plan);
  const lines: string[] = [
    color.bold(`Tenantry plan — environment ${s.environment}`),
    `${plural(s.tenantCount, "tenant")}: ${stageCounts(s)} · ${plural(s.resourceTotal, "cloud resource")} in ${plural(s.componentTotal, "component")}`,
  ];
  const shared = s.clusters.filter((c) => c.kind === "shared");
  if (shared.length > 0) {
    lines.push("", color.bold("Shared clusters"), ...shared.map((c) => `  ${clusterLine(c)}`));
  }
  for (const group of s.groups) {
    lines.push("", `${color.bold(`${group.stage} · ${group.residency}`)} — ${plural(group.tenants.length, "tenant")}: ${color.dim(STAGE_GIST[group.stage] ?? "")}`);
    if (group.stage === "pool") lines.push(...poolGroup(group, idsShown, color));
    else lines.push(...capped(group.tenants, listLimit, (r) => tenantLine(r, color), "tenant"));
  }
  if (s.tenantCount === 0) lines.push("", "No tenants yet: add one with `tenantry onboard <id> --tier free --residency eu`.");
  lines.push(
    "",
    color.bold(`Resources: ${plural(s.resourceTotal, "cloud resource")} (${s.protectedCount} protect, ${s.retainedCount} retainOnDelete), ${plural(s.componentTotal, "component")}`),
  );
  const width = Math.max(0, ...s.resourceCounts.map((r) => shortType(r.type).length));
  lines.push(...s.resourceCounts.map((r) => `  ${shortType(r.type).padEnd(width)}  ${String(r.count).padStart(6)}`));
  lines.push(...warningLines(plan.run.warnings, linesLimit, color));
  lines.push(...changeLines(plan, linesLimit, color));
  return `${lines.join("\n")}\n`;
}
