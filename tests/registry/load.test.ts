// Loading: JSON input, file lookup, warnings that leave a registry usable, capacity limits, the committed JSON Schema.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { loadRegistryFile, parseRegistry, registryPathFor, RegistryNotFoundError } from "../../packages/core/src/registry/load";
import { registryJsonSchemaText } from "../../packages/core/src/registry/json-schema";
import { formatPath } from "../../packages/core/src/registry/positions";
import { formatProblem, RegistryInvalidError } from "../../packages/core/src/registry/problems";
import type { RegistryInput } from "../../packages/core/src/registry/schema";
import { BACKUP_POLICIES, CONTACTS, registryText, tenant as t } from "./fixture";

const root = join(__dirname, "..", "..");

function lines(text: string, file = "r.yaml"): string[] {
  try {
    return parseRegistry(text, file).warnings.map(formatProblem);
  } catch (error) {
    if (error instanceof RegistryInvalidError) return error.problems.map(formatProblem);
    throw error;
  }
}

describe("JSON registries", () => {
  const json = `{
  "version": 1,
  "environment": "test",
  "collections": [{ "name": "orders" }],
  "sharedClusters": [
    { "name": "us-1", "residency": "us", "region": "US_EAST_1", "instanceSize": "M30", "backupPolicy": "std" }
  ],
  "backupPolicies": { "std": { "daily": { "keepDays": 30 } } },
  "tenants": [
    { "id": "acme", "name": "Acme", "tier": "free", "residency": "us", "regoin": "US_EAST_1" }
  ]
}
`;
  test("problems carry JSON positions", () => {
    expect(lines(json, "r.json")).toEqual(["r.json:10:72  tenants[0].regoin  tenant [acme]: unknown field `regoin`; did you mean `region`?"]);
  });
  test("a valid JSON registry places its tenants", () => {
    const loaded = parseRegistry(json.replace(', "regoin": "US_EAST_1"', ""), "r.json");
    expect(loaded.placements.map((p) => p.current)).toEqual([{ stage: "pool", sharedCluster: "us-1" }]);
  });
  test("duplicate JSON keys are errors", () => {
    expect(lines('{ "version": 1, "version": 1 }', "r.json")).toEqual(["r.json:1:17  version  duplicate key `version`: each key may appear once in a mapping"]);
  });
});

test("prototype-style keys are refused wherever they appear, before the schema runs", () => {
  const text = "version: 1\nenvironment: dev\ncollections: [{ name: orders }]\nbackupPolicies:\n  __proto__: { daily: { keepDays: 1 } }\ntenants:\n  - { id: acme, name: A, tier: free, residency: us, constructor: 1 }\n";
  expect(lines(text)).toEqual([
    "r.yaml:5:3  backupPolicies.__proto__  key `__proto__` is not allowed anywhere in a registry (it would alter JavaScript object prototypes)",
    "r.yaml:7:53  tenants[0].constructor  key `constructor` is not allowed anywhere in a registry (it would alter JavaScript object prototypes)",
  ]);
  expect(({} as Record<string, unknown>).daily).toBeUndefined();
});

test.each([
  ["an unresolved alias", "version: 1\nenvironment: *env\n", ["r.yaml:2:14  (syntax)  Unresolved alias (the anchor must be set before the alias): env"]],
  [
    "an alias bomb",
    "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    ["r.yaml:2:8  (syntax)  Excessive alias count indicates a resource exhaustion attack"],
  ],
  ["two documents", "version: 1\n---\nversion: 1\n", ["r.yaml:2:1  (syntax)  a registry is a single YAML document; remove the `---` separator"]],
  [
    "an empty file",
    "",
    ["r.yaml:1:1  version  `version` is required: 1", "r.yaml:1:1  environment  `environment` is required (string)", "r.yaml:1:1  collections  `collections` is required (array)"],
  ],
])("%s is a problem line, not a crash", (_name, text, expected) => {
  expect(lines(text)).toEqual(expected);
});

