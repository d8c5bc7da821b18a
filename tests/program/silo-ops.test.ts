// The silo's own operations: pure mappings (tables), then a silo under the mock engine with every capability, its
// exact children, inputs and options. A mock proves what we send to the providers, not that Atlas accepts it.
import * as mongodbatlas from "@pulumi/mongodbatlas";
import { beforeAll, describe, expect, test } from "vitest";
import { runOfflineDetailed, type DetailedRun } from "../../packages/pulumi/src/plan/engine";
import { auditingArgs, DEFAULT_AUDIT_FILTER, describeOperations, maintenanceWindowArgs, siloOperations } from "../../packages/pulumi/src/program/silo-ops";
import type { RecordedResource } from "../../packages/pulumi/src/plan/types";
import { input, withTenants } from "./fixtures";

describe("pure mappings", () => {
  test.each([
    [{ day: "sunday", hour: 3, autoDefer: false }, { dayOfWeek: 1, hourOfDay: 3, autoDeferOnceEnabled: false }],
    [{ day: "wednesday", hour: 23, autoDefer: true }, { dayOfWeek: 4, hourOfDay: 23, autoDeferOnceEnabled: true }],
    [{ day: "saturday", hour: 0, autoDefer: false }, { dayOfWeek: 7, hourOfDay: 0, autoDeferOnceEnabled: false }],
  ] as const)("maintenance window %o → %o", (spec, args) => {
    expect(maintenanceWindowArgs(spec)).toEqual(args);
  });

  test.each([
    ["no spec, no compliance: off", undefined, [], undefined],
    ["no spec, HIPAA: on with the default filter", undefined, ["HIPAA"], { enabled: true, auditFilter: JSON.stringify(DEFAULT_AUDIT_FILTER), auditAuthorizationSuccess: false, required: true }],
    ["FedRAMP", {}, ["FedRAMP"], { enabled: true, auditFilter: JSON.stringify(DEFAULT_AUDIT_FILTER), auditAuthorizationSuccess: false, required: true }],
    ["asked for, with a filter", { enabled: true, filter: { atype: "authenticate" }, authorizationSuccess: true }, ["SOC2"], { enabled: true, auditFilter: '{"atype":"authenticate"}', auditAuthorizationSuccess: true, required: false }],
    ["explicitly off", { enabled: false }, ["GDPR"], undefined],
  ] as const)("auditing: %s", (_name, spec, compliance, args) => {
    expect(auditingArgs(spec === undefined ? undefined : { authorizationSuccess: false, ...spec }, compliance)).toEqual(args);
  });

  test("the plan's words for every capability, and for none", () => {
    expect(describeOperations(siloOperations({ compliance: [] }))).toEqual(["maintenance: Atlas's schedule", "auditing off", "fixed size", "no customer DBA user", "alerts to operations only"]);
    expect(
      describeOperations(
        siloOperations({
          compliance: ["HIPAA"],
          maintenanceWindow: { day: "tuesday", hour: 4, autoDefer: true },
          autoScaling: { minInstanceSize: "M30", maxInstanceSize: "M60", scaleDown: true },
          customerDba: true,
          alerts: { email: "dba@health.example" },
        }),
      ),
    ).toEqual(["maintenance tuesday 04:00 (auto-defer)", "auditing on (compliance)", "auto-scaling M30..M60", "customer DBA user", "alerts also to dba@health.example"]);
  });
});

