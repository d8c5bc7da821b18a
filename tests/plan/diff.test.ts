// diffMaps: one table row per kind of change, exact messages for the destructive ones, and properties over random maps.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { ConnectionMap, type TenantEntry } from "../../packages/contract/src/connection-map/schema";
import { DestructiveChangeError, assertNoDestructiveChanges, diffMaps } from "../../packages/core/src/connection-map/diff";
import { CLUSTERS, makeMap, route, tenant } from "./fixtures";

const summary = (prev: TenantEntry[], next: TenantEntry[], clustersNext = CLUSTERS) =>
  diffMaps(makeMap(prev), makeMap(next, clustersNext)).map((c) => [c.tenantId ?? c.clusterKey, c.kind, c.destructive, c.from, c.to]);

const pool = tenant("globex", "pool", "shared:app-eu");

describe("diffMaps kinds", () => {
  test.each<[string, TenantEntry[], TenantEntry[], unknown[]]>([
    ["nothing changed", [pool], [pool], []],
    ["added", [], [pool], [["globex", "added", false, null, "pool on shared:app-eu (EU_CENTRAL_1)"]]],
    ["removed after offboarding", [{ ...pool, status: "offboarding" }], [], [["globex", "removed", false, "pool on shared:app-eu (EU_CENTRAL_1)", null]]],
    ["removed without offboarding", [pool], [], [["globex", "removed-without-offboarding", true, "pool on shared:app-eu (EU_CENTRAL_1)", null]]],
    ["status change", [pool], [{ ...pool, status: "offboarding" }], [["globex", "status-change", false, "active", "offboarding"]]],
    [
      "target declared",
      [pool],
      [{ ...pool, target: route("globex", "bridge", "shared:app-eu") }],
      [["globex", "target-declared", false, null, "bridge on shared:app-eu (EU_CENTRAL_1)"]],
    ],
    [
      "target changed",
      [{ ...pool, target: route("globex", "bridge", "shared:app-eu") }],
      [{ ...pool, target: route("globex", "bridge", "shared:app-eu-2") }],
      [["globex", "target-declared", false, "bridge on shared:app-eu (EU_CENTRAL_1)", "bridge on shared:app-eu-2 (EU_CENTRAL_1)"]],
    ],
    [
      "target cleared",
      [{ ...pool, target: route("globex", "bridge", "shared:app-eu") }],
      [pool],
      [["globex", "target-cleared", false, "bridge on shared:app-eu (EU_CENTRAL_1)", null]],
    ],
    [
      "declared stage move cut over",
      [{ ...pool, target: route("globex", "bridge", "shared:app-eu") }],
      [tenant("globex", "bridge", "shared:app-eu")],
      [["globex", "stage-move", false, "pool", "bridge"]],
    ],
    ["undeclared stage move", [pool], [tenant("globex", "bridge", "shared:app-eu")], [["globex", "stage-move", true, "pool", "bridge"]]],
    ["undeclared stage downgrade", [tenant("globex", "bridge", "shared:app-eu")], [pool], [["globex", "stage-downgrade", true, "bridge", "pool"]]],
    [
      "declared stage downgrade",
      [{ ...tenant("globex", "bridge", "shared:app-eu"), target: route("globex", "pool", "shared:app-eu") }],
      [pool],
      [["globex", "stage-downgrade", false, "bridge", "pool"]],
    ],
    [
      "declared cluster change",
      [{ ...pool, target: route("globex", "pool", "shared:app-eu-2") }],
      [tenant("globex", "pool", "shared:app-eu-2")],
      [["globex", "cluster-change", false, "shared:app-eu", "shared:app-eu-2"]],
    ],
    ["undeclared cluster change", [pool], [tenant("globex", "pool", "shared:app-eu-2")], [["globex", "cluster-change", true, "shared:app-eu", "shared:app-eu-2"]]],
    [
      "database rename",
      [pool],
      [{ ...pool, database: "app2", collections: pool.collections }],
      [["globex", "database-or-collection-rename", true, "app", "app2"]],
    ],
    [
      "collection rename",
      [tenant("initech", "bridge", "shared:app-eu")],
      [{ ...tenant("initech", "bridge", "shared:app-eu"), collections: { orders: "t_initech__order", notes: "t_initech__notes" } }],
      [["initech", "database-or-collection-rename", true, "app.t_initech__orders", "app.t_initech__order"]],
    ],
  ])("%s", (_name, prev, next, expected) => {
    expect(summary(prev, next)).toEqual(expected);
  });

  test("silo region change is reported once, on the tenant", () => {
    const acme = tenant("acme", "silo", "silo:acme");
    const moved = { ...CLUSTERS, "silo:acme": { ...CLUSTERS["silo:acme"]!, region: "EU_NORTH_1", awsRegion: "eu-north-1" } };
    expect(summary([acme], [acme], moved)).toEqual([["acme", "region-change", true, "EU_WEST_1", "EU_NORTH_1"]]);
  });

  test.each([
    ["name", { name: "app-eu-new" }, "app-eu", "app-eu-new"],
    ["region", { region: "EU_WEST_1", awsRegion: "eu-west-1" }, "EU_CENTRAL_1", "EU_WEST_1"],
  ])("shared cluster %s change is cluster-replaced", (_what, patch, from, to) => {
    const clusters = { ...CLUSTERS, "shared:app-eu": { ...CLUSTERS["shared:app-eu"]!, ...patch } };
    expect(summary([pool], [pool], clusters)).toEqual([["shared:app-eu", "cluster-replaced", true, from, to]]);
  });

  test("a declared silo move to another region is not destructive", () => {
    const clusters = { ...CLUSTERS, "silo:acme-2": { ...CLUSTERS["silo:acme"]!, name: "t-acme-2", region: "EU_NORTH_1", awsRegion: "eu-north-1" } };
    const before = { ...tenant("acme", "silo", "silo:acme"), target: route("acme", "silo", "silo:acme-2") };
    const after = tenant("acme", "silo", "silo:acme-2");
    expect(diffMaps(makeMap([before], clusters), makeMap([after], clusters)).map((c) => [c.kind, c.destructive])).toEqual([["cluster-change", false]]);
  });
});

