// Both ControlStores honour the same contract: overrides by tenant, copies out; the collection store reads the override
// out of move state documents (ignoring terminal moves and other kinds of documents) and names malformed ones.
import { describe, expect, test } from "vitest";
import type { ConnectTarget } from "../../packages/contract/src/backend/types";
import { InvalidOverrideError, collectionControlStore } from "../../packages/resolver/src/control/mongo-store";
import { memoryControlStore } from "../../packages/resolver/src/control/memory-store";
import { StaleOverrideRevisionError } from "../../packages/contract/src/control/types";
import type { TenantOverride } from "../../packages/contract/src/control/types";
import { backendCases } from "../support/backends";

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

describe("memoryControlStore", () => {
  test("write, read back, overwrite with an equal or higher revision, remove; a lower revision is refused", async () => {
    const store = memoryControlStore();
    await store.write(override("acme", 1));
    await store.write(override("acme", 1)); // retried write: idempotent
    await store.write(override("acme", 2, { routeTo: "target" }));
    const error = await store.write(override("acme", 1, { writes: "open" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleOverrideRevisionError);
    expect(error).toMatchObject({ tenantId: "acme", attempted: 1, current: 2 });
    const all = await store.readAll();
    expect(all.get("acme")).toEqual(override("acme", 2, { routeTo: "target" }));
    (all.get("acme") as TenantOverride).writes = "open";
    expect((await store.readAll()).get("acme")?.writes).toBe("frozen");
    await store.remove("acme");
    expect((await store.readAll()).size).toBe(0);
  });
});

const moveDoc = (tenantId: string, revision: number, route: unknown, state = "frozen") => ({
  _id: tenantId,
  kind: "move",
  tenantId,
  moveId: `${tenantId}@1`,
  state,
  revision,
  epoch: 1,
  updatedAt: "2026-11-28T00:00:00Z",
  route,
  routes: { source: "S", target: "T" },
  log: [{ step: "declare" }],
});

for (const b of backendCases) {
  describe.skipIf(b.skip)(`collectionControlStore on ${b.name}`, () => {
    test("one override per move state document with a route; none for terminal moves or other kinds", async () => {
      const backend = b.make();
      const db = backend.database("tenantry_control");
      await backend.seed("shared:control", db, "overrides", [
        moveDoc("acme", 4, { writes: "frozen", to: "source" }),
        moveDoc("beta", 7, { writes: "open", to: "target" }, "cutover"),
        moveDoc("gamma", 9, null, "rolled-back"),
        { _id: "audit:1", kind: "audit", actor: "x" },
      ]);
      const client = await backend.connector.connect(target);
      const all = await collectionControlStore(client.db(db).collection("overrides")).readAll();
      expect([...all.keys()].sort()).toEqual(["acme", "beta"]);
      expect(all.get("acme")).toEqual({ tenantId: "acme", writes: "frozen", routeTo: "current", moveId: "acme@1", revision: 4, updatedAt: "2026-11-28T00:00:00Z", routes: { source: "S", target: "T" } });
      expect(all.get("beta")).toMatchObject({ writes: "open", routeTo: "target", revision: 7 });
      await client.close();
      await backend.close();
    });
  });
}

describe("collectionControlStore", () => {
  test.each([
    [{ writes: "maybe", to: "source" }, "route.writes must be open or frozen"],
    [{ writes: "open", to: "elsewhere" }, "route.to must be source or target"],
  ])("a malformed state document is an InvalidOverrideError naming it (%j)", async (route, reason) => {
    const backend = backendCases[0]!.make();
    await backend.seed("shared:control", "ctl", "overrides", [moveDoc("acme", 1, route)]);
    const client = await backend.connector.connect(target);
    const error = await collectionControlStore(client.db("ctl").collection("overrides")).readAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOverrideError);
    expect(error).toMatchObject({ documentId: "acme", reason });
    await backend.close();
  });
});