describe("warnings leave the registry usable", () => {
  test.each([
    [
      "HIPAA tenant below its floor while moving to silo",
      t("id: care", "name: Care", "tier: free", "stage: bridge", "residency: us", "compliance: [HIPAA]", "move: { stage: silo, region: US_EAST_1, backupPolicy: hipaa }"),
      [
        "r.yaml:37:12  tenants[0].stage  warning: tenant [care] needs stage silo for HIPAA, registry says bridge; allowed while its declared move to silo is under way",
        "r.yaml:39:17  tenants[0].compliance  warning: tenant [care] has HIPAA, which needs yearly snapshots kept ≥ 6 years (45 CFR 164.316(b)(2)); backup policy [std] (the policy of its shared cluster) has no yearly item; allowed while its declared move is under way",
      ],
    ],
    [
      "explicit stage below the tier default",
      t("id: acme", "name: Acme", "tier: enterprise", "stage: bridge", "residency: us"),
      ["r.yaml:37:12  tenants[0].stage  warning: tenant [acme] pins stage bridge, below the default silo of tier enterprise"],
    ],
    [
      "the move target's policy misses a regime's retention",
      t("id: care", "name: Care", "tier: free", "stage: bridge", "residency: us", "compliance: [SOC2]", "move: { stage: silo, region: US_EAST_1, backupPolicy: thin }"),
      ["r.yaml:40:59  tenants[0].move.backupPolicy  tenant [care] has SOC2, which needs daily snapshots kept ≥ 30 days (AICPA TSC A1.2 (Tenantry default: 30 days)); backup policy [thin] (its move target's policy) keeps 7 days"],
    ],
  ])("%s", (_name, tenants, expected) => {
    const policies = `${BACKUP_POLICIES}  thin:\n    daily: { keepDays: 7 }\n`;
    expect(lines(registryText({ extra: CONTACTS, tenants, backupPolicies: policies }))).toEqual(expected);
  });

  test("the mid-migration tenant gets its target placement", () => {
    const loaded = parseRegistry(
      registryText({ extra: CONTACTS, tenants: t("id: care", "name: Care", "tier: free", "stage: bridge", "residency: us", "compliance: [HIPAA]", "move: { stage: silo, region: US_EAST_1, backupPolicy: hipaa }") }),
      "r.yaml",
    );
    expect(loaded.placements[0]?.current).toEqual({ stage: "bridge", sharedCluster: "us-1", generation: 1 });
    expect(loaded.placements[0]?.target).toEqual({
      stage: "silo",
      generation: 1,
      region: "US_EAST_1",
      instanceSize: "M10",
      backupPolicy: "hipaa",
      customerManagedKey: true,
      backupCompliancePolicy: true,
      government: false,
    });
  });
});

/** A registry object with `bridges` bridge tenants on one shared cluster of `size`, and `collections` collections of 3 indexes. */
function capacityRegistry(size: string, bridges: number, collections = 1): RegistryInput {
  return {
    version: 1,
    environment: "test",
    collections: Array.from({ length: collections }, (_, i) => ({ name: `c${i}`, indexes: ["a", "b", "c"].map((k) => ({ keys: { [k]: 1 as const } })) })),
    sharedClusters: [{ name: "us-1", residency: "us", region: "US_EAST_1", instanceSize: size, backupPolicy: "std" }],
    backupPolicies: { std: { daily: { keepDays: 7 } } },
    tenants: Array.from({ length: bridges }, (_, i) => ({ id: `t${i}`, name: `T${i}`, tier: "business" as const, residency: "us" as const })),
  };
}

