// The stack commands end to end in process: up/preview over a fake workspace, stacks migrate, assign, manifests, map.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { beforeEach, describe, expect, test } from "vitest";
import { memoryIo } from "../../packages/cli/src/io";
import { mapCommand } from "../../packages/cli/src/commands/map";
import { planCommand } from "../../packages/cli/src/commands/plan";
import { PlanJson } from "../../packages/pulumi/src/plan/json";
import { assignCommand, manifestsCommand, migrateCommand } from "../../packages/cli/src/commands/stacks";
import { upCommand } from "../../packages/cli/src/commands/up";
import type { ConfigValue, StackWorkspace } from "../../packages/pulumi/src/orchestration/workspace";

const ROOT = join(__dirname, "../..");
let dir: string;

/** A project copy per test: commands write the shard file beside the registry. */
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tenantry-stacks-"));
  cpSync(join(ROOT, "stacks"), join(dir, "stacks"), { recursive: true });
  cpSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(join(dir, "stacks/Pulumi.dev.yaml"), `${readFileSync(join(dir, "stacks/Pulumi.dev.yaml"), "utf8")}\n  tenantry:stackLayout: per-tenant\n`);
});

/** Records operations; `up` exports what the program would (digest and facts) through `program`. */
function fakeWorkspace(program: (stack: string) => Record<string, unknown> = () => ({})) {
  const log: string[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  const configs = new Map<string, Record<string, ConfigValue>>();
  const ws: StackWorkspace = {
    ensureStack: (stack, config) => {
      configs.set(stack, { ...configs.get(stack), ...config });
      return Promise.resolve();
    },
    outputs: (stack) => Promise.resolve(outputs.get(stack) ?? {}),
    config: (stack) => Promise.resolve(configs.get(stack) ?? {}),
    up: (stack) => {
      log.push(`up ${stack}`);
      outputs.set(stack, program(stack));
      return Promise.resolve({ ok: true, changes: { create: 2, same: 1 } });
    },
    preview: (stack) => {
      log.push(`preview ${stack}`);
      return Promise.resolve({ ok: true, changes: { create: 2 } });
    },
  };
  return { ws, log, outputs, configs };
}

describe("tenantry up / preview", () => {
  test("up runs the shared stack then every tenant stack, prints one line per stack, writes the shard file", async () => {
    const io = memoryIo(dir);
    const { ws, log, configs } = fakeWorkspace();
    const code = await upCommand("up", { env: "dev" }, io, { workspace: () => ws });
    expect(code).toBe(0);
    expect(log[0]).toBe("up dev");
    const lines = io.out.join("").trim().split("\n");
    expect(lines[0]).toBe("✓ dev  shared  updated  create 2, same 1");
    expect(lines.length).toBe(log.length);
    expect(existsSync(join(dir, "stacks/dev.shards.yaml"))).toBe(true);
    const tenantStack = log.find((l) => l !== "up dev")?.slice(3);
    expect(tenantStack).toBeDefined();
    expect(configs.get(tenantStack ?? "")?.["tenantry:environmentStack"]).toEqual({ value: "dev" });
  });

  test.each([
    [{ env: "dev", concurrency: "0" }, "--concurrency must be a whole number of at least 1"],
    [{ env: "Dev" }, "--env must be a lowercase environment name"],
    [{ env: "dev", tenant: "nobody" }, "tenant [nobody] is in no stack of this environment"],
  ])("usage errors exit 2: %j", async (opts, message) => {
    const io = memoryIo(dir);
    expect(await upCommand("preview", opts, io, { workspace: () => fakeWorkspace().ws })).toBe(2);
    expect(io.err.join("")).toContain(message);
  });
});

describe("tenantry stacks migrate", () => {
  test("dry run lists one pulumi state move per tenant stack, with top-level URNs of the environment stack", async () => {
    const io = memoryIo(dir);
    expect(await migrateCommand({ env: "dev" }, io)).toBe(0);
    const out = io.out.join("");
    expect(out).toMatch(/pulumi state move --source dev --dest dev-[a-z0-9-]+ --yes 'urn:pulumi:dev::tenantry::tenantry:program:(SiloTenant|BridgeTenant)::(silo|bridge)-[a-z0-9-]+'/);
    expect(io.err.join("")).toContain("dry run");
    expect(existsSync(join(dir, "stacks/dev.shards.yaml"))).toBe(false);
  });

  test("dry run on dev: exactly the bridge shard and the silo, each by its component URN", async () => {
    const io = memoryIo(dir);
    await migrateCommand({ env: "dev" }, io);
    const commands = io.out.join("").split("\n").filter((l) => l.startsWith("pulumi "));
    expect(commands).toEqual([
      "pulumi state move --source dev --dest dev-bridge-1 --yes 'urn:pulumi:dev::tenantry::tenantry:program:BridgeTenant::bridge-demo-business'",
      "pulumi state move --source dev --dest dev-demo-enterprise --yes 'urn:pulumi:dev::tenantry::tenantry:program:SiloTenant::silo-demo-enterprise'",
    ]);
  });

  test("--apply writes the shards, creates each stack with its config, runs the moves; the first failing move stops it (exit 1)", async () => {
    const io = memoryIo(dir);
    const ran: string[][] = [];
    const { ws, configs } = fakeWorkspace();
    const run = (argv: readonly string[]) => {
      ran.push([...argv]);
      return Promise.resolve(ran.length === 1 ? { code: 0, stderr: "" } : { code: 1, stderr: "error: resource is locked\n" });
    };
    expect(await migrateCommand({ env: "dev", apply: true }, io, { workspace: () => ws, run })).toBe(1);
    expect(ran.map((a) => a[6])).toEqual(["dev-bridge-1", "dev-demo-enterprise"]);
    expect([...configs.keys()]).toEqual(["dev-bridge-1", "dev-demo-enterprise"]);
    expect(configs.get("dev-bridge-1")?.["tenantry:stackLayout"]).toEqual({ value: "per-tenant" });
    expect(existsSync(join(dir, "stacks/dev.shards.yaml"))).toBe(true);
    expect(io.err.join("")).toContain("moving to dev-demo-enterprise failed (exit 1): error: resource is locked");
  });

  test("refuses while a move is in flight (staging declares one)", async () => {
    const io = memoryIo(dir);
    expect(await migrateCommand({ env: "staging" }, io)).toBe(1);
    expect(io.err.join("")).toMatch(/have a move in flight \(move: in the registry\)/);
    expect(io.out.join("")).toBe("");
  });
});

test("stacks assign writes the shard file; running it again changes nothing", () => {
  const io = memoryIo(dir);
  expect(assignCommand({ env: "prod" }, io)).toBe(0);
  const first = readFileSync(join(dir, "stacks/prod.shards.yaml"), "utf8");
  expect(first).toMatch(/bridgeShards:\n {2}[a-z0-9-]+: 1\n/);
  expect(assignCommand({ env: "prod" }, io)).toBe(0);
  expect(readFileSync(join(dir, "stacks/prod.shards.yaml"), "utf8")).toBe(first);
  expect(io.out.at(-1)).toContain("0 added, 0 dropped");
});

// The operator's documented Stack fields (https://github.com/pulumi/pulumi-kubernetes-operator/blob/master/docs/stacks.md):
// strict objects, so a field the operator does not know fails the test.
const EnvRef = z.strictObject({
  type: z.enum(["Env", "FS", "Literal", "Secret"]),
  secret: z.strictObject({ name: z.string(), key: z.string(), namespace: z.string().optional() }).optional(),
  literal: z.strictObject({ value: z.string() }).optional(),
});
const OperatorStackSchema = z.strictObject({
  apiVersion: z.literal("pulumi.com/v1"),
  kind: z.literal("Stack"),
  metadata: z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/).max(253), namespace: z.string(), labels: z.record(z.string(), z.string()) }),
  spec: z.strictObject({
    stack: z.string().regex(/^[^/]+\/[^/]+$/),
    projectRepo: z.string(),
    branch: z.string().optional(),
    commit: z.string().optional(),
    repoDir: z.string().optional(),
    config: z.record(z.string(), z.string()).optional(),
    envRefs: z.record(z.string(), EnvRef).optional(),
    prerequisites: z.array(z.strictObject({ name: z.string(), requirement: z.strictObject({ succeededWithinDuration: z.string().regex(/^\d+[smh]$/) }).optional() })).optional(),
    refresh: z.boolean().optional(),
    destroyOnFinalize: z.boolean().optional(),
    resyncFrequencySeconds: z.number().int().min(60).optional(),
  }),
});

