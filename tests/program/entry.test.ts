// The Pulumi entry (src/index.ts) under mocks with stack config: settings read once, the map exported, protect honoured.
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, test } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { createMockState } from "../../packages/pulumi/src/plan/mock-state";

const protects = new Map<string, boolean>();
let entry: { connectionMap: pulumi.Output<ConnectionMap> };

beforeAll(async () => {
  pulumi.runtime.setAllConfig({
    "tenantry:atlasOrgId": "0123456789abcdef01234567",
    "tenantry:registryPath": join(__dirname, "../../stacks/dev.tenants.yaml"),
    "tenantry:namingPrefix": "acme",
    "tenantry:protect": "false",
    "aws:region": "eu-west-1",
  });
  await pulumi.runtime.setMocks(createMockState().mocks, "tenantry", "dev", false);
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: any, cb: unknown) => void };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: unknown) => {
    protects.set(req.getName(), req.getProtect());
    original(req, cb);
  };
  // Imported only after setMocks and setAllConfig: the entry reads config and registers resources at load.
  entry = await import("../../src/index.js");
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
});

test("exports a valid connection map built from the configured prefix; protect off as configured", async () => {
  const map = await (entry.connectionMap as unknown as { promise(): Promise<ConnectionMap> }).promise();
  expect(map.environment).toBe("dev");
  expect(map.tenants["demo-business"]?.database).toBe("acme");
  expect(map.credentials["shared:dev-us-1"]?.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:tenantry\/acme\/dev\/shared\/dev-us-1-/);
  expect(map.control).toEqual({ cluster: "shared:dev-us-1", credential: "shared:dev-us-1", database: "tenantry", collection: "overrides" });
  expect(protects.get("silo-demo-enterprise-cluster")).toBe(false);
  expect(protects.get("project-us")).toBe(false);
  expect(Error.stackTraceLimit).toBe(0);
});
