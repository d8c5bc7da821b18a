// No secret value in any output format of plan (text, markdown, json, --out), and the leak guard refuses to print one.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { memoryIo } from "../../packages/cli/src/io";
import { planCommand } from "../../packages/cli/src/commands/plan";
import { runOfflineDetailed } from "../../packages/pulumi/src/plan/engine";
import { findSecrets, renderJson, SecretLeakError } from "../../packages/pulumi/src/plan/json";
import { type OfflineRunner, planLoaded } from "../../packages/pulumi/src/plan/plan";
import { loadRegistryFile } from "../../packages/core/src/registry/load";
import { makeMap, tenant } from "./fixtures";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Every plain value wrapped as a Pulumi secret in the raw registrations. */
function secretValues(value: unknown, inSecret = false, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (inSecret) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) secretValues(v, inSecret, out);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const secret = inSecret || o[SIG] === SECRET_SIG;
    for (const [k, v] of Object.entries(o)) if (k !== SIG) secretValues(v, secret, out);
  }
  return out;
}

/** Runs the real engine and keeps what it generated, to search every output for it. */
function capturingRunner(seen: string[]): OfflineRunner {
  return async (loaded, settings) => {
    const detailed = await runOfflineDetailed(loaded, settings);
    seen.push(...detailed.generatedSecrets);
    // Wrapped secrets other than generated passwords (connection strings with credentials inside SecretVersions).
    for (const r of detailed.raw) seen.push(...secretValues(r.props).filter((v) => v.length >= 8));
    return detailed;
  };
}

describe("no secret in any output", () => {
  test.each(["dev", "staging", "prod"])("%s: text, markdown, json and --out", async (env) => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-secrets-"));
    const seen: string[] = [];
    const outputs: string[] = [];
    for (const format of [{}, { markdown: true }, { json: true }]) {
      const io = { ...memoryIo(join(__dirname, "../..")), env: {} };
      const out = join(dir, `${env}-${Object.keys(format).join("") || "text"}.map.json`);
      const code = await planCommand({ env, ...format, out }, io, { runner: capturingRunner(seen) });
      expect(io.err.join("")).not.toContain("refusing to print");
      expect(code).toBe(0);
      outputs.push(io.out.join(""), io.err.join(""), readFileSync(out, "utf8"));
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const text of outputs) {
      for (const secret of seen) expect(text.includes(secret), `generated secret found in output`).toBe(false);
      expect(text).not.toMatch(/[a-z+]+:\/\/[^\s/"]+:[^\s/"]+@/i);
      expect(text).not.toMatch(/"password"\s*:\s*"(?!\[secret\])/i);
    }
    // The JSON output still shows where secrets are: masked.
    expect(outputs[6]).toContain('"password": "[secret]"');
  });
});

describe("the leak guard", () => {
  test.each<[string, unknown, string[]]>([
    ["a masked secret", { inputs: { password: "[secret]" } }, []],
    ["a clear password", { inputs: { password: "hunter22" } }, ["inputs.password"]],
    ["a credential URI", { a: ["mongodb+srv://app:s3cr3t@x.mongodb.net"] }, ["a[0]"]],
    ["a URI without credentials", { a: "mongodb+srv://x.mongodb.net/?retryWrites=true" }, []],
    ["an embedded password", { secretString: '{"password":"[secret]"}', note: '{"username":"u","password":"p4ss"}' }, ["secretString", "note"]],
    ["an ARN", { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" }, []],
  ])("%s", (_name, value, paths) => {
    expect(findSecrets(value)).toEqual(paths);
  });

  test("property: a credential URI or a known password is found at any depth", () => {
    const password = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/);
    const user = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    const depth = fc.array(fc.constantFrom("inputs", "tags", "list", "spec"), { maxLength: 4 });
    fc.assert(
      fc.property(password, user, depth, fc.boolean(), (pw, u, path, srv) => {
        const uri = `mongodb${srv ? "+srv" : ""}://${u}:${pw}@c0.ab12c.mongodb.net/app`;
        const nest = (leaf: unknown) => path.reduceRight<unknown>((acc, key) => (key === "list" ? [acc] : { [key]: acc }), leaf);
        expect(findSecrets(nest({ connection: uri }))).toHaveLength(1);
        expect(findSecrets(nest({ note: `generated ${pw} here` }), [pw])).toHaveLength(1);
        expect(findSecrets(nest({ masked: "[secret]", host: "c0.ab12c.mongodb.net" }), [pw])).toEqual([]);
      }),
    );
  });

  test("a known generated value is found wherever it hides", () => {
    expect(findSecrets({ a: { b: "prefix-Zx81kPq0-suffix" } }, ["Zx81kPq0"])).toEqual(["a.b"]);
  });

  const leaking: OfflineRunner = (loaded) =>
    Promise.resolve({
      run: {
        environment: "dev",
        placements: [...loaded.placements],
        resources: [
          {
            type: "aws:secretsmanager/secretVersion:SecretVersion",
            name: "leak",
            tenant: null,
            inputs: { secretString: "mongodb+srv://app:pw123456@c.mongodb.net" },
            protect: false,
            retainOnDelete: false,
            component: false,
          },
        ],
        connectionMap: makeMap([tenant("demo-free", "pool", "shared:app-eu")]),
        warnings: [],
      },
    });

  test("renderJson throws SecretLeakError naming the path", async () => {
    const plan = await planLoaded(loadRegistryFile(join(__dirname, "../../stacks/dev.tenants.yaml")), { runner: leaking });
    expect(() => renderJson(plan)).toThrow(SecretLeakError);
    try {
      renderJson(plan);
    } catch (error) {
      expect((error as SecretLeakError).paths).toEqual(["resources[0].inputs.secretString"]);
    }
  });

  test("the CLI prints nothing and exits 1 when the guard trips", async () => {
    const io = memoryIo(join(__dirname, "../.."));
    const code = await planCommand({ env: "dev", json: true }, io, { runner: leaking });
    expect(code).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err.join("")).toContain("tenantry plan: refusing to print: 1 value(s) look like secrets (resources[0].inputs.secretString)");
    expect(io.err.join("")).not.toContain("pw123456");
  });
});
