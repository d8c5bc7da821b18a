// Text and markdown renderings of hand-made plans: what each tenant gets, changes, and a 10k-tenant plan that stays readable.
import { describe, expect, test } from "vitest";
import type { TenantEntry } from "../../packages/contract/src/connection-map/schema";
import { diffMaps } from "../../packages/core/src/connection-map/diff";
import type { Placement } from "../../packages/core/src/placement/types";
import { PlanJson, planJson } from "../../packages/pulumi/src/plan/json";
import { renderMarkdown } from "../../packages/pulumi/src/plan/markdown";
import type { Plan } from "../../packages/pulumi/src/plan/model";
import { planForTenant } from "../../packages/pulumi/src/plan/plan";
import { renderText } from "../../packages/pulumi/src/plan/text";
import { Registry } from "../../packages/core/src/registry/schema";
import { makeMap, route, tenant } from "./fixtures";

const registry = Registry.parse({
  version: 1,
  environment: "dev",
  collections: [{ name: "orders" }, { name: "notes", scope: "user" }],
  sharedClusters: [
    { name: "app-eu", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "std" },
    { name: "app-eu-2", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "std" },
    { name: "app-us", residency: "us", region: "US_EAST_1", instanceSize: "M10", backupPolicy: "std" },
  ],
  backupPolicies: { std: { daily: { keepDays: 7 } }, hipaa: { daily: { keepDays: 35 } } },
});

function placement(t: TenantEntry): Placement {
  const id = t.partition.tenantValue;
  const shared = t.cluster.replace("shared:", "");
  return {
    tenantId: id,
    name: `${id} Inc`,
    residency: t.residency as Placement["residency"],
    compliance: [],
    status: t.status,
    current:
      t.stage === "silo"
        ? { stage: "silo", generation: 1, region: "EU_WEST_1", instanceSize: "M30", backupPolicy: "hipaa", customerManagedKey: true, backupCompliancePolicy: true, government: false }
        : t.stage === "bridge"
          ? { stage: "bridge", sharedCluster: shared, generation: 1 }
          : { stage: "pool", sharedCluster: shared },
    reasons: [`tier → ${t.stage}`],
  };
}

function planOf(tenants: TenantEntry[], previous?: TenantEntry[]): Plan {
  const connectionMap = makeMap(tenants);
  return {
    run: {
      environment: "dev",
      placements: tenants.map(placement),
      resources: [
        { type: "mongodbatlas:index/advancedCluster:AdvancedCluster", name: "shared-app-eu-cluster", tenant: null, inputs: {}, protect: true, retainOnDelete: true, component: false },
        { type: "tenantry:bridge:BridgeTenant", name: "bridge-initech", tenant: "initech", inputs: {}, protect: false, retainOnDelete: false, component: true },
        { type: "mongodbatlas:index/databaseUser:DatabaseUser", name: "bridge-initech-user", tenant: "initech", inputs: { password: "[secret]" }, protect: false, retainOnDelete: false, component: false, parent: "bridge-initech" },
      ],
      connectionMap,
      warnings: [{ severity: "warning", path: "sharedClusters[0]", message: "cluster [app-eu] holds 90% of its collection budget", file: "stacks/dev.tenants.yaml", line: 12, col: 5 }],
    },
    changes: previous ? diffMaps(makeMap(previous), connectionMap) : [],
    compared: previous !== undefined,
    registry,
    knownSecrets: [],
  };
}

const small = [
  tenant("globex", "pool", "shared:app-eu"),
  tenant("hooli", "pool", "shared:app-eu", { status: "frozen" }),
  { ...tenant("umbrella", "pool", "shared:app-us"), target: route("umbrella", "bridge", "shared:app-us") },
  tenant("initech", "bridge", "shared:app-eu"),
  tenant("acme", "silo", "silo:acme"),
];

