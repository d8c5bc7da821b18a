// Registry text edits behind onboard / offboard: exact output text, every other byte kept, and a property over awkward names.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { addTenantText, RegistryEditError, setTenantStatusText, TenantExistsError, UnknownTenantError } from "../../packages/core/src/registry/edit";

const HEAD = `# registry head comment
version: 1
environment: dev   # spaced comment kept as written
collections: [ { name: orders } ]

`;

describe("addTenantText", () => {
  test.each<[string, string, string]>([
    [
      "block list, indented dashes, comments after the last item",
      `${HEAD}tenants:\n  # pool\n  - id: a\n    name: A\n    tier: free # why\n  # trailing comment stays after the new item\nother: 1\n`,
      `${HEAD}tenants:\n  # pool\n  - id: a\n    name: A\n    tier: free # why\n  - id: newco\n    name: New Co\n    tier: business\n    residency: eu\n    compliance: [SOC2, GDPR]\n  # trailing comment stays after the new item\nother: 1\n`,
    ],
    [
      "block list without indentation, last item a nested map",
      `${HEAD}tenants:\n- id: a\n  move:\n    stage: bridge\n`,
      `${HEAD}tenants:\n- id: a\n  move:\n    stage: bridge\n- id: newco\n  name: New Co\n  tier: business\n  residency: eu\n  compliance: [SOC2, GDPR]\n`,
    ],
    [
      "last item a flow map with a comment, no final newline",
      `${HEAD}tenants:\n  - { id: a, tier: free } # note`,
      `${HEAD}tenants:\n  - { id: a, tier: free } # note\n  - id: newco\n    name: New Co\n    tier: business\n    residency: eu\n    compliance: [SOC2, GDPR]\n`,
    ],
    [
      "empty flow list",
      `${HEAD}tenants: []\n`,
      `${HEAD}tenants:\n  - id: newco\n    name: New Co\n    tier: business\n    residency: eu\n    compliance: [SOC2, GDPR]\n`,
    ],
    [
      "no tenants key",
      HEAD,
      `${HEAD}tenants:\n  - id: newco\n    name: New Co\n    tier: business\n    residency: eu\n    compliance: [SOC2, GDPR]\n`,
    ],
  ])("%s", (_name, input, expected) => {
    expect(addTenantText(input, { id: "newco", name: "New Co", tier: "business", residency: "eu", compliance: ["SOC2", "GDPR"] })).toBe(expected);
  });

  test("an existing id is refused, also in another case", () => {
    const text = `${HEAD}tenants:\n  - { id: acme, tier: free }\n`;
    expect(() => addTenantText(text, { id: "acme", tier: "free", residency: "us" })).toThrow(TenantExistsError);
    expect(() => addTenantText(text.replace("acme", "ACME"), { id: "acme", tier: "free", residency: "us" })).toThrow(TenantExistsError);
  });

  test("JSON registries stay JSON", () => {
    const text = JSON.stringify({ version: 1, tenants: [{ id: "a" }] });
    expect(JSON.parse(addTenantText(text, { id: "b", tier: "free", residency: "us" }, "x.tenants.json"))).toEqual({
      version: 1,
      tenants: [{ id: "a" }, { id: "b", name: "b", tier: "free", residency: "us" }],
    });
  });

  test("a document that is not a mapping is refused", () => {
    expect(() => addTenantText("- 1\n", { id: "b", tier: "free", residency: "us" })).toThrow(RegistryEditError);
    expect(() => addTenantText("tenants: 3\n", { id: "b", tier: "free", residency: "us" })).toThrow(RegistryEditError);
  });

  test("property: any display name round-trips and the original text stays a prefix", () => {
    const original = `${HEAD}tenants:\n  - id: a # keep\n    name: "A: quoted"\n`;
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (name) => {
        const edited = addTenantText(original, { id: "newco", name, tier: "free", residency: "us" });
        expect(edited.startsWith(original)).toBe(true);
        const tenants = parseDocument(edited).toJS().tenants as { id: string; name: string }[];
        expect(tenants.at(-1)).toEqual({ id: "newco", name, tier: "free", residency: "us" });
      }),
    );
  });
});

describe("setTenantStatusText", () => {
  const text = `${HEAD}tenants:\n  - { id: flow, tier: free } # flow item\n  - { id: frozen, tier: free, status: frozen }\n  - id: block\n    tier: business # last pair comment\n\n  # next\n  - id: quoted\n    status: "active"\n`;
  const lines = text.split("\n");

  test.each([
    ["flow", 6, "  - { id: flow, tier: free, status: offboarding } # flow item"],
    ["frozen", 7, "  - { id: frozen, tier: free, status: offboarding }"],
    ["quoted", 13, "    status: offboarding"],
  ])("%s: one line changes", (id, index, line) => {
    const expected = [...lines];
    expected[index] = line;
    expect(setTenantStatusText(text, id, "offboarding")).toBe(expected.join("\n"));
  });

  test("block map without status: a line after its last pair, at its key column", () => {
    const expected = [...lines];
    expected.splice(10, 0, "    status: offboarding");
    expect(setTenantStatusText(text, "block", "offboarding")).toBe(expected.join("\n"));
  });

  test("an unknown id is refused", () => {
    expect(() => setTenantStatusText(text, "nobody", "offboarding")).toThrow(UnknownTenantError);
  });
});
