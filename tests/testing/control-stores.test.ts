// Both ControlStores honour the same contract: upsert by tenant, refuse a lower revision, copies out, remove.
import { describe, expect, test } from "vitest";
import { InvalidOverrideError, collectionControlStore } from "../../src/control/mongo-store";
import { memoryControlStore } from "../../src/control/memory-store";
import { StaleOverrideRevisionError } from "../../src/control/types";
import type { ControlStore, TenantOverride } from "../../src/control/types";
import { backendCases } from "../support/backends";
import type { TestBackend } from "../support/backends";
import type { ConnectTarget } from "../../src/backend/types";

function override(tenantId: string, revision: number, patch: Partial<TenantOverride> = {}): TenantOverride {
  return { tenantId, writes: "frozen", routeTo: "current", moveId: "m1", revision, updatedAt: "2026-11-28T00:00:00Z", ...patch };
}

const target: ConnectTarget = {
  clusterKey: "shared:control",
  credentialKey: "control",
  cluster: { name: "control", kind: "shared", srvHost: "c.example.net", region: "EU_WEST_1", awsRegion: "eu-west-1", residency: "eu" },
  credentialRef: { kind: "aws-secrets-manager", secretArn: "arn:x", region: "eu-west-1" },
  credentials: undefined,
};

type StoreCase = { name: string; skip: boolean; open: () => Promise<{ store: ControlStore; done: () => Promise<void>; backend?: TestBackend; db?: string }> };

const cases: StoreCase[] = [
  { name: "memoryControlStore", skip: false, open: () => Promise.resolve({ store: memoryControlStore(), done: () => Promise.resolve() }) },
  ...backendCases.map((b) => ({
    name: `collectionControlStore on ${b.name}`,
    skip: b.skip,
    open: async () => {
      const backend = b.make();
      const db = backend.database("tenantry_control");
      const client = await backend.connector.connect(target);
      const store = collectionControlStore(client.db(db).collection("overrides"));
      return { store, backend, db, done: async () => { await client.close(); await backend.close(); } };
    },
  })),
];

for (const c of cases) {
  describe.skipIf(c.skip)(c.name, () => {
    test("write, read back, overwrite with an equal or higher revision, remove", async () => {
      const { store, done } = await c.open();
      expect((await store.readAll()).size).toBe(0);
      await store.write(override("acme", 1));
      await store.write(override("acme", 1)); // retried write: idempotent
      await store.write(override("acme", 2, { routeTo: "target" }));
      await store.write(override("beta", 5, { writes: "open" }));
      const all = await store.readAll();
      expect(all.get("acme")).toEqual(override("acme", 2, { routeTo: "target" }));
      expect(all.get("beta")).toEqual(override("beta", 5, { writes: "open" }));
      await store.remove("acme");
      expect([...(await store.readAll()).keys()]).toEqual(["beta"]);
      await done();
    });

    test("a lower revision is refused with StaleOverrideRevisionError and changes nothing", async () => {
      const { store, done } = await c.open();
      await store.write(override("acme", 3));
      const error = await store.write(override("acme", 2, { writes: "open" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StaleOverrideRevisionError);
      expect(error).toMatchObject({ tenantId: "acme", attempted: 2, current: 3 });
      expect((await store.readAll()).get("acme")?.writes).toBe("frozen");
      await done();
    });

    test("what readAll returns is a copy", async () => {
      const { store, done } = await c.open();
      await store.write(override("acme", 1));
      const first = await store.readAll();
      (first.get("acme") as TenantOverride).writes = "open";
      expect((await store.readAll()).get("acme")?.writes).toBe("frozen");
      await done();
    });
  });
}

describe("collectionControlStore", () => {
  test("a malformed control document is an InvalidOverrideError naming it", async () => {
    const backend = backendCases[0]!.make();
    await backend.seed("shared:control", "ctl", "overrides", [{ _id: "acme", tenantId: "acme", writes: "maybe" }]);
    const client = await backend.connector.connect(target);
    const store = collectionControlStore(client.db("ctl").collection("overrides"));
    const error = await store.readAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOverrideError);
    expect(error).toMatchObject({ documentId: "acme", reason: "writes must be open or frozen" });
    await backend.close();
  });
});
