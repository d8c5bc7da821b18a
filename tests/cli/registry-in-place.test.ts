// Editing the registry in place: through symlinks, keeping mode and CRLF endings, refusing shared anchors, quoting
// ids YAML 1.1 reads as booleans.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { writeFileAtomic } from "../../packages/contract/src/atomic-write";
import { addTenantText, offboardTenant, onboardTenant, RegistryEditError, setTenantStatusText } from "../../packages/core/src/registry/edit";

const HEAD = "version: 1\nenvironment: dev\ncollections: [ { name: orders } ]\n";

describe("writeFileAtomic", () => {
  test("a symlink stays a link and its target is replaced; the target keeps mode 0640", () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-link-"));
    mkdirSync(join(dir, "real"));
    const target = join(dir, "real", "dev.tenants.yaml");
    writeFileSync(target, "old\n");
    chmodSync(target, 0o640);
    const link = join(dir, "dev.tenants.yaml");
    symlinkSync(target, link);
    writeFileAtomic(link, "new\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("new\n");
    expect(statSync(target).mode & 0o777).toBe(0o640);
  });
});

describe("registry text edits", () => {
  test.each(["yes", "no", "on", "off", "y", "n"])("onboarding id %j writes it quoted, so YAML 1.1 reads a string", (id) => {
    const edited = addTenantText(`${HEAD}tenants:\n  - id: a\n    tier: free\n`, { id, tier: "free", residency: "eu" });
    expect(edited).toContain(`  - id: "${id}"\n    name: "${id}"\n`);
  });

  test("an anchored status shared with another tenant is refused, nothing changed", () => {
    const text = `${HEAD}tenants:\n  - id: a\n    status: &st active\n  - id: b\n    status: *st\n`;
    expect(() => setTenantStatusText(text, "a", "offboarding")).toThrow(RegistryEditError);
    expect(() => setTenantStatusText(text, "b", "offboarding")).toThrow(RegistryEditError);
  });

  test("an anchored tenant entry merged into another is refused", () => {
    const text = `${HEAD}tenants:\n  - &base\n    id: a\n    tier: free\n  - <<: *base\n    id: b\n`;
    expect(() => setTenantStatusText(text, "a", "offboarding")).toThrow("YAML anchor or alias");
  });
});

describe("CRLF files keep CRLF", () => {
  test("onboard and offboard on a CRLF registry add only CRLF lines", () => {
    const dev = readFileSync(join(__dirname, "../../stacks/dev.tenants.yaml"), "utf8").replace(/\n/g, "\r\n");
    const on = onboardTenant(dev, "dev.tenants.yaml", { id: "crlf-co", tier: "free", residency: "us" }).text;
    expect(on.startsWith(dev.trimEnd())).toBe(true);
    expect(on.replace(/\r\n/g, "")).not.toContain("\n");
    const off = offboardTenant(on, "dev.tenants.yaml", "crlf-co").text;
    expect(off.replace(/\r\n/g, "")).not.toContain("\n");
    expect(off).toContain("status: offboarding\r\n");
  });
});
