// Builds every workspace package (tsc -b) and packs each one with its published manifest (`publishConfig` entries in
// place of the source entries the repository uses). Usage: node scripts/pack.mjs <out-dir>; prints the tarball paths.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const out = resolve(process.argv[2] ?? join(root, ".pack", "tarballs"));
const workspaces = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
execFileSync(join(root, "node_modules/.bin/tsc"), ["-b", join(root, "tsconfig.build.json")], { stdio: "inherit" });
mkdirSync(out, { recursive: true });
for (const dir of workspaces) {
  const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
  const { publishConfig = {}, ...published } = manifest;
  Object.assign(published, publishConfig);
  const stage = join(root, ".pack", "stage", dir);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of published.files ?? []) {
    if (existsSync(join(root, dir, entry))) cpSync(join(root, dir, entry), join(stage, entry), { recursive: true, filter: (src) => !src.endsWith(".tsbuildinfo") });
  }
  for (const doc of ["README.md", "LICENSE"]) {
    const from = existsSync(join(root, dir, doc)) ? join(root, dir, doc) : join(root, doc);
    if (existsSync(from) && doc === "LICENSE") cpSync(from, join(stage, doc));
    if (existsSync(join(root, dir, doc)) && doc === "README.md") cpSync(from, join(stage, doc));
  }
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: stage, encoding: "utf8" }).trim().split("\n").pop();
  process.stdout.write(`${join(out, name)}\n`);
}
void readdirSync;