describe("diffMaps: moves within a stage (generation-qualified keys, src/naming.ts)", () => {
  const g2 = { ...CLUSTERS["silo:acme"]!, region: "EU_NORTH_1", awsRegion: "eu-north-1" };
  const withG2: Record<string, typeof g2> = { ...CLUSTERS, "silo:acme#g2": g2 };
  const afterCutOver = Object.fromEntries(Object.entries(withG2).filter(([key]) => key !== "silo:acme"));
  const silo = (cluster: string, credential = cluster) => ({ ...tenant("acme", "silo", cluster), credential });
  const bridge = (cluster: string, credential: string) => ({ ...tenant("globex", "bridge", cluster), credential });
  test.each<[string, TenantEntry, TenantEntry, Record<string, typeof g2>, unknown[]]>([
    [
      "silo → silo cut over, the old silo's entry gone",
      { ...silo("silo:acme"), target: { ...route("acme", "silo", "silo:acme#g2"), credential: "silo:acme#g2" } },
      silo("silo:acme#g2"),
      afterCutOver,
      [["acme", "cluster-change", false, "silo:acme", "silo:acme#g2"]],
    ],
    ["silo → silo without a declared move", silo("silo:acme"), silo("silo:acme#g2"), afterCutOver, [
      ["acme", "cluster-change", true, "silo:acme", "silo:acme#g2"],
      ["acme", "region-change", true, "EU_WEST_1", "EU_NORTH_1"],
    ]],
    [
      "bridge → bridge cut over to another shared cluster",
      { ...bridge("shared:app-eu", "bridge:globex"), target: { ...route("globex", "bridge", "shared:app-eu-2"), credential: "bridge:globex#g2" } },
      bridge("shared:app-eu-2", "bridge:globex#g2"),
      CLUSTERS,
      [["globex", "cluster-change", false, "shared:app-eu", "shared:app-eu-2"]],
    ],
  ])("%s", (_label, before, after, clustersNext, expected) => {
    expect(diffMaps(makeMap([before], withG2), makeMap([after], clustersNext)).map((c) => [c.tenantId, c.kind, c.destructive, c.from, c.to])).toEqual(expected);
  });
});

describe("diffMaps messages", () => {
  test.each<[string, TenantEntry[], TenantEntry[], string]>([
    [
      "removed-without-offboarding",
      [pool],
      [],
      "tenant [globex] is gone from the registry but was active, not offboarding: set `status: offboarding` and deploy first, then remove it",
    ],
    [
      "stage-downgrade",
      [tenant("globex", "silo", "silo:acme")],
      [pool],
      "tenant [globex] moves down silo → pool without a declared move: the new route would be empty and its isolation lower; declare a move (`move:` in the registry), deploy, copy the data with `tenantry move`, then cut over",
    ],
    [
      "stage-move",
      [pool],
      [tenant("globex", "bridge", "shared:app-eu")],
      "tenant [globex] moves pool → bridge without a declared move: the new route would be empty; declare a move (`move:` in the registry), deploy, copy the data with `tenantry move`, then cut over",
    ],
    [
      "database-or-collection-rename",
      [pool],
      [{ ...pool, collections: { orders: "orders2", notes: "notes" } }],
      "tenant [globex] collection orders: app.orders → app.orders2: the new collection would be empty; physical names must not change",
    ],
  ])("%s", (_kind, prev, next, message) => {
    expect(diffMaps(makeMap(prev), makeMap(next)).map((c) => c.message)).toEqual([message]);
  });

  test("cluster-replaced names the cluster and the fix", () => {
    const clusters = { ...CLUSTERS, "shared:app-eu": { ...CLUSTERS["shared:app-eu"]!, name: "app-eu-new" } };
    expect(diffMaps(makeMap([pool]), makeMap([pool], clusters))[0]?.message).toBe(
      "cluster shared:app-eu changes Atlas cluster name app-eu → app-eu-new: the cluster would be replaced by an empty one; keep the old name and region, add a new cluster and move tenants to it",
    );
  });

  test("assertNoDestructiveChanges throws a typed error carrying the changes", () => {
    const changes = diffMaps(makeMap([pool]), makeMap([]));
    expect(() => assertNoDestructiveChanges(changes)).toThrow(DestructiveChangeError);
    try {
      assertNoDestructiveChanges(changes);
    } catch (error) {
      expect((error as DestructiveChangeError).changes.map((c) => c.kind)).toEqual(["removed-without-offboarding"]);
    }
    expect(() => assertNoDestructiveChanges(diffMaps(makeMap([pool]), makeMap([pool])))).not.toThrow();
  });
});

