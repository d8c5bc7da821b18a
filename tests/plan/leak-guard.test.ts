// The leak guard over every rendering: each credential class, in a tenant's name or any string field, stops text,
// markdown, JSON and the --out map; secretlint's recommended preset and Tenantry's own patterns together.
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { runOfflineDetailed } from "../../packages/pulumi/src/plan/engine";
import { SecretLeakError } from "../../packages/pulumi/src/plan/errors";
import { findSecretsDeep, ownPatternHits } from "../../packages/pulumi/src/plan/leak-guard";
import type { Plan } from "../../packages/pulumi/src/plan/model";
import { renderMapFile, renderPlan } from "../../packages/pulumi/src/plan/render";
import { loadRegistryFile } from "../../packages/core/src/registry/load";

const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));

/** One generator per credential class the issue names. */
const CLASSES: Record<string, fc.Arbitrary<string>> = {
  "URI without a user": fc.tuple(fc.constantFrom("mongodb", "mongodb+srv", "postgres", "amqp"), alnum(6, 20)).map(([s, pw]) => `${s}://:${pw}@db.example.com/app`),
  "URI with / in the password": fc.tuple(alnum(3, 10), alnum(3, 10), alnum(3, 10)).map(([u, a, b]) => `mongodb://${u}:${a}/${b}@c0.example.net/app`),
  "redis URI": alnum(6, 20).map((pw) => `redis://:${pw}@cache.internal:6379/0`),
  "AWS key pair": fc.tuple(upper(16), fc.stringMatching(/^[A-Za-z0-9/+]{40}$/)).map(([id, secret]) => `aws_access_key_id=AKIA${id} aws_secret_access_key=${secret}`),
  "PEM private key": fc.constantFrom("RSA ", "EC ", "", "OPENSSH ").map((kind) => `-----BEGIN ${kind}PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END ${kind}PRIVATE KEY-----`),
  "Password=…; string": alnum(6, 20).map((pw) => `Server=tcp:db.example.com;Database=app;User ID=sa;Password=${pw};`),
  "bearer token": alnum(20, 40).map((t) => `Authorization: Bearer ${t}`),
  "basic-auth URI": fc.tuple(alnum(3, 10), alnum(6, 20)).map(([u, p]) => `https://${u}:${p}@api.example.com/v1`),
};

let base: Plan;
beforeAll(async () => {
  const loaded = loadRegistryFile(join(__dirname, "../../stacks/dev.tenants.yaml"));
  const { run, generatedSecrets } = await runOfflineDetailed(loaded, {});
  base = { run, changes: [], compared: false, registry: loaded.registry, knownSecrets: generatedSecrets };
}, 60_000);

/** The plan with `secret` planted in one place: a tenant's display name, a resource's string input, a map field. */
function planted(plan: Plan, where: "name" | "input" | "map", secret: string): Plan {
  const run = structuredClone(plan.run);
  if (where === "name") {
    const p = run.placements[0]!;
    run.placements[0] = { ...p, name: secret };
  } else if (where === "input") {
    const r = run.resources.find((x) => !x.component)!;
    r.inputs = { ...r.inputs, description: secret };
  } else {
    const id = Object.keys(run.connectionMap.tenants)[0]!;
    run.connectionMap.tenants[id] = { ...run.connectionMap.tenants[id]!, database: secret };
  }
  return { ...plan, run };
}

describe("every credential class is refused in every rendering", () => {
  test.each(Object.keys(CLASSES))("property: %s", async (name) => {
    await fc.assert(
      fc.asyncProperty(CLASSES[name]!, fc.constantFrom<"name" | "input" | "map">("name", "input", "map"), async (secret, where) => {
        const plan = planted(base, where, secret);
        // JSON carries every field: it must refuse. The others must refuse or not show the value at all.
        await expect(renderPlan(plan, "json")).rejects.toBeInstanceOf(SecretLeakError);
        if (where === "map") await expect(renderMapFile(plan)).rejects.toBeInstanceOf(SecretLeakError);
        for (const format of ["text", "markdown"] as const) {
          const out = await renderPlan(plan, format).catch((error: unknown) => {
            expect(error).toBeInstanceOf(SecretLeakError);
            return "";
          });
          expect(out.includes(secret.split("\n")[0]!)).toBe(false);
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  test("the untouched dev plan renders in every format", async () => {
    for (const f of ["text", "markdown", "json"] as const) await expect(renderPlan(base, f)).resolves.toContain("demo-free");
    await expect(renderMapFile(base)).resolves.toContain("demo-free");
  });
});

describe("which patterns come from where", () => {
  test.each([
    ["mongodb+srv://c0.ab12c.mongodb.net/?retryWrites=true", []],
    ["arn:aws:secretsmanager:us-east-1:123456789012:secret:tenantry/app/dev/tenants/x-AbCdEf", []],
    ["https://cloud.mongodb.com/v2/5f1234#/clusters", []],
    ["password policy: rotate every 90 days", []],
    ["redis://:pw123456@cache:6379", ["credential URI"]],
    ["Password=abc123;", ["connection-string password"]],
  ])("own patterns on %j", (text, hits) => {
    expect(ownPatternHits(text)).toEqual(hits);
  });

  test("secretlint's preset flags what it knows (a labelled AWS secret key) with no help from our patterns", async () => {
    const labelled = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz";
    expect(ownPatternHits(labelled)).toEqual([]);
    expect(await findSecretsDeep({ note: labelled, other: "fine" })).toEqual(["note"]);
  });
});