test("stacks manifests: one operator Stack per stack, schema-checked; tenant stacks wait for the shared one", () => {
  const io = memoryIo(dir);
  expect(manifestsCommand({ env: "prod", repo: "https://github.com/acme/infra.git", org: "acme" }, io)).toBe(0);
  const docs = parseAllDocuments(io.out.join("")).map((d) => OperatorStackSchema.parse(d.toJS()));
  expect(docs[0]?.spec.stack).toBe("acme/prod");
  expect(docs[0]?.spec.prerequisites).toBeUndefined();
  for (const doc of docs.slice(1)) {
    expect(doc.spec.prerequisites).toEqual([{ name: "tenantry-prod", requirement: { succeededWithinDuration: "1h" } }]);
    expect(doc.spec.config?.["tenantry:environmentStack"]).toBe("prod");
    expect(doc.spec.config?.["tenantry:stackLayout"]).toBe("per-tenant");
    expect(doc.spec.destroyOnFinalize).toBe(false);
  }
  expect(docs.length).toBeGreaterThan(2);
  expect(manifestsCommand({ env: "prod" }, memoryIo(dir))).toBe(2);
});

test("map refuses to print a partial map while a stack has no outputs", async () => {
  const io = memoryIo(dir);
  expect(await mapCommand({ env: "dev" }, io, { workspace: () => fakeWorkspace().ws })).toBe(1);
  expect(io.out.join("")).toBe("");
  expect(io.err.join("")).toContain("have no facts yet");
});

test("plan --layout per-tenant --json: stacks with their resources, the merged map as in the single layout", async () => {
  const single = memoryIo(dir);
  const perTenant = memoryIo(dir);
  expect(await planCommand({ env: "dev", json: true, layout: "single" }, single)).toBe(0);
  expect(await planCommand({ env: "dev", json: true, layout: "per-tenant" }, perTenant)).toBe(0);
  const a = PlanJson.parse(JSON.parse(single.out.join("")));
  const b = PlanJson.parse(JSON.parse(perTenant.out.join("")));
  expect(a.stacks).toBeUndefined();
  expect(b.stacks?.map((s) => [s.name, s.kind, s.tenants])).toEqual([
    ["dev", "shared", ["demo-free"]],
    ["dev-bridge-1", "bridge-shard", ["demo-business"]],
    ["dev-demo-enterprise", "silo", ["demo-enterprise"]],
  ]);
  expect(b.connectionMap).toEqual(a.connectionMap);
  expect(b.resources).toEqual(b.stacks?.flatMap((s) => s.resources));
  expect(await planCommand({ env: "dev", layout: "both" }, memoryIo(dir))).toBe(2);
});