const stageArb = fc.constantFrom("pool", "bridge", "silo" as const);
const tenantArb = fc
  .record({
    id: fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/),
    stage: stageArb,
    status: fc.constantFrom("active", "frozen", "offboarding" as const),
    shared: fc.constantFrom("shared:app-eu", "shared:app-eu-2", "shared:app-us"),
  })
  .map(({ id, stage, status, shared }) => tenant(id, stage, stage === "silo" ? "silo:acme" : shared, { status }));
const mapArb = fc.uniqueArray(tenantArb, { selector: (t) => t.partition.tenantValue, maxLength: 20 }).map((ts) => makeMap(ts));

describe("diffMaps properties", () => {
  test("fixtures are valid connection maps", () => {
    fc.assert(fc.property(mapArb, (m) => void ConnectionMap.parse(m)));
  });
  test("a map compared with itself has no change", () => {
    fc.assert(fc.property(mapArb, (m) => diffMaps(m, m).length === 0));
  });
  test("every tenant only in one map yields exactly one added or removed change", () => {
    fc.assert(
      fc.property(mapArb, mapArb, (a, b) => {
        const changes = diffMaps(a, b);
        for (const id of Object.keys(a.tenants)) {
          if (!(id in b.tenants)) {
            const kinds = changes.filter((c) => c.tenantId === id).map((c) => c.kind);
            expect(kinds).toEqual([a.tenants[id]?.status === "offboarding" ? "removed" : "removed-without-offboarding"]);
          }
        }
        for (const id of Object.keys(b.tenants)) {
          if (!(id in a.tenants)) expect(changes.filter((c) => c.tenantId === id).map((c) => c.kind)).toEqual(["added"]);
        }
      }),
    );
  });
  test("an undeclared change of stage is always destructive", () => {
    fc.assert(
      fc.property(mapArb, mapArb, (a, b) =>
        diffMaps(a, b)
          .filter((c) => c.kind === "stage-move" || c.kind === "stage-downgrade")
          .every((c) => c.destructive),
      ),
    );
  });
});

describe("diffMaps control location", () => {
  const withControl = (tenants: TenantEntry[], cluster: string | undefined): ConnectionMap => {
    const map = makeMap(tenants);
    if (cluster === undefined) return map;
    const credential = tenants[0]?.credential ?? "shared:app-eu";
    return { ...map, control: { cluster, credential, database: "tenantry", collection: "overrides" } };
  };
  const moving = { ...pool, target: route("globex", "bridge", "shared:app-eu") };

  test.each<[string, TenantEntry[], string | undefined, string | undefined, unknown[]]>([
    ["unchanged", [pool], "shared:app-eu", "shared:app-eu", []],
    [
      "moved with no declared move",
      [pool],
      "shared:app-eu",
      "shared:app-eu-2",
      [["shared:app-eu-2", "control-moved", false, "shared:app-eu tenantry.overrides", "shared:app-eu-2 tenantry.overrides"]],
    ],
    ["introduced", [pool], undefined, "shared:app-eu", [["shared:app-eu", "control-moved", false, null, "shared:app-eu tenantry.overrides"]]],
    [
      "moved while a move is declared",
      [moving],
      "shared:app-eu",
      "shared:app-eu-2",
      [["shared:app-eu-2", "control-moved", true, "shared:app-eu tenantry.overrides", "shared:app-eu-2 tenantry.overrides"]],
    ],
  ])("%s", (_name, tenants, before, after, expected) => {
    const changes = diffMaps(withControl(tenants, before), withControl(tenants, after)).filter((c) => c.kind === "control-moved");
    expect(changes.map((c) => [c.clusterKey, c.kind, c.destructive, c.from, c.to])).toEqual(expected);
  });

  test("a destructive control move names the declared moves and what to do", () => {
    const [change] = diffMaps(withControl([moving], "shared:app-eu"), withControl([moving], "shared:app-eu-2")).filter((c) => c.kind === "control-moved");
    expect(change?.message).toBe(
      "the control location moves shared:app-eu tenantry.overrides → shared:app-eu-2 tenantry.overrides while moves are declared ([globex]): their freezes, cut-overs and journals stay at the old location; finish or roll back those moves first, and append new shared clusters (the first one holds the control location)",
    );
  });
});