describe("SiloTenant with its own operations", () => {
  let run: DetailedRun;
  beforeAll(async () => {
    const raw = withTenants([
      { id: "bridge-b", name: "Bridge B", tier: "business", residency: "eu" },
      {
        id: "ops-o",
        name: "Ops O",
        tier: "enterprise",
        residency: "us",
        compliance: ["SOC2"],
        region: "US_EAST_2",
        instanceSize: "M30",
        backupPolicy: "silo",
        maintenanceWindow: { day: "sunday", hour: 3 },
        auditing: { enabled: true, filter: { atype: { $in: ["authenticate"] } } },
        autoScaling: { minInstanceSize: "M20", maxInstanceSize: "M50", scaleDown: false },
        customerDba: true,
        alerts: { email: "dba@ops.example" },
      },
    ]);
    run = await runOfflineDetailed(input(raw), { namingPrefix: "app" });
  });
  const one = (name: string): RecordedResource => {
    const found = run.run.resources.filter((r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const typeOf = (cls: { __pulumiType: string }) => cls.__pulumiType;
  const n = "silo-ops-o";

  test("children: maintenance window, auditing, the customer DBA user chain, beside the usual silo children", () => {
    const names = run.run.resources.filter((r) => r.parent === n).map((r) => `${r.type.replace(/^.*:/, "")}::${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `MaintenanceWindow::${n}-maintenance`,
        `Auditing::${n}-auditing`,
        `DatabaseUser::${n}-dba-user`,
        `RandomPassword::${n}-dba-password`,
        `Secret::${n}-dba-secret`,
        `SecretVersion::${n}-dba-secret-version`,
      ]),
    );
    // The type tokens are the installed provider's own.
    expect(one(`${n}-maintenance`).type).toBe(typeOf(mongodbatlas.MaintenanceWindow as unknown as { __pulumiType: string }));
    expect(one(`${n}-auditing`).type).toBe(typeOf(mongodbatlas.Auditing as unknown as { __pulumiType: string }));
    // A bridge tenant gets none of them: it shares its shared cluster's project, window and auditing.
    expect(run.run.resources.filter((r) => r.parent === "bridge-bridge-b" && /maintenance|auditing|dba/.test(r.name))).toEqual([]);
  });

  test("exact inputs and options", () => {
    expect(one(`${n}-maintenance`).inputs).toMatchObject({ dayOfWeek: 1, hourOfDay: 3, autoDeferOnceEnabled: false });
    const auditing = one(`${n}-auditing`);
    expect(auditing.inputs).toMatchObject({ enabled: true, auditFilter: '{"atype":{"$in":["authenticate"]}}', auditAuthorizationSuccess: false });
    // Not required by compliance here (SOC2): not protected like data.
    expect([auditing.protect, auditing.retainOnDelete]).toEqual([false, false]);
    const cluster = one(`${n}-cluster`);
    expect(cluster.inputs).toMatchObject({
      useEffectiveFields: true,
      replicationSpecs: [
        {
          regionConfigs: [
            {
              electableSpecs: { instanceSize: "M30" },
              autoScaling: { computeEnabled: true, computeScaleDownEnabled: false, computeMinInstanceSize: "M20", computeMaxInstanceSize: "M50", diskGbEnabled: true },
            },
          ],
        },
      ],
    });
    const dba = one(`${n}-dba-user`);
    expect(dba.inputs).toMatchObject({
      username: "app-test-t-ops-o-dba",
      authDatabaseName: "admin",
      roles: [
        { roleName: "readWrite", databaseName: "app" },
        { roleName: "dbAdmin", databaseName: "app" },
      ],
      scopes: [{ type: "CLUSTER", name: "t-ops-o" }],
    });
    const secret = one(`${n}-dba-secret`);
    expect(secret.inputs).toMatchObject({ name: "tenantry/app/test/tenants/ops-o/dba", region: "us-east-2" });
    expect([secret.protect, secret.retainOnDelete]).toEqual([true, true]);
    expect(one(`${n}-alert-disk`).inputs).toMatchObject({
      notifications: [
        { typeName: "EMAIL", emailAddress: "oncall@example.com" },
        { typeName: "EMAIL", emailAddress: "dba@ops.example" },
      ],
    });
  });

  test("the DBA password is a secret: no plain text of it in any recorded input", () => {
    const versions = run.run.resources.filter((r) => r.name === `${n}-dba-secret-version`);
    expect(versions).toHaveLength(1);
    expect(JSON.stringify(versions[0]?.inputs)).not.toMatch(/"password":"[A-Za-z0-9]{32}"/);
  });
});
