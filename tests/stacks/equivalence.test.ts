// The per-tenant layout registers exactly the single layout's resources, each in one stack, and merges to the same map.
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { runOfflineDetailed, maskSecrets, STACK_REFERENCE_TYPE, type RawRegistration } from "../../packages/pulumi/src/plan/engine";
import { planStacksOffline } from "../../packages/pulumi/src/plan/stacks";
import type { ProgramInput } from "../../packages/pulumi/src/program/layout";
import type { ProgramSettings } from "../../packages/pulumi/src/program/settings";
import { loadRegistryFile } from "../../packages/core/src/registry/load";
import { input, withTenants } from "../program/fixtures";

/**
 * URNs carry the stack name (`urn:pulumi:<stack>::…`), and the root Stack resource every top-level resource hangs off
 * is named `<project>-<stack>`; everything else (type chain, name) must be the same in both layouts.
 */
const withoutStack = (text: string) =>
  text.replace(/urn:pulumi:[^:]+::/g, "urn:pulumi:<stack>::").replace(/(pulumi:pulumi:Stack::)tenantry-[A-Za-z0-9_.-]+/g, "$1<root>");

/** What identifies a registration and what the engine is asked to do with it: type, name, parent chain, inputs, options. */
function comparable(r: RawRegistration) {
  return {
    urn: withoutStack(r.urn),
    type: r.type,
    name: r.name,
    parent: withoutStack(r.parentUrn),
    inputs: withoutStack(JSON.stringify(maskSecrets(r.props))),
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    replaceOnChanges: r.replaceOnChanges,
    provider: withoutStack(r.provider),
  };
}

/** The environment's resources: not the root stack, not engine-made default providers, not StackReferences (wiring). */
const isEnvironmentResource = (r: RawRegistration) =>
  r.type !== "pulumi:pulumi:Stack" && r.type !== STACK_REFERENCE_TYPE && !(r.type.startsWith("pulumi:providers:") && r.name.startsWith("default"));
/** Components and explicit providers may exist in several stacks (no cloud counterpart); custom resources never. */
const isCloudResource = (r: RawRegistration) => r.custom && !r.type.startsWith("pulumi:providers:");

async function expectEquivalent(loaded: ProgramInput, settings: Partial<ProgramSettings>) {
  const single = await runOfflineDetailed(loaded, settings);
  const perTenant = await planStacksOffline(loaded, settings, new Map());
  const singleSet = single.raw.filter(isEnvironmentResource).map(comparable);

  const owners = new Map<string, string[]>();
  const merged = new Map<string, ReturnType<typeof comparable>>();
  for (const stack of perTenant.stacks) {
    for (const r of stack.raw.filter(isEnvironmentResource)) {
      const c = comparable(r);
      const seen = merged.get(c.urn);
      if (seen) expect(c, `${c.urn} differs between stacks`).toEqual(seen);
      merged.set(c.urn, c);
      if (isCloudResource(r)) owners.set(c.urn, [...(owners.get(c.urn) ?? []), stack.plan.name]);
    }
  }
  expect([...merged.values()].sort((a, b) => a.urn.localeCompare(b.urn))).toEqual([...singleSet].sort((a, b) => a.urn.localeCompare(b.urn)));
  for (const [urn, stacks] of owners) expect(stacks, urn).toHaveLength(1);
  expect(owners.size).toBe(single.raw.filter(isCloudResource).length);
  // Byte-identical: the merged map is assembled in the single layout's key order.
  expect(JSON.stringify(perTenant.connectionMap)).toBe(JSON.stringify(single.run.connectionMap));
  return perTenant;
}

const STACKS = join(__dirname, "../../stacks");

describe.each([
  ["publishing to SSM", { publishToSsm: true }],
  ["not publishing", { publishToSsm: false }],
])("equivalence, %s", (_label, settings) => {
  test.each(["dev", "staging", "prod"])("stacks/%s.tenants.yaml", async (env) => {
    const loaded = loadRegistryFile(join(STACKS, `${env}.tenants.yaml`));
    const run = await expectEquivalent(loaded, { ...settings, atlasGovOrgId: "000000000000000000000001" });
    expect(run.stacks[0]?.plan.kind).toBe("shared");
  });

  test("the program fixture (HIPAA silo, PrivateLink silo, offboarding silo, bridge) with shards of 1", async () => {
    const run = await expectEquivalent(input(), { ...settings, bridgeShardSize: 1 });
    expect(run.stacks.map((s) => [s.plan.name, s.plan.kind, s.plan.tenants])).toEqual([
      ["test", "shared", ["pool-a"]],
      ["test-bridge-1", "bridge-shard", ["bridge-b"]],
      ["test-health-h", "silo", ["health-h"]],
      ["test-euro-e", "silo", ["euro-e"]],
      ["test-gone-g", "silo", ["gone-g"]],
    ]);
  });
});

test("a bridge → silo move: the tenant has its bridge in a shard and its silo target in its own stack", async () => {
  const loaded = input(
    withTenants([
      { id: "pool-a", name: "Pool A", tier: "free", residency: "eu" },
      { id: "mover", name: "Mover", tier: "business", residency: "eu", move: { stage: "silo", region: "EU_CENTRAL_1", backupPolicy: "silo" } },
    ]),
  );
  const run = await expectEquivalent(loaded, { publishToSsm: true });
  expect(run.stacks.map((s) => s.plan.name)).toEqual(["test", "test-bridge-1", "test-mover"]);
});

// Generated registries: pool, bridge and silo tenants over two zones, some offboarding, some with a customer key.
const tenantArb = fc.record({
  kind: fc.constantFrom("pool", "bridge", "silo"),
  zone: fc.constantFrom("eu", "us"),
  cmk: fc.boolean(),
  offboarding: fc.boolean(),
});

test("for generated registries, the per-tenant layout registers the single layout's resources and merges to its map", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(tenantArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), async (specs, shardSize, publish) => {
      const tenants = specs.map((t, i) => ({
        id: `t${i}-${t.kind}`,
        name: `T${i}`,
        tier: t.kind === "pool" ? ("free" as const) : t.kind === "bridge" ? ("business" as const) : ("enterprise" as const),
        residency: t.zone,
        ...(t.kind === "silo" && { region: t.zone === "eu" ? ("EU_WEST_1" as const) : ("US_EAST_1" as const), backupPolicy: "silo", instanceSize: "M10", customerManagedKey: t.cmk }),
        ...(t.offboarding && t.kind !== "pool" && { status: "offboarding" as const }),
      }));
      await expectEquivalent(input(withTenants(tenants)), { publishToSsm: publish, bridgeShardSize: shardSize });
    }),
    { numRuns: 10 },
  );
}, 600_000);