describe("capacity", () => {
  // Each collection: itself + 3 indexes + _id = 5 objects per copy; the pool copy plus one copy per bridge tenant.
  test.each([
    ["M10 at 5,000 objects", "M10", 49, 20, []],
    [
      "M10 above 5,000 objects",
      "M10",
      50,
      20,
      ["r.yaml:168:19  sharedClusters[0].instanceSize  warning: shared cluster [us-1] holds 5,100 collections + indexes (pool copy + 50 bridge tenant(s), 100 each), above Atlas's recommended 5,000 for M10; size up or spread bridge tenants over more clusters"],
    ],
    ["M20 at 10,000 objects", "M20", 99, 20, []],
    ["FLEX at 500 collections", "FLEX", 24, 20, []],
    [
      "FLEX above 500 collections",
      "FLEX",
      25,
      20,
      ["r.yaml:168:19  sharedClusters[0].instanceSize  warning: shared cluster [us-1] holds 520 collections (pool copy + 25 bridge tenant(s), 20 each), above Atlas's limit of 500 for FLEX; size up or spread bridge tenants over more clusters"],
    ],
    ["100 users in a project", "M40", 99, 1, []],
    // Above the default the registry says nothing: the program raises the limit of the project it creates (one verdict,
    // src/registry/project-limits.ts; tests/program/layout.test.ts and the test below).
    ["120 users in a project", "M40", 119, 1, []],
    ["900 users in a project", "M40", 899, 1, []],
    [
      "901 users in a project",
      "M40",
      900,
      1,
      ["r.yaml:13:5  sharedClusters[0]  shared project of zone us holds 901 database users (1 shared cluster(s) + 900 bridge tenants), above Atlas's maximum of 900 per project (atlas.project.security.databaseAccess.users): move bridge tenants to silo or to a shared cluster in another project"],
    ],
  ] as const)("%s", (_name, size, bridges, collections, expected) => {
    expect(lines(stringify(capacityRegistry(size, bridges, collections)))).toEqual(expected);
  });
  test("a bridge → bridge move within the project counts a user and a role on each side", () => {
    const registry = capacityRegistry("M40", 450);
    registry.sharedClusters = [...registry.sharedClusters!, { name: "us-2", residency: "us", region: "US_EAST_1", instanceSize: "M40", backupPolicy: "std" }];
    registry.tenants = registry.tenants!.map((t) => ({ ...t, move: { stage: "bridge" as const, sharedCluster: "us-2" } }));
    expect(lines(stringify(registry))).toEqual([
      "r.yaml:13:5  sharedClusters[0]  shared project of zone us holds 902 database users (2 shared cluster(s) + 900 bridge placements of 450 tenants, moves within the project on both sides), above Atlas's maximum of 900 per project (atlas.project.security.databaseAccess.users): move bridge tenants to silo or to a shared cluster in another project",
    ]);
  });
});

describe("files", () => {
  test("registryPathFor prefers YAML and falls back to JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-"));
    expect(registryPathFor("dev", dir)).toBe(join(dir, "stacks", "dev.tenants.yaml"));
    const stacks = join(dir, "stacks");
    mkdirSync(stacks);
    writeFileSync(join(stacks, "dev.tenants.json"), "{}");
    expect(registryPathFor("dev", dir)).toBe(join(stacks, "dev.tenants.json"));
    writeFileSync(join(stacks, "dev.tenants.yaml"), "");
    expect(registryPathFor("dev", dir)).toBe(join(stacks, "dev.tenants.yaml"));
  });
  test("a missing file is a RegistryNotFoundError carrying the path", () => {
    const file = join(tmpdir(), "no-such-registry.yaml");
    expect(() => loadRegistryFile(file)).toThrow(RegistryNotFoundError);
    try {
      loadRegistryFile(file);
    } catch (error) {
      expect((error as RegistryNotFoundError).file).toBe(file);
    }
  });
  test.each(["dev", "staging", "prod"])("stacks/%s.tenants.yaml validates", (env) => {
    const loaded = loadRegistryFile(registryPathFor(env, root));
    expect(loaded.placements).toHaveLength(loaded.registry.tenants.length);
    const expectedWarnings = env === "prod" ? ["tenant [willow-payroll] needs stage bridge for SOC2, registry says pool; allowed while its declared move to bridge is under way"] : [];
    expect(loaded.warnings.map((w) => w.message)).toEqual(expectedWarnings);
  });
  test("the committed schema/registry.schema.json is up to date (regenerate: npx tenantry schema > schema/registry.schema.json)", () => {
    expect(readFileSync(join(root, "schema", "registry.schema.json"), "utf8")).toBe(registryJsonSchemaText());
  });
  test("example registries reference the JSON Schema", () => {
    for (const env of ["dev", "staging", "prod"]) {
      expect(readFileSync(join(root, "stacks", `${env}.tenants.yaml`), "utf8").split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/registry.schema.json");
    }
  });
});

test.each([
  [["tenants", 3, "region"], "tenants[3].region"],
  [["backupPolicies", "std", "copyTo", 0], "backupPolicies.std.copyTo[0]"],
  [["tenants", 0, "move"], "tenants[0].move"],
  [[], "(root)"],
] as const)("formatPath %j → %s", (path, expected) => {
  expect(formatPath(path)).toBe(expected);
});
