// The Pulumi entry (src/index.ts) as a silo stack of the per-tenant layout: builds only that silo, exports its facts and digest.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, test } from "vitest";
import { createMockState } from "../../packages/pulumi/src/plan/mock-state";
import type { MapFacts } from "../../packages/pulumi/src/program/stacks/merge";

const names: string[] = [];
let entry: { connectionMap: pulumi.Output<unknown>; mapFacts: Promise<unknown> | undefined; tenantryInputs: Promise<unknown> | undefined; tenantryShared: Promise<unknown> | undefined };

beforeAll(async () => {
  pulumi.runtime.setAllConfig({
    "tenantry:atlasOrgId": "0123456789abcdef01234567",
    "tenantry:registryPath": join(__dirname, "../../stacks/dev.tenants.yaml"),
    "tenantry:stackLayout": "per-tenant",
    "tenantry:environmentStack": "dev",
  });
  await pulumi.runtime.setMocks(createMockState().mocks, "tenantry", "dev-demo-enterprise", false, "organization");
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, cb: unknown) => void };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: unknown) => {
    names.push(req.getName());
    original(req, cb);
  };
  entry = await import("../../src/index.js");
  await entry.mapFacts;
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
});

test("a silo stack registers that silo only and exports its map facts and input digest, no map", async () => {
  expect(names.filter((n) => !n.startsWith("default") && !n.startsWith("tenantry-")).every((n) => n.startsWith("silo-demo-enterprise"))).toBe(true);
  expect(names).toContain("silo-demo-enterprise-cluster");
  const facts = (await (pulumi.output(entry.mapFacts) as unknown as { promise(): Promise<MapFacts> }).promise());
  expect(facts.clusters.map((c) => c.key)).toEqual(["silo:demo-enterprise"]);
  expect(facts.credentials.map((c) => c.key)).toEqual(["silo:demo-enterprise"]);
  expect(await entry.tenantryInputs).toMatch(/^[0-9a-f]{64}$/);
  expect(await entry.tenantryShared).toBeUndefined();
  expect(await (entry.connectionMap as unknown as { promise(): Promise<unknown> }).promise()).toBeUndefined();
});
