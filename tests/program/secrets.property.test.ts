// Properties over random registries: no generated password ever reaches the map or a plain input; pool adds nothing.
import * as fc from "fast-check";
import { expect, test } from "vitest";
import { runOfflineDetailed } from "../../packages/pulumi/src/plan/engine";
import type { RegistryInput } from "../../packages/core/src/registry/schema";
import { input, withTenants } from "./fixtures";

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
function plainParts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainParts);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_KEY] === SECRET_SIG) return null;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plainParts(v)]));
  }
  return value;
}

const REGIONS = { us: ["US_EAST_1", "US_EAST_2", "US_WEST_2"], eu: ["EU_CENTRAL_1", "EU_WEST_1"] } as const;

const tenantArb = fc
  .record({
    tier: fc.constantFrom("free", "business", "enterprise"),
    residency: fc.constantFrom("us", "eu"),
    regionIndex: fc.nat(2),
    hipaa: fc.boolean(),
    cmk: fc.boolean(),
    status: fc.constantFrom("active", "frozen", "offboarding"),
    moveToSilo: fc.boolean(),
  });

const registryArb = fc.array(tenantArb, { minLength: 1, maxLength: 8 }).map((tenants): RegistryInput => {
  return withTenants(
    tenants.map((t, i) => {
      const regions = REGIONS[t.residency];
      const region = regions[t.regionIndex % regions.length]!;
      const silo = t.tier === "enterprise" || t.hipaa;
      return {
        id: `t${i}-${t.tier}`,
        name: `Tenant ${i}`,
        tier: t.tier,
        residency: t.residency,
        status: t.status,
        ...(t.hipaa && { compliance: ["HIPAA" as const] }),
        ...(silo && { region, backupPolicy: t.hipaa ? "hipaa" : "silo", customerManagedKey: t.cmk }),
        ...(!silo && t.tier === "free" && t.moveToSilo && { move: { stage: "silo" as const, region, backupPolicy: "silo" } }),
      };
    }),
  );
});

test("for every registry: passwords stay secret, pool tenants register nothing, keys are unique", async () => {
  await fc.assert(
    fc.asyncProperty(registryArb, async (raw) => {
      const { run, raw: registrations, generatedSecrets } = await runOfflineDetailed(input(raw));
      const visible = JSON.stringify([run.connectionMap, run.resources.map((r) => r.inputs), registrations.map((r) => plainParts(r.props))]);
      expect(generatedSecrets.length).toBeGreaterThan(0); // the shared clusters' app users at least
      for (const secret of generatedSecrets) expect(visible.includes(secret)).toBe(false);
      for (const p of run.placements) {
        if (p.current.stage === "pool" && !p.target) expect(run.resources.filter((r) => r.tenant === p.tenantId)).toEqual([]);
      }
      const keys = run.resources.map((r) => `${r.type}::${r.name}`);
      expect(new Set(keys).size).toBe(keys.length);
    }),
    { numRuns: 12 },
  );
});
