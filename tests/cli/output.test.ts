// Output and exit of every command: stdout complete through a slow pipe, --version, --out checked first, usage errors
// as one line and a hint, a missing registry file as exit 2 everywhere.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { writeFileAtomic } from "../../packages/contract/src/atomic-write";
import { memoryIo } from "../../packages/cli/src/io";
import { runCli } from "../../packages/cli/src/main";
import { planCommand } from "../../packages/cli/src/commands/plan";
import { syntheticInput } from "../../bench/program-fixture";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");
const main = join(root, "packages/cli/src/main.ts");

async function run(cwd: string, ...argv: string[]) {
  const io = memoryIo(cwd);
  const code = await runCli(argv, io);
  return { code, out: io.out.join(""), err: io.err.join("") };
}

/** A project whose `triggers --json` prints far more than a pipe buffer (64 KiB on Linux): 1,500 recommendations. */
function bigProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantry-pipe-"));
  mkdirSync(join(dir, "stacks"));
  const { registry } = syntheticInput(1500, 0, 0);
  writeFileSync(join(dir, "stacks", "bench.tenants.yaml"), stringify(registry));
  const tenants = Object.fromEntries(registry.tenants.map((t) => [t.id, { dataSizeGb: 20, requests: ["isolation"] }]));
  writeFileSync(join(dir, "metrics.yaml"), stringify({ version: 1, environment: "bench", tenants }));
  return dir;
}

/**
 * Runs the real bin entry with its stdout on an OS pipe whose reader sleeps before reading (as `| (sleep 4; cat)`):
 * the command finishes writing and asks to exit long before anything is read. Returns the command's own exit code.
 */
function slowRead(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const quoted = [tsx, main, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("bash", ["-c", `${quoted} | (sleep 4; cat); exit \${PIPESTATUS[0]}`], { cwd, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8", maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("stdout is complete whatever reads it", () => {
  test("triggers --json through a slow pipe: the whole document arrives, then the process exits 0", async () => {
    const dir = bigProject();
    const expected = await run(dir, "triggers", "--metrics", "metrics.yaml", "--json");
    expect(expected.code).toBe(0);
    expect(expected.out.length).toBeGreaterThan(4 * 65_536);
    const r = slowRead(dir, ["triggers", "--metrics", "metrics.yaml", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(expected.out.length);
    expect(r.stdout).toBe(expected.out);
  }, 120_000);
});

describe("tenantry --version and usage errors", () => {
  test("--version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(await run(root, "--version")).toEqual({ code: 0, out: `${pkg.version}\n`, err: "" });
  });

  test.each([
    [["plan", "--json", "--markdown"], "tenantry plan: give either --json or --markdown, not both\n(run `tenantry plan --help` for usage)\n"],
    [["plan", "--bogus"], "error: unknown option '--bogus'\n(run `tenantry <command> --help` for usage)\n"],
    [["onboard", "x"], "error: required option '--tier <tier>' not specified\n(run `tenantry <command> --help` for usage)\n"],
    [["nope"], "error: unknown command 'nope'\n(Did you mean move?)\n(run `tenantry <command> --help` for usage)\n"],
  ])("%j: one line and the --help hint, exit 2", async (args, err) => {
    expect(await run(root, ...args)).toEqual({ code: 2, out: "", err });
  });

  test.each([
    [["plan", "--registry", "nope.yaml"]],
    [["validate", "nope.yaml"]],
    [["onboard", "x", "--tier", "free", "--residency", "eu", "--registry", "nope.yaml"]],
    [["offboard", "x", "--registry", "nope.yaml"]],
    [["move", "status", "x", "--map", "nope.json", "--registry", "nope.yaml"]],
  ])("a missing registry file is exit 2: %j", async (args) => {
    const r = await run(root, ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.split("\n")[0]).toMatch(/^tenantry \w+: registry file not found: nope\.yaml$/);
  });
});

describe("plan --out", () => {
  test("a directory as --out is a usage error before anything is planned, and leaves no file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-out-"));
    mkdirSync(join(dir, "maps"));
    let planned = false;
    const io = memoryIo(root);
    const runner = () => {
      planned = true;
      throw new Error("must not plan");
    };
    expect(await planCommand({ env: "dev", out: join(dir, "maps") }, io, { runner })).toBe(2);
    expect(planned).toBe(false);
    expect(io.out).toEqual([]);
    expect(io.err.join("")).toBe(`tenantry plan: --out ${join(dir, "maps")} is a directory; give a file path such as map.json\n(run \`tenantry plan --help\` for usage)\n`);
    expect(await planCommand({ env: "dev", out: join(dir, "missing", "map.json") }, memoryIo(root), { runner })).toBe(2);
    expect(planned).toBe(false);
    expect(readdirSync(dir)).toEqual(["maps"]);
  });

  test("a failed atomic write removes its temp file (the temp file sits beside the target)", () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-atomic-"));
    mkdirSync(join(dir, "target"));
    writeFileSync(join(dir, "target", "keep"), "x");
    // Renaming a file onto a non-empty directory fails after the temp file was written.
    expect(() => writeFileAtomic(join(dir, "target"), "{}")).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
  });
});
