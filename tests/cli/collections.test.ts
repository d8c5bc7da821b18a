// `tenantry onboard` then `tenantry collections apply|check` in process, on a copy of the dev registry and the memory
// backend: every declared index and validator per stage, drift reported with exit 1, usage errors with exit 2.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { collectionsCommand } from "../../packages/cli/src/commands/collections";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";
import type { CollectionsReport } from "../../packages/core/src/collections";
import { memoryConnector } from "../../packages/testing/src";

function project(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-collections-"));
  mkdirSync(join(dir, "stacks"));
  const file = join(dir, "stacks", "dev.tenants.yaml");
  copyFileSync(join(__dirname, "../../stacks/dev.tenants.yaml"), file);
  return { dir, file };
}

describe("tenantry collections", () => {
  test("onboard a bridge and a silo tenant, then apply: every declared index and validator; check finds no drift, then finds an undeclared index", async () => {
    const { dir } = project();
    const onboard = memoryIo(dir);
    expect(await runCli(["onboard", "acme", "--tier", "business", "--residency", "us", "--env", "dev"], onboard)).toBe(0);
    expect(onboard.out.join("")).toContain("next: tenantry collections apply --env dev --tenant acme --map <the stack's connectionMap output>");
    expect(await runCli(["onboard", "globex", "--tier", "enterprise", "--residency", "us", "--region", "US_WEST_2", "--backup-policy", "dev-silo", "--env", "dev"], memoryIo(dir))).toBe(0);

    const memory = memoryConnector();
    const io = memoryIo(dir);
    expect(await collectionsCommand("apply", { env: "dev", uri: "mongodb://unused" }, io, { connector: memory })).toBe(0);
    const out = io.out.join("");
    expect(out).toContain("bridge acme on shared:dev-us-1  database app\n  t_acme__profiles\n    + created collection with its validator\n    + created index tenant_id_1_user_id_1_email_1\n");
    expect(out).toContain("silo globex on silo:globex  database app\n");
    expect(out).toMatch(/applied 5 targets: \d+ changes, 0 drift, 0 failures\n$/);

    const indexes = (cluster: string, coll: string) => memoryIndexNames(memory, cluster, coll);
    expect(await indexes("shared:dev-us-1", "t_acme__invoices")).toEqual(["_id_", "tenant_id_1_number_1"]);
    expect(await indexes("shared:dev-us-1", "t_acme__events")).toEqual(["_id_", "retention_at", "tenant_id_1_at_-1"]);
    expect(await indexes("silo:globex", "profiles")).toEqual(["_id_", "tenant_id_1_user_id_1_email_1"]);
    expect(await indexes("shared:dev-us-1", "orders")).toEqual(["_id_", "tenant_id_1_createdAt_-1", "tenant_id_1_status_1_createdAt_-1"]);
    const shared = await memoryClient(memory, "shared:dev-us-1");
    const [profiles] = await shared.db("app").listCollections({ name: "t_acme__profiles" }).toArray();
    expect(profiles?.options).toEqual({
      validator: {
        $jsonSchema: {
          bsonType: "object",
          required: ["email", "tenant_id", "user_id"],
          properties: { email: { bsonType: "string" }, tenant_id: { bsonType: "string", enum: ["acme"] }, user_id: { bsonType: "string" } },
        },
      },
      validationLevel: "strict",
      validationAction: "error",
    });

    const check = memoryIo(dir);
    expect(await collectionsCommand("check", { env: "dev", uri: "mongodb://unused" }, check, { connector: memory })).toBe(0);
    expect(check.out.join("")).toMatch(/checked 5 targets: 0 changes, 0 drift, 0 failures\n$/);

    const client = await memoryClient(memory, "silo:globex");
    await client.db("app").collection("orders").createIndex({ legacy: 1 });
    const drift = memoryIo(dir);
    expect(await collectionsCommand("check", { env: "dev", uri: "mongodb://unused", tenant: "globex", json: true }, drift, { connector: memory })).toBe(1);
    const report = JSON.parse(drift.out.join("")) as CollectionsReport;
    expect([report.mode, report.drift, report.failures]).toEqual(["check", 1, 0]);
    expect(report.targets.map((t) => t.label)).toEqual(["silo globex on silo:globex"]);
    expect(report.targets[0]?.collections.find((c) => c.logical === "orders")?.drift).toEqual([
      { kind: "undeclared-index", index: "legacy_1", detail: 'index legacy_1 (keys {"legacy":1}) is not declared in the registry' },
    ]);
  });

  test.each([
    ["unknown action", "drop", {}, 2, "tenantry collections: unknown action \"drop\": one of apply, check\n"],
    ["--drop-undeclared on check", "check", { dropUndeclared: true }, 2, "tenantry collections: --drop-undeclared applies to `collections apply` only\n"],
    ["no map and no uri", "apply", {}, 2, "tenantry collections: give --map (the deployed connection map: the stack output connectionMap) to reach the clusters, or --uri to apply the planned layout to one server\n"],
    ["missing map file", "apply", { map: "nope.json" }, 2, `tenantry collections: ${"<dir>"}/nope.json: file not found\n`],
    ["unknown tenant", "check", { uri: "mongodb://unused", tenant: "nobody" }, 1, "tenantry collections: tenant [nobody] is not in the connection map\n"],
  ] as const)("%s → exit %#", async (_name, action, opts, code, message) => {
    const { dir } = project();
    const io = memoryIo(dir);
    const deps = "uri" in opts ? { connector: memoryConnector() } : {};
    expect(await collectionsCommand(action, { env: "dev", ...opts }, io, deps)).toBe(code);
    expect(io.err.join("").replace(dir, "<dir>")).toBe(message);
  });

  test("a map of another environment is refused", async () => {
    const { dir } = project();
    writeFileSync(join(dir, "prod-map.json"), JSON.stringify({ version: 1, environment: "prod", clusters: {}, credentials: {}, collections: {}, tenants: {} }));
    const io = memoryIo(dir);
    expect(await collectionsCommand("apply", { env: "dev", map: "prod-map.json" }, io, { connector: memoryConnector() })).toBe(2);
    expect(io.err.join("")).toBe("tenantry collections: the connection map is of environment prod, the registry of dev; pass the registry of the same environment (--env prod)\n");
  });
});

/** A raw client of one cluster of the memory backend (the memory connector ignores hosts and credentials). */
function memoryClient(memory: ReturnType<typeof memoryConnector>, cluster: string) {
  return memory.connect({ clusterKey: cluster, cluster: { name: cluster, kind: "shared", srvHost: "h", region: "US_EAST_1", awsRegion: "us-east-1", residency: "us" }, credentialKey: cluster, credentialRef: { kind: "aws-secrets-manager", secretArn: "arn", region: "us-east-1" }, credentials: undefined });
}

async function memoryIndexNames(memory: ReturnType<typeof memoryConnector>, cluster: string, coll: string): Promise<string[]> {
  const client = await memoryClient(memory, cluster);
  return (await client.db("app").collection(coll).listIndexes().toArray()).map((i) => i.name as string).sort();
}
