// Pure mappings of the program: backup policy → schedule args, bridge role actions, alerts, network guard, cluster spec.
import { describe, expect, test } from "vitest";
import { alertTarget, siloAlerts } from "../../packages/pulumi/src/program/alerts";
import { backupScheduleArgs, policyItems } from "../../packages/pulumi/src/program/backup";
import { clusterSafety, replicationSpecs } from "../../packages/pulumi/src/program/cluster-spec";
import { assertClosedCidr, cidrSlug, OpenNetworkError } from "../../packages/pulumi/src/program/network";
import { BRIDGE_ACTIONS, bridgeRoleActions, sharedUserRoles } from "../../packages/pulumi/src/program/roles";

describe("backup policy → CloudBackupSchedule", () => {
  test.each([
    ["daily only", { daily: { keepDays: 7 } }, {
      policyItemDaily: { frequencyInterval: 1, retentionUnit: "days", retentionValue: 7 },
      policyItemWeeklies: [], policyItemMonthlies: [], policyItemYearlies: [],
    }],
    ["every item + PIT", {
      hourly: { everyHours: 4, keepDays: 3 }, daily: { keepDays: 35 }, weekly: { keepWeeks: 8 },
      monthly: { keepMonths: 12 }, yearly: { keepYears: 6 }, pointInTimeDays: 3,
    }, {
      policyItemHourly: { frequencyInterval: 4, retentionUnit: "days", retentionValue: 3 },
      policyItemDaily: { frequencyInterval: 1, retentionUnit: "days", retentionValue: 35 },
      policyItemWeeklies: [{ frequencyInterval: 6, retentionUnit: "weeks", retentionValue: 8 }],
      policyItemMonthlies: [{ frequencyInterval: 40, retentionUnit: "months", retentionValue: 12 }],
      policyItemYearlies: [{ frequencyInterval: 12, retentionUnit: "years", retentionValue: 6 }],
      restoreWindowDays: 3,
    }],
    ["nothing", {}, { policyItemWeeklies: [], policyItemMonthlies: [], policyItemYearlies: [] }],
  ])("%s", (_label, policy, expected) => {
    expect(policyItems(policy)).toEqual(expected);
    expect(backupScheduleArgs(policy, "zone-1")).toEqual({ ...expected, copySettings: [] });
  });

  test("copies carry the zone id, mirror every item and copy oplogs when PIT is on", () => {
    const args = backupScheduleArgs({ hourly: { everyHours: 6, keepDays: 2 }, weekly: { keepWeeks: 4 }, pointInTimeDays: 1, copyTo: ["EU_WEST_1", "EU_WEST_3"] }, "zone-1");
    expect(args.copyPolicyItemsEnabled).toBe(true);
    expect(args.copySettings).toEqual(
      ["EU_WEST_1", "EU_WEST_3"].map((regionName) => ({
        cloudProvider: "AWS",
        regionName,
        zoneId: "zone-1",
        shouldCopyOplogs: true,
        copyPolicyItems: [
          { frequencyType: "hourly", retentionUnit: "days", retentionValue: 2 },
          { frequencyType: "weekly", retentionUnit: "weeks", retentionValue: 4 },
        ],
      })),
    );
  });
});

describe("bridge role", () => {
  test("every action reaches exactly the tenant's physical collections in the app database", () => {
    const actions = bridgeRoleActions("acme", "app", ["orders", "profiles"]);
    expect(actions.map((a) => a.action)).toEqual([...BRIDGE_ACTIONS]);
    for (const a of actions) {
      expect(a.resources).toEqual([
        { databaseName: "app", collectionName: "t_acme__orders" },
        { databaseName: "app", collectionName: "t_acme__profiles" },
      ]);
    }
  });
  test("no database-wide, cluster-wide or destructive database actions", () => {
    expect(BRIDGE_ACTIONS).not.toContain("DROP_DATABASE");
    expect(BRIDGE_ACTIONS).not.toContain("LIST_DATABASES");
    const actions = bridgeRoleActions("acme", "app", ["orders"]);
    expect(actions.flatMap((a) => a.resources).every((r) => r.collectionName.startsWith("t_acme__"))).toBe(true);
  });
});

describe("shared app user roles", () => {
  test("readWrite on the app database and on the control database, nothing else", () => {
    expect(sharedUserRoles("app")).toEqual([
      { roleName: "readWrite", databaseName: "app" },
      { roleName: "readWrite", databaseName: "tenantry" },
    ]);
  });
});

describe("silo alerts", () => {
  test.each([
    ["registry email", "ops@example.com", [{ typeName: "EMAIL", intervalMin: 60, delayMin: 0, emailAddress: "ops@example.com" }]],
    ["project owners", undefined, [{ typeName: "GROUP", intervalMin: 60, delayMin: 0, emailEnabled: true, roles: ["GROUP_OWNER"] }]],
  ])("notify %s", (_label, email, notifications) => {
    const alerts = siloAlerts(alertTarget(email));
    expect(alerts.map((a) => [a.key, a.eventType, a.metricThresholdConfig?.metricName])).toEqual([
      ["disk", "OUTSIDE_METRIC_THRESHOLD", "DISK_PARTITION_SPACE_USED_DATA"],
      ["connections", "OUTSIDE_METRIC_THRESHOLD", "CONNECTIONS_PERCENT"],
      ["replication-lag", "OUTSIDE_METRIC_THRESHOLD", "OPLOG_SLAVE_LAG_MASTER_TIME"],
      ["no-primary", "NO_PRIMARY", undefined],
    ]);
    for (const a of alerts) {
      expect(a.enabled).toBe(true);
      expect(a.notifications).toEqual(notifications);
    }
  });
});

describe("network guard", () => {
  test.each(["0.0.0.0/0", "10.0.0.0/0", "0.0.0.0/8"])("refuses %s", (cidr) => {
    expect(() => assertClosedCidr(cidr)).toThrow(OpenNetworkError);
  });
  test.each(["203.0.113.0/24", "10.1.2.3/32"])("accepts %s", (cidr) => {
    expect(() => assertClosedCidr(cidr)).not.toThrow();
  });
  test("names derive from the CIDR", () => {
    expect(cidrSlug("203.0.113.0/24")).toBe("203-0-113-0-24");
  });
});

describe("cluster spec", () => {
  test.each([
    ["M30", [{ regionConfigs: [{ providerName: "AWS", regionName: "EU_WEST_1", priority: 7, electableSpecs: { instanceSize: "M30", nodeCount: 3 } }] }]],
    ["FLEX", [{ regionConfigs: [{ providerName: "FLEX", backingProviderName: "AWS", regionName: "EU_WEST_1", priority: 7 }] }]],
    ["M0", [{ regionConfigs: [{ providerName: "TENANT", backingProviderName: "AWS", regionName: "EU_WEST_1", priority: 7, electableSpecs: { instanceSize: "M0" } }] }]],
  ])("%s", (size, expected) => {
    expect(replicationSpecs("EU_WEST_1", size)).toEqual(expected);
  });
  test.each([
    ["M10", true, { terminationProtectionEnabled: true, backupEnabled: true, pitEnabled: true, retainBackupsEnabled: true }],
    ["M10", false, { terminationProtectionEnabled: true, backupEnabled: true, pitEnabled: false, retainBackupsEnabled: true }],
    ["FLEX", true, { terminationProtectionEnabled: true, backupEnabled: false, pitEnabled: false }],
  ])("safety of %s (pit %s)", (size, pit, expected) => {
    expect(clusterSafety(size, pit)).toEqual(expected);
  });
});
