// `tenantry schema`: prints the JSON Schema the committed file holds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";

test("tenantry schema prints schema/registry.schema.json exactly and exits 0", async () => {
  const io = memoryIo();
  expect(await runCli(["schema"], io)).toBe(0);
  const printed = io.out.join("");
  expect(printed).toBe(readFileSync(join(__dirname, "..", "..", "schema", "registry.schema.json"), "utf8"));
  const schema = JSON.parse(printed) as { properties: Record<string, unknown>; additionalProperties: boolean };
  expect(Object.keys(schema.properties)).toEqual(["$schema", "version", "environment", "collections", "sharedClusters", "backupPolicies", "contacts", "network", "tenants"]);
  // strictObject → additionalProperties: false, so editors flag typos too.
  expect(schema.additionalProperties).toBe(false);
});
