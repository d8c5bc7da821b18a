// One broken registry per rule, each with the exact problem lines `tenantry validate` prints.
import { describe, expect, test } from "vitest";
import { parseRegistry } from "../../packages/core/src/registry/load";
import { formatProblem, RegistryInvalidError } from "../../packages/core/src/registry/problems";
import { CONTACTS, registryText, type Sections, tenant as t } from "./fixture";

/** Every problem line of a registry text (empty when it is valid without warnings). */
function problemLines(text: string): string[] {
  try {
    return parseRegistry(text, "r.yaml").warnings.map(formatProblem);
  } catch (error) {
    if (error instanceof RegistryInvalidError) return error.problems.map(formatProblem);
    throw error;
  }
}

test("the fixture itself is valid", () => {
  expect(problemLines(registryText({ extra: CONTACTS }))).toEqual([]);
});

const cases: [string, Sections, string[]][] = [
  ["duplicate tenant id", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us") + t("id: acme", "name: Acme 2", "tier: free", "residency: eu") },
    [
      "r.yaml:34:9  tenants[1].id  tenant id [acme] is already used by tenants[0]; tenant ids must be unique",
    ]],
  ["reserved tenant id", { tenants: t("id: admin", "name: Admin", "tier: free", "residency: us") },
    [
      "r.yaml:30:9  tenants[0].id  tenant id [admin] is reserved by MongoDB (admin, local, config); choose another id",
    ]],
  ["duplicate collection", { collections: "collections:\n  - name: orders\n  - name: orders\n" },
    [
      "r.yaml:5:11  collections[1].name  collection [orders] is already declared at collections[0]; collection names must be unique (case-insensitively)",
    ]],
  ["collection with the bridge prefix", { collections: "collections:\n  - name: t_acme__orders\n" },
    [
      "r.yaml:4:11  collections[0].name  collection [t_acme__orders] starts with t_, which Tenantry reserves for bridge tenants' collections (t_<tenant>__<name>); rename it",
    ]],
  ["duplicate shared cluster", { sharedClusters: "sharedClusters:\n  - { name: us-1, residency: us, region: US_EAST_1, instanceSize: M30, backupPolicy: std }\n  - { name: us-1, residency: us, region: US_EAST_2, instanceSize: M30, backupPolicy: std }\n" },
    [
      "r.yaml:11:13  sharedClusters[1].name  shared cluster name [us-1] is already used by sharedClusters[0]; shared cluster names must be unique",
    ]],
  ["namespace too long on FLEX", {
    collections: "collections:\n  - name: orders_with_a_really_long_descriptive_name_here\n",
    sharedClusters: "sharedClusters:\n  - { name: us-flex, residency: us, region: US_EAST_1, instanceSize: FLEX, backupPolicy: flex }\n",
    backupPolicies: "backupPolicies:\n  flex:\n    daily: { keepDays: 7 }\n",
    tenants: t("id: a-tenant-id-of-thirty-two-charsx", "name: Long", "tier: business", "residency: us") },
    [
      "r.yaml:11:9  tenants[0].id  tenant [a-tenant-id-of-thirty-two-charsx]: namespace <db>.t_a-tenant-id-of-thirty-two-charsx__orders_with_a_really_long_descriptive_name_here takes 96 bytes (with a 12-character database prefix), above the 95-byte limit of FLEX cluster [us-flex]; shorten the tenant id or the collection name",
    ]],
  ["HIPAA below the floor", { extra: CONTACTS, tenants: t("id: acme", "name: Acme", "tier: free", "stage: pool", "residency: us", "compliance: [HIPAA]") },
    [
      "r.yaml:35:12  tenants[0].stage  tenant [acme] needs stage silo for HIPAA, registry says pool",
      "r.yaml:37:17  tenants[0].compliance  tenant [acme] has HIPAA, which needs yearly snapshots kept ≥ 6 years (45 CFR 164.316(b)(2)); backup policy [std] (the policy of its shared cluster) has no yearly item",
    ]],
  ["SOC2 below the floor", { tenants: t("id: acme", "name: Acme", "tier: free", "stage: pool", "residency: us", "compliance: [SOC2]") },
    [
      "r.yaml:33:12  tenants[0].stage  tenant [acme] needs stage bridge for SOC2, registry says pool",
    ]],
  ["FedRAMP outside us-gov", { extra: CONTACTS, tenants: t("id: fed", "name: Fed", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: hipaa", "compliance: [FedRAMP]") },
    [
      "r.yaml:35:16  tenants[0].residency  tenant [fed] has FedRAMP and must reside in us-gov (Atlas for Government), registry says us",
      "r.yaml:37:19  tenants[0].backupPolicy  tenant [fed] has FedRAMP, which needs weekly snapshots kept ≥ 13 weeks (NIST SP 800-53 CP-9, FedRAMP Moderate (Tenantry default: 13 weeks)); backup policy [hipaa] has no weekly item",
    ]],
  ["silo-only field on a bridge tenant", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "region: US_EAST_1") },
    [
      "r.yaml:34:5  tenants[0].region  `region` applies only to silo tenants; tenant [acme] places in bridge",
    ]],
  ["silo without region", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "backupPolicy: std") },
    [
      "r.yaml:30:5  tenants[0]  tenant [acme] places in silo and needs `region`: US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2 (zone us)",
    ]],
  ["silo region outside its zone", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: eu", "region: US_EAST_1", "backupPolicy: std") },
    [
      "r.yaml:34:13  tenants[0].region  tenant [acme] resides in eu but region US_EAST_1 lies in us; use EU_WEST_1, EU_WEST_3, EU_CENTRAL_1, EU_NORTH_1, EU_SOUTH_1 or EU_SOUTH_2",
    ]],
  ["silo without backup policy", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "region: US_EAST_1") },
    [
      "r.yaml:30:5  tenants[0]  tenant [acme] places in silo and needs `backupPolicy` (declared: std, hipaa)",
    ]],
  ["silo with unknown backup policy", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: gold") },
    [
      "r.yaml:35:19  tenants[0].backupPolicy  tenant [acme] names backup policy [gold], which is not in backupPolicies (declared: std, hipaa)",
    ]],
  ["silo on FLEX", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "region: US_EAST_1", "instanceSize: FLEX", "backupPolicy: std") },
    [
      "r.yaml:35:19  tenants[0].instanceSize  tenant [acme] places in silo on FLEX, which has no backup schedule, point-in-time restore or customer-managed key; use a dedicated size (M10 or larger)",
      "r.yaml:36:19  tenants[0].backupPolicy  the silo of tenant [acme] is FLEX, which has no cloud backup schedule, point-in-time restore or snapshot copies, but backup policy [std] sets weekly; use M10 or larger, or a policy with only `daily`",
    ]],
  ["HIPAA silo refusing the customer key", { extra: CONTACTS, tenants: t("id: care", "name: Care", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: hipaa", "compliance: [HIPAA]", "customerManagedKey: false") },
    [
      "r.yaml:39:25  tenants[0].customerManagedKey  tenant [care] has HIPAA, which forces a customer-managed key; remove `customerManagedKey: false`",
    ]],
  ["HIPAA silo without a compliance contact", { tenants: t("id: care", "name: Care", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: hipaa", "compliance: [HIPAA]") },
    [
      "r.yaml:36:17  tenants[0].compliance  tenant [care] has HIPAA, so its silo gets a Backup Compliance Policy, which needs contacts.backupCompliance (email, firstName, lastName)",
    ]],
  ["sharedCluster on a silo tenant", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "sharedCluster: us-1") },
    [
      "r.yaml:36:5  tenants[0].sharedCluster  `sharedCluster` applies only to pool and bridge tenants; tenant [acme] places in silo",
    ]],
  ["unknown shared cluster", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "sharedCluster: us-9") },
    [
      "r.yaml:34:20  tenants[0].sharedCluster  tenant [acme] names shared cluster [us-9], which is not in sharedClusters (zone us has us-1)",
    ]],
  ["shared cluster in another zone", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "sharedCluster: eu-1") },
    [
      "r.yaml:34:20  tenants[0].sharedCluster  tenant [acme] resides in us but shared cluster [eu-1] is in eu (zone us has us-1)",
    ]],
  ["no shared cluster in the zone", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: jp") },
    [
      "r.yaml:33:16  tenants[0].residency  tenant [acme] places in pool and needs a shared cluster in zone jp; declare one in sharedClusters",
    ]],
  ["move down a stage", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "move: { stage: pool }") },
    [
      "r.yaml:34:20  tenants[0].move.stage  tenant [acme] cannot move down from bridge to pool; moves go up a stage, or to another shared cluster or region at the same stage",
    ]],
  ["move to the current location", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "move: { stage: bridge, sharedCluster: us-1 }") },
    [
      "r.yaml:34:11  tenants[0].move  the move of tenant [acme] targets its current location (bridge on us-1); name another shared cluster or region, or a higher stage",
    ]],
  ["move to silo without region", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "move: { stage: silo, backupPolicy: std }") },
    [
      "r.yaml:34:11  tenants[0].move  the move of tenant [acme] targets silo and needs `region`: US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2 (zone us)",
    ]],
  ["move to bridge with a silo field", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "move: { stage: bridge, region: US_EAST_1 }") },
    [
      "r.yaml:34:28  tenants[0].move.region  `region` applies only to silo targets; the move of tenant [acme] targets bridge",
    ]],
  ["shared cluster region outside its zone", { sharedClusters: "sharedClusters:\n  - { name: us-1, residency: us, region: EU_WEST_1, instanceSize: M30, backupPolicy: std }\n" },
    [
      "r.yaml:10:42  sharedClusters[0].region  shared cluster [us-1] resides in us but region EU_WEST_1 lies in eu; use US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2",
    ]],
  ["shared cluster with unknown policy", { sharedClusters: "sharedClusters:\n  - { name: us-1, residency: us, region: US_EAST_1, instanceSize: M30, backupPolicy: gold }\n" },
    [
      "r.yaml:10:86  sharedClusters[0].backupPolicy  shared cluster [us-1] names backup policy [gold], which is not in backupPolicies (declared: std, hipaa)",
    ]],
  ["hourly interval not allowed", { backupPolicies: "backupPolicies:\n  std:\n    hourly: { everyHours: 3, keepDays: 2 }\n    daily: { keepDays: 30 }\n" },
    [
      "r.yaml:22:27  backupPolicies.std.hourly.everyHours  backup policy [std]: hourly.everyHours must be 1, 2, 4, 6, 8 or 12, got 3",
    ]],
  ["12-hour interval on a non-NVMe cluster", { backupPolicies: "backupPolicies:\n  std:\n    hourly: { everyHours: 12, keepDays: 2 }\n    daily: { keepDays: 30 }\n" },
    [
      "r.yaml:22:27  backupPolicies.std.hourly.everyHours  backup policy [std]: every 12 hours is the NVMe interval, but shared cluster [us-1] is M30; use 1, 2, 4, 6 or 8",
    ]],
  ["NVMe cluster with a 6-hour interval", {
    sharedClusters: "sharedClusters:\n  - { name: us-1, residency: us, region: US_EAST_1, instanceSize: M40_NVME, backupPolicy: std }\n",
    backupPolicies: "backupPolicies:\n  std:\n    hourly: { everyHours: 6, keepDays: 2 }\n    daily: { keepDays: 30 }\n" },
    [
      "r.yaml:13:27  backupPolicies.std.hourly.everyHours  backup policy [std]: shared cluster [us-1] is M40_NVME, and NVMe clusters take hourly snapshots every 12 hours only, policy says 6",
    ]],
  ["weekly keeps less than daily", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 30 }\n    weekly: { keepWeeks: 2 }\n" },
    [
      "r.yaml:23:26  backupPolicies.std.weekly.keepWeeks  backup policy [std]: weekly keeps 2 weeks (14 days), less than daily's 30 days; a less frequent item must keep at least as long as a more frequent one",
    ]],
  // Atlas's own default policy: monthly 12 months and yearly 1 year are equal retention (12 months = 1 year).
  ["Atlas's default monthly 12 months + yearly 1 year", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 7 }\n    monthly: { keepMonths: 12 }\n    yearly: { keepYears: 1 }\n" }, []],
  ["monthly 84 months + yearly 7 years", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 7 }\n    monthly: { keepMonths: 84 }\n    yearly: { keepYears: 7 }\n" }, []],
  ["yearly keeps less than monthly, in months", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 7 }\n    monthly: { keepMonths: 13 }\n    yearly: { keepYears: 1 }\n" },
    [
      "r.yaml:24:26  backupPolicies.std.yearly.keepYears  backup policy [std]: yearly keeps 1 years (12 months), less than monthly's 13 months; a less frequent item must keep at least as long as a more frequent one",
    ]],
  ["point-in-time without hourly", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 30 }\n    pointInTimeDays: 2\n" },
    [
      "r.yaml:23:22  backupPolicies.std.pointInTimeDays  backup policy [std]: pointInTimeDays needs an hourly item; the restore window lies within hourly retention",
    ]],
  ["point-in-time beyond hourly retention", { backupPolicies: "backupPolicies:\n  std:\n    hourly: { everyHours: 6, keepDays: 2 }\n    daily: { keepDays: 30 }\n    pointInTimeDays: 5\n" },
    [
      "r.yaml:24:22  backupPolicies.std.pointInTimeDays  backup policy [std]: pointInTimeDays 5 exceeds hourly.keepDays 2; the restore window must lie within hourly retention",
    ]],
  ["copy outside the zone", { backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 30 }\n    copyTo: [US_WEST_2]\n" },
    [
      "r.yaml:23:14  backupPolicies.std.copyTo[0]  backup policy [std]: copy region US_WEST_2 lies in us, outside zone eu of shared cluster [eu-1]; backup copies must stay inside the zone",
    ]],
  ["scheduled backups on FLEX", {
    sharedClusters: "sharedClusters:\n  - { name: us-1, residency: us, region: US_EAST_1, instanceSize: FLEX, backupPolicy: std }\n",
    backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 7 }\n    weekly: { keepWeeks: 4 }\n" },
    [
      "r.yaml:10:67  sharedClusters[0].instanceSize  shared cluster [us-1] is FLEX, which has no cloud backup schedule, point-in-time restore or snapshot copies, but backup policy [std] sets weekly; use M10 or larger, or a policy with only `daily`",
    ]],
  ["SOC2 retention on the shared cluster", {
    backupPolicies: "backupPolicies:\n  std:\n    daily: { keepDays: 7 }\n",
    tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "compliance: [SOC2]") },
    [
      "r.yaml:28:17  tenants[0].compliance  tenant [acme] has SOC2, which needs daily snapshots kept ≥ 30 days (AICPA TSC A1.2 (Tenantry default: 30 days)); backup policy [std] (the policy of its shared cluster) keeps 7 days",
    ]],
  ["HIPAA retention of a silo", { extra: CONTACTS, tenants: t("id: care", "name: Care", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "compliance: [HIPAA]") },
    [
      "r.yaml:37:19  tenants[0].backupPolicy  tenant [care] has HIPAA, which needs yearly snapshots kept ≥ 6 years (45 CFR 164.316(b)(2)); backup policy [std] has no yearly item",
    ]],
  ["access list open to the internet", { extra: "network:\n  accessList:\n    - { cidr: 10.0.0.0/16 }\n    - { cidr: 0.0.0.0/0, comment: temp }\n" },
    [
      "r.yaml:32:15  network.accessList[1].cidr  access list entry 0.0.0.0/0 opens every project to the whole internet; never 0.0.0.0/0 — list the application's egress CIDRs",
    ]],
  ["unknown field", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "regoin: US_EAST_1") },
    [
      "r.yaml:34:5  tenants[0].regoin  tenant [acme]: unknown field `regoin`; did you mean `region`?",
    ]],
  ["enum typo", { tenants: t("id: acme", "name: Acme", "tier: free", "stage: sillo", "residency: us") },
    [
      "r.yaml:33:12  tenants[0].stage  tenant [acme]: `stage` must be one of \"pool\", \"bridge\" or \"silo\", got string \"sillo\"; did you mean \"silo\"?",
    ]],
  ["missing required field", { tenants: t("id: acme", "tier: free", "residency: us") },
    [
      "r.yaml:30:5  tenants[0].name  tenant [acme]: `name` is required (string)",
    ]],
  ["bad id slug", { tenants: t("id: Acme_Corp", "name: Acme", "tier: free", "residency: us") },
    [
      "r.yaml:30:9  tenants[0].id  tenant [Acme_Corp]: `id` must be a lowercase slug: a-z, 0-9 and -, starting with a letter, got \"Acme_Corp\"",
    ]],
  ["duplicate key", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "residency: eu") },
    [
      "r.yaml:34:5  tenants[0].residency  duplicate key `residency`: each key may appear once in a mapping",
    ]],
  ["customer-key IAM role name too long", { environment: "staging-east", tenants: t("id: customer-with-a-long-name-x", "name: Long", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "customerManagedKey: true") },
    [
      "r.yaml:30:9  tenants[0].id  tenant [customer-with-a-long-name-x]: the IAM role of its customer-managed key, tenantry-<prefix>-staging-east-customer-with-a-long-name-x-kms, takes 66 characters with a 12-character prefix, above AWS's 64; shorten the tenant id to at most 25 characters",
    ]],
  ["customer-key IAM role name too long for the next generation", { environment: "staging-east", tenants: t("id: customer-long-name-abcd", "name: Long", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "customerManagedKey: true", "move: { stage: silo, region: US_WEST_2, backupPolicy: std }") },
    [
      "r.yaml:30:9  tenants[0].id  tenant [customer-long-name-abcd]: the IAM role of its customer-managed key, tenantry-<prefix>-staging-east-customer-long-name-abcd-g2-kms, takes 65 characters with a 12-character prefix, above AWS's 64; shorten the tenant id to at most 22 characters",
    ]],
  ["silo move to its current region", { tenants: t("id: acme", "name: Acme", "tier: enterprise", "residency: us", "region: US_EAST_1", "backupPolicy: std", "generation: 2", "move: { stage: silo, region: US_EAST_1, backupPolicy: std }") },
    [
      "r.yaml:37:11  tenants[0].move  the move of tenant [acme] targets its current location (silo in US_EAST_1); name another shared cluster or region, or a higher stage",
    ]],
  ["generation on a pool tenant", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "generation: 2") },
    [
      "r.yaml:34:17  tenants[0].generation  warning: tenant [acme] is in pool, which has no dedicated resources: generation 2 has no effect; remove it",
    ]],
  ["generation out of range", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "generation: 0") },
    [
      "r.yaml:34:17  tenants[0].generation  tenant [acme]: `generation` must be ≥ 1, got 0",
    ]],
  ["cut-over move", { tenants: t("id: acme", "name: Acme", "tier: business", "residency: us", "move: { stage: silo, region: US_WEST_1, backupPolicy: std, cutOver: true }") },
    [
      "r.yaml:34:73  tenants[0].move.cutOver  warning: tenant [acme] cut over to silo in US_WEST_1: its former bridge resources stay registered without protect until `move:` is removed",
    ]],
  ["cutOver that is not a boolean", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "move: { stage: bridge, cutOver: yes }") },
    [
      "r.yaml:34:37  tenants[0].move.cutOver  tenant [acme]: `cutOver` must be a boolean, got string \"yes\"",
    ]],
  ["offboarding tenant with a move", { tenants: t("id: acme", "name: Acme", "tier: free", "residency: us", "status: offboarding", "move: { stage: bridge }") },
    [
      "r.yaml:35:11  tenants[0].move  tenant [acme] is offboarding; remove its move (a tenant that is leaving is not moved)",
    ]],
];

describe("each rule reports its exact problem lines", () => {
  test.each(cases)("%s", (_name, sections, expected) => {
    expect(problemLines(registryText(sections))).toEqual(expected);
  });
});
