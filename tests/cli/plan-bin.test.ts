// The README's first command as a child process: `npx tsx src/cli/main.ts plan --env dev` on the repository, no config, no network.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";

test("tenantry plan --env dev exits 0 and lists the example tenants", () => {
  const root = join(__dirname, "../..");
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  // No Pulumi access token, no AWS profile: the plan must not need them.
  for (const key of ["PULUMI_ACCESS_TOKEN", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) delete env[key];
  const r = spawnSync("npx", ["tsx", "packages/cli/src/main.ts", "plan", "--env", "dev"], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("Tenantry plan — environment dev");
  for (const id of ["demo-free", "demo-business", "demo-enterprise"]) expect(r.stdout).toContain(id);
}, 120_000);
