// Properties of the admin scope for every input: audit shapes never hold a value; fan-out results never hold a
// document of another tenant or an untagged one, whatever the filter (memory backend).
import fc from "fast-check";
import type { Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { shapeOf } from "../../packages/resolver/src/admin/shape";
import { memoryTestBackend } from "../support/backends";
import { ADMIN, makeWorld } from "./admin-fixtures";
import type { World } from "./admin-fixtures";

const MARK = "§";
const TYPE_NAMES = new Set(["string", "number", "boolean", "null", "undefined", "bigint", "…", "Date", "RegExp", "ObjectId"]);

/** Every leaf of a JSON value. */
function leaves(value: unknown, out: unknown[] = []): unknown[] {
  if (value !== null && typeof value === "object") for (const v of Object.values(value)) leaves(v, out);
  else out.push(value);
  return out;
}

const key = fc.oneof(fc.constantFrom("email", "n", "$gt", "$in", "$or", "a.b", "__proto__", "tenant_id"), fc.string({ maxLength: 6 }).filter((k) => !k.includes(MARK)));
const leaf = fc.oneof(fc.string({ maxLength: 8 }).map((s) => `${MARK}${s}`), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }));
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(key, tie("v"), { maxKeys: 4 })),
})).v;

describe("audit shapes", () => {
  test("for every filter, the recorded shape keeps no value: every leaf is a type name", () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (filter) => {
        const recorded = JSON.stringify(shapeOf(filter));
        expect(recorded).not.toContain(MARK);
        for (const l of leaves(JSON.parse(recorded))) expect(TYPE_NAMES.has(l as string)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("admin fan-out results", () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld(memoryTestBackend());
  });
  afterAll(async () => {
    await world.resolver.close();
    await world.backend.close();
  });

  const scalar = fc.constantFrom<unknown>("acme", "beta", "same@x", "u1", "", null, 1, 2);
  const filter: fc.Arbitrary<Document> = fc.letrec<{ f: Document }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small" },
      fc.constant({}),
      fc.tuple(fc.constantFrom("email", "n", "tenant_id", "user_id", "text"), scalar).map(([k, v]) => ({ [k]: v })),
      fc.tuple(fc.constantFrom("tenant_id", "user_id"), scalar).map(([k, v]) => ({ [k]: { $ne: v } })),
      fc.constantFrom<Document>({ tenant_id: { $exists: false } }, { $or: [{ tenant_id: "beta" }, { tenant_id: { $exists: false } }] }, { $where: "true" }),
      fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map(($or) => ({ $or })),
    ),
  })).f;

  test("for every filter, each tenant's group holds only documents tagged with that tenant", async () => {
    const admin = world.resolver.admin(ADMIN);
    await fc.assert(
      fc.asyncProperty(filter, fc.constantFrom("users", "notes"), async (f, collection) => {
        const result = await admin.acrossTenants().collection(collection).find(f);
        for (const t of result.tenants) {
          if (!t.ok) continue; // a refused filter ($where) fails every tenant: refused, never run
          for (const d of t.documents) expect(d.tenant_id).toBe(t.tenantId);
          const stored = (await world.raw(t.tenantId, collection)).filter((d) => d.tenant_id === t.tenantId).map((d) => String(d._id));
          for (const d of t.documents) expect(stored).toContain(String(d._id));
        }
      }),
      { numRuns: 40 },
    );
  });
});