describe("renderText", () => {
  test("groups by stage and zone and says what each tenant gets", () => {
    expect(renderText(planOf(small)).split("\n")).toEqual([
      "Tenantry plan — environment dev",
      "5 tenants: 3 pool, 1 bridge, 1 silo · 2 cloud resources in 1 component",
      "",
      "Shared clusters",
      "  app-eu  eu  EU_CENTRAL_1  M30  backup std  2 pool, 1 bridge",
      "  app-eu-2  eu  EU_CENTRAL_1  M30  backup std  0 pool, 0 bridge",
      "  app-us  us  US_EAST_1  M10  backup std  1 pool, 0 bridge",
      "",
      "pool · eu — 2 tenants: shared collections on the zone's shared cluster, every document tagged and filtered by tenant_id",
      "  app-eu (EU_CENTRAL_1): 2 tenants — globex, hooli",
      "    app: orders, notes · backup std · Atlas-managed keys (shared cluster)",
      "    ! hooli: frozen",
      "",
      "pool · us — 1 tenant: shared collections on the zone's shared cluster, every document tagged and filtered by tenant_id",
      "  app-us (US_EAST_1): 1 tenant — umbrella",
      "    app: orders, notes · backup std · Atlas-managed keys (shared cluster)",
      "    ! umbrella: move to bridge on shared:app-us",
      "",
      "bridge · eu — 1 tenant: own collections t_<id>__<name> on the shared cluster, own database user and role",
      "  initech (initech Inc) — tier → bridge",
      "    app-eu EU_CENTRAL_1 · app: t_initech__{orders, notes} · backup std · Atlas-managed keys (shared cluster)",
      "",
      "silo · eu — 1 tenant: own Atlas project, cluster, credentials, backup schedule and network rules",
      "  acme (acme Inc) — tier → silo",
      "    t-acme EU_WEST_1 M30 · app: orders, notes · backup hipaa · customer-managed key (AWS KMS) · Backup Compliance Policy",
      "    ops: maintenance: Atlas's schedule · auditing off · fixed size · no customer DBA user · alerts to operations only",
      "",
      "Resources: 2 cloud resources (1 protect, 1 retainOnDelete), 1 component",
      "  mongodbatlas:AdvancedCluster       1",
      "  mongodbatlas:DatabaseUser          1",
      "",
      "Warnings (1)",
      "  stacks/dev.tenants.yaml:12:5  sharedClusters[0]  warning: cluster [app-eu] holds 90% of its collection budget",
      "",
    ]);
  });

  test("changes: destructive ones first and marked", () => {
    const text = renderText(planOf(small, [tenant("globex", "bridge", "shared:app-eu"), tenant("gone", "pool", "shared:app-eu"), tenant("initech", "bridge", "shared:app-eu")]));
    const from = text.indexOf("Changes against the previous connection map");
    expect(text.slice(from).split("\n").slice(0, 6)).toEqual([
      "Changes against the previous connection map: 5 (2 destructive)",
      "  ✗ tenant [globex] moves down bridge → pool without a declared move: the new route would be empty and its isolation lower; declare a move (`move:` in the registry), deploy, copy the data with `tenantry move`, then cut over",
      "  ✗ tenant [gone] is gone from the registry but was active, not offboarding: set `status: offboarding` and deploy first, then remove it",
      "  + tenant [acme] added: silo on silo:acme (EU_WEST_1)",
      "  + tenant [hooli] added: pool on shared:app-eu (EU_CENTRAL_1)",
      "  + tenant [umbrella] added: pool on shared:app-us (US_EAST_1)",
    ]);
  });

  test("planForTenant keeps one tenant, its cluster and its resources", () => {
    const one = planForTenant(planOf(small), "initech");
    expect(Object.keys(one.run.connectionMap.tenants)).toEqual(["initech"]);
    expect(Object.keys(one.run.connectionMap.clusters)).toEqual(["shared:app-eu"]);
    expect(one.run.resources.map((r) => r.name)).toEqual(["bridge-initech", "bridge-initech-user"]);
    expect(renderText(one)).toContain("1 tenant: 0 pool, 1 bridge, 0 silo");
  });
});

describe("renderMarkdown", () => {
  test("tables for silo and bridge, pool per cluster, resources collapsed", () => {
    const md = renderMarkdown(planOf(small));
    expect(md).toContain("| `acme` | acme Inc | eu | t-acme | EU_WEST_1 | M30 | hipaa | customer-managed key (AWS KMS), Backup Compliance Policy | maintenance: Atlas's schedule, auditing off, fixed size, no customer DBA user, alerts to operations only | active |");
    expect(md).toContain("| `initech` | initech Inc | eu | app-eu | EU_CENTRAL_1 | t_initech__{orders, notes} | std | active |");
    expect(md).toContain("| app-eu | eu | EU_CENTRAL_1 | 2 | 1 |");
    expect(md).toContain("`globex`, `hooli` (frozen)");
    expect(md).toContain("<summary>2 cloud resources by type</summary>");
  });

  test("destructive changes are never collapsed", () => {
    const prev = Array.from({ length: 30 }, (_, i) => tenant(`old-${i}`, "pool", "shared:app-eu"));
    const md = renderMarkdown(planOf(small, prev));
    expect(md).toContain(":warning: **30 destructive changes**");
    const changes = md.slice(md.indexOf("### Changes"), md.indexOf("### Shared clusters"));
    expect(changes).not.toContain("<details>");
  });
});

describe("a 10,000-tenant plan stays readable", () => {
  const many = [
    ...Array.from({ length: 10_000 }, (_, i) => tenant(`pool-${i}`, "pool", i % 2 ? "shared:app-eu" : "shared:app-us")),
    ...Array.from({ length: 500 }, (_, i) => tenant(`bridge-${i}`, "bridge", "shared:app-eu-2")),
  ];
  const plan = planOf(many);

  test("text summarises pools per cluster and caps long lists", () => {
    const text = renderText(plan);
    expect(text.split("\n").length).toBeLessThan(200);
    expect(text).toContain("  app-eu (EU_CENTRAL_1): 5,000 tenants — pool-1, pool-1001, pool-1003, pool-1005, pool-1007, pool-1009, pool-101, pool-1011 and 4,992 more");
    expect(text).toContain("  … and 450 tenants more (see --json)");
    expect(text).toContain("  app-us  us  US_EAST_1  M10  backup std  5,000 pool, 0 bridge");
  });

  test("markdown fits in a GitHub comment", () => {
    expect(renderMarkdown(plan).length).toBeLessThan(65_536);
  });

  test("json has every tenant and follows the contract", () => {
    const doc = PlanJson.parse(planJson(plan));
    expect(doc.tenants).toHaveLength(10_500);
  });
});
