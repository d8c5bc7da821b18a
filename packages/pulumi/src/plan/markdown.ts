// The plan as GitHub-flavoured markdown for a pull-request comment: tables, large lists collapsed, kept under GitHub's size limit.
import { formatProblem } from "@tenantry/core/registry/problems";
import type { Plan } from "./model";
import { byCluster, collectionsText, type PlanSummary, shortType, summarize, type TenantRow } from "./summary";
import { changeMark, stageCounts, STAGE_GIST } from "./text";

export interface MarkdownOptions {
  /** Tables longer than this are collapsed in `<details>`. @default 20 */
  collapseAbove?: number;
  /** Rows per table (and pool ids per cluster) before the rest is counted; keeps a 10k-tenant plan under GitHub's 65,536-character comment limit. @default 200 */
  rowLimit?: number;
}

const cell = (v: string | number | null | undefined): string => String(v ?? "–").replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (v: string): string => `\`${v.replaceAll("`", "'")}\``;

function table(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function maybeCollapsed(summary: string, body: string[], collapse: boolean): string[] {
  return collapse ? ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>"] : body;
}

function limited<T>(items: readonly T[], limit: number): { shown: readonly T[]; note: string[] } {
  if (items.length <= limit) return { shown: items, note: [] };
  return { shown: items.slice(0, limit), note: ["", `_… and ${(items.length - limit).toLocaleString("en-US")} more — run \`tenantry plan --json\` for all._`] };
}

function status(r: TenantRow): string {
  return [r.status, r.target ? `→ ${r.target}` : ""].filter(Boolean).join(" ");
}

function tenantSection(title: string, rows: TenantRow[], s: { collapseAbove: number; rowLimit: number }, silo: boolean): string[] {
  if (rows.length === 0) return [];
  const { shown, note } = limited(rows, s.rowLimit);
  const body = silo
    ? table(
        ["tenant", "name", "zone", "cluster", "region", "size", "backup", "encryption", "operations", "status"],
        shown.map((r) => [code(r.id), r.name, r.residency, r.clusterName, r.region, r.instanceSize, r.backupPolicy, [r.encryption, ...r.safeguards].join(", "), r.operations.join(", "), status(r)]),
      )
    : table(
        ["tenant", "name", "zone", "cluster", "region", "collections", "backup", "status"],
        shown.map((r) => [code(r.id), r.name, r.residency, r.clusterName, r.region, collectionsText(r.collections), r.backupPolicy, status(r)]),
      );
  return ["", `### ${title} (${rows.length.toLocaleString("en-US")})`, "", ...maybeCollapsed(`${rows.length.toLocaleString("en-US")} tenants`, [...body, ...note], rows.length > s.collapseAbove)];
}

function poolSection(rows: TenantRow[], s: { collapseAbove: number; rowLimit: number }): string[] {
  if (rows.length === 0) return [];
  const clusters = [...byCluster(rows).values()];
  const out = [
    "",
    `### Pool tenants (${rows.length.toLocaleString("en-US")})`,
    "",
    `_${STAGE_GIST.pool}._`,
    "",
    ...table(
      ["cluster", "zone", "region", "tenants", "not active / moving"],
      clusters.map((list) => {
        const first = list[0];
        const notable = list.filter((r) => r.status !== "active" || r.target).length;
        return [first?.clusterName ?? "", first?.residency ?? "", first?.region ?? "", list.length.toLocaleString("en-US"), notable];
      }),
    ),
  ];
  for (const list of clusters) {
    const { shown, note } = limited(list, s.rowLimit);
    const ids = shown.map((r) => (r.status !== "active" || r.target ? `${code(r.id)} (${status(r)})` : code(r.id)));
    out.push("", ...maybeCollapsed(`${list[0]?.clusterName ?? ""}: ${list.length.toLocaleString("en-US")} tenant ids`, [ids.join(", "), ...note], true));
  }
  return out;
}

/** Renders the plan as GitHub markdown (ends with a newline). */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const settings = { collapseAbove: options.collapseAbove ?? 20, rowLimit: options.rowLimit ?? 200 };
  const s: PlanSummary = summarize(plan);
  const destructive = plan.changes.filter((c) => c.destructive);
  const headline = [
    `**${s.tenantCount.toLocaleString("en-US")} tenants** (${stageCounts(s)})`,
    `**${s.resourceTotal.toLocaleString("en-US")} cloud resources** in ${s.componentTotal.toLocaleString("en-US")} components (${s.protectedCount.toLocaleString("en-US")} protected)`,
    `${plan.run.warnings.length} warnings`,
    ...(plan.compared ? [destructive.length > 0 ? `:warning: **${destructive.length} destructive changes**` : `${plan.changes.length} changes, none destructive`] : []),
  ];
  const out: string[] = [`## Tenantry plan — \`${s.environment}\``, "", headline.join(" · ")];

  if (plan.compared) {
    const ordered = [...destructive, ...plan.changes.filter((c) => !c.destructive)];
    const { shown, note } = limited(ordered, settings.rowLimit);
    out.push("", "### Changes against the previous connection map", "");
    if (ordered.length === 0) out.push("No changes.");
    else
      out.push(
        ...maybeCollapsed(
          `${ordered.length} changes`,
          [...table(["", "tenant / cluster", "change", "from", "to", "what it means"], shown.map((c) => [c.destructive ? "**✗**" : changeMark(c), code(c.tenantId ?? c.clusterKey ?? ""), c.kind, c.from, c.to, c.message])), ...note],
          // Destructive changes are never hidden.
          destructive.length === 0 && ordered.length > settings.collapseAbove,
        ),
      );
  }

  const shared = s.clusters.filter((c) => c.kind === "shared");
  if (shared.length > 0) {
    out.push(
      "",
      "### Shared clusters",
      "",
      ...table(
        ["cluster", "zone", "region", "size", "backup", "pool", "bridge"],
        shared.map((c) => [c.name, c.residency, c.region, c.instanceSize, c.backupPolicy, c.tenants.pool.toLocaleString("en-US"), c.tenants.bridge.toLocaleString("en-US")]),
      ),
    );
  }
  const rowsOf = (stage: string) => s.groups.filter((g) => g.stage === stage).flatMap((g) => g.tenants);
  out.push(...tenantSection("Silo tenants", rowsOf("silo"), settings, true));
  out.push(...tenantSection("Bridge tenants", rowsOf("bridge"), settings, false));
  out.push(...poolSection(rowsOf("pool"), settings));

  out.push(
    "",
    "### Resources",
    "",
    ...maybeCollapsed(
      `${s.resourceTotal.toLocaleString("en-US")} cloud resources by type`,
      table(["type", "count"], s.resourceCounts.map((r) => [code(shortType(r.type)), r.count.toLocaleString("en-US")])),
      true,
    ),
  );
  if (plan.run.warnings.length > 0) {
    const { shown, note } = limited(plan.run.warnings, settings.rowLimit);
    out.push(
      "",
      `### Warnings (${plan.run.warnings.length})`,
      "",
      ...maybeCollapsed(`${plan.run.warnings.length} warnings`, [...shown.map((w) => `- ${code(formatProblem(w))}`), ...note], plan.run.warnings.length > settings.collapseAbove),
    );
  }
  return `${out.join("\n")}\n`;
}
