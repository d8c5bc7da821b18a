// Registry rules of issue 13: validators, retention (per collection and per tenant), the silo's own operations.
// Each broken registry with the exact problem lines `tenantry validate` prints.
import { expect, test } from "vitest";
import { parseRegistry } from "../../packages/core/src/registry/load";
import { formatProblem, RegistryInvalidError } from "../../packages/core/src/registry/problems";
import { CONTACTS, registryText, type Sections, tenant as t } from "./fixture";

function problemLines(text: string): string[] {
  try {
    return parseRegistry(text, "r.yaml").warnings.map(formatProblem);
  } catch (error) {
    if (error instanceof RegistryInvalidError) return error.problems.map(formatProblem);
    throw error;
  }
}

const RETAINED = "collections:\n  - name: events\n    retentionDays: 30\n    retentionField: at\n  - name: notes\n    scope: user\n";

const cases: [string, Sections, string[]][] = [
  ["valid: retention, an override for a bridge tenant, a validator", {
    collections: RETAINED.replace("  - name: notes\n", "  - name: notes\n    validator:\n      $jsonSchema: { bsonType: object, required: [body] }\n"),
    tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "retention: { events: 7 }") },
    []],
  ["retention without a field", { collections: "collections:\n  - name: events\n    retentionDays: 30\n" },
    ["r.yaml:4:5  collections[0]  collection [events] has a retention (retentionDays) but no `retentionField`: name the date field its TTL index reads, e.g. createdAt"]],
  ["an override without a field", { collections: "collections:\n  - name: events\n", tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "retention: { events: 7 }") },
    ["r.yaml:4:5  collections[0]  collection [events] has a retention (a tenant's retention override) but no `retentionField`: name the date field its TTL index reads, e.g. createdAt"]],
  ["expire by a tag", { collections: "collections:\n  - name: events\n    retentionDays: 30\n    retentionField: tenant_id\n" },
    ["r.yaml:6:21  collections[0].retentionField  collection [events] cannot expire documents by tenant_id; name a date field the application writes, e.g. createdAt"]],
  ["a validator declaring a tag", { collections: "collections:\n  - name: events\n    validator:\n      $jsonSchema:\n        properties:\n          tenant_id: { bsonType: int }\n" },
    ["r.yaml:8:11  collections[0].validator.$jsonSchema.properties.tenant_id  collection [events]: the validator must not declare tenant_id; Tenantry adds the tag fields (and requires them) itself"]],
  ["a pool tenant's override", { collections: RETAINED, tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "retention: { events: 7 }") },
    ["r.yaml:34:5  tenants[0].retention  tenant [acme] is pool: its documents live in the shared collections, whose single TTL index cannot differ per tenant; set retentionDays on the collection, or place the tenant in bridge or silo"]],
  ["an override of an undeclared collection", { collections: RETAINED, tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "retention: { orders: 7 }") },
    ["r.yaml:34:18  tenants[0].retention.orders  tenant [acme] sets a retention for collection [orders], which is not declared (events, notes)"]],
  ["a bridge tenant's maintenance window and DBA user", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "maintenanceWindow: { day: sunday, hour: 3 }", "customerDba: true") },
    [
      "r.yaml:34:5  tenants[0].maintenanceWindow  `maintenanceWindow` applies only to silo tenants; tenant [acme] is bridge: the maintenance window belongs to an Atlas project, and a bridge or pool tenant shares its shared cluster's project (and window)",
      "r.yaml:35:5  tenants[0].customerDba  `customerDba` applies only to silo tenants; tenant [acme] is bridge: dbAdmin and readWrite are granted per database, and a shared cluster's database holds every tenant's collections: the user would reach other tenants' data",
    ]],
  ["a pool tenant's auditing, scaling and alerts", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "auditing: { enabled: true }", "autoScaling: { minInstanceSize: M10, maxInstanceSize: M30 }", "alerts: { email: a@example.com }") },
    [
      "r.yaml:34:5  tenants[0].auditing  `auditing` applies only to silo tenants; tenant [acme] is pool: database auditing is configured per Atlas project, and a bridge or pool tenant shares its shared cluster's project",
      "r.yaml:35:5  tenants[0].autoScaling  `autoScaling` applies only to silo tenants; tenant [acme] is pool: a bridge or pool tenant shares its shared cluster's size",
      "r.yaml:36:5  tenants[0].alerts  `alerts` applies only to silo tenants; tenant [acme] is pool: Atlas alerts watch clusters, and a bridge or pool tenant shares its shared cluster with other tenants",
    ]],
  ["a silo outside its scaling bounds", { tenants: t("id: big", "name: Big", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "instanceSize: M60", "autoScaling: { minInstanceSize: M10, maxInstanceSize: M40 }") },
    ["r.yaml:37:5  tenants[0].autoScaling  tenant [big] runs on M60, outside its auto-scaling bounds M10..M40; widen the bounds or change instanceSize"]],
  ["scaling bounds of another class, and inverted", { tenants: t("id: big", "name: Big", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "instanceSize: M40", "autoScaling: { minInstanceSize: R40, maxInstanceSize: R40 }") },
    [
      "r.yaml:37:5  tenants[0].autoScaling  tenant [big]: auto-scaling bounds R40..R40 must be of the same class as its size M40",
      "r.yaml:37:59  tenants[0].autoScaling.maxInstanceSize  tenant [big]: maxInstanceSize R40 must be larger than minInstanceSize R40",
    ]],
  ["an NVMe silo cannot auto-scale", { tenants: t("id: big", "name: Big", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "instanceSize: M40_NVME", "autoScaling: { minInstanceSize: M40_NVME, maxInstanceSize: M80_NVME }") },
    ["r.yaml:37:5  tenants[0].autoScaling  tenant [big] runs on M40_NVME, which Atlas does not auto-scale; remove autoScaling or use a general size such as M30"]],
  ["HIPAA without auditing", { extra: CONTACTS, tenants: t("id: health", "name: Health", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: hipaa", "compliance: [HIPAA]", "auditing: { enabled: false }") },
    ["r.yaml:39:26  tenants[0].auditing.enabled  tenant [health] has HIPAA, which needs database auditing; remove `enabled: false`"]],
  ["a silo with every capability is valid", { tenants: t("id: ops", "name: Ops", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "instanceSize: M30", "maintenanceWindow: { day: sunday, hour: 3, autoDefer: true }", "auditing: { enabled: true }", "autoScaling: { minInstanceSize: M20, maxInstanceSize: M60 }", "customerDba: true", "alerts: { email: dba@ops.example }") },
    []],
];

test.each(cases)("%s", (_name, sections, expected) => {
  expect(problemLines(registryText(sections))).toEqual(expected);
});
