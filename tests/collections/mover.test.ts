// The mover applies the registry's collections to a move's target before the copy (the same rule and library as
// `tenantry collections apply`), on the memory backend and, with MONGODB_URI, the real server.
import { afterEach, describe, expect, test } from "vitest";
import type { CollectionDeclarations } from "../../packages/core/src/collections";
import { backendCases } from "../support/backends";
import { type Harness, LOGICAL, MOVING, OTHERS, harness, route } from "../mover/fixtures";

const DECLARED: CollectionDeclarations = {
  collections: [
    { name: "events", scope: "tenant", indexes: [] },
    { name: "notes", scope: "user", indexes: [{ keys: { seq: 1 }, unique: true }] },
    { name: "orders", scope: "tenant", indexes: [{ keys: { seq: 1 }, unique: true }, { keys: { at: -1 } }] },
  ],
  retention: {},
};

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(`mover target preparation on the ${backendCase.name}`, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    test("pool → bridge: the target holds the declared tag-prefixed indexes before the copy, and the journal names them", async () => {
      const backend = backendCase.make();
      // Plain documents (strings and numbers only): the suite is about indexes, and every server stores these.
      const source = route(backend, "pool");
      for (const tenant of [MOVING, ...OTHERS]) {
        for (const logical of LOGICAL) {
          const docs = Array.from({ length: 5 }, (_, i) => ({ _id: `${tenant}-${logical}-${i}`, tenant_id: tenant, user_id: `u${i % 2}`, seq: i, at: i }));
          await backend.seed(source.cluster, source.database, source.collections[logical]!, docs);
        }
      }
      h = await harness(backend, "pool", "bridge");
      const record = await h.mover({ collections: DECLARED }).start(MOVING, { cutover: true });
      expect(record.state).toBe("cutover");
      const target = route(backend, "bridge");
      const client = await h.clients.connect({ route: target, cluster: h.map.clusters[target.cluster]!, credentialRef: h.map.credentials[target.credential]! });
      const names = async (logical: string) => (await client.db(target.database).collection(target.collections[logical]!).listIndexes().toArray()).map((i) => i.name as string).sort();
      expect(await names("orders")).toEqual(["_id_", "tenant_id_1_at_-1", "tenant_id_1_seq_1"]);
      expect(await names("notes")).toEqual(["_id_", "tenant_id_1_user_id_1_seq_1"]);
      const { entries } = await h.mover().status(MOVING);
      expect(entries.find((e) => e.step === "indexes")?.detail).toEqual({ indexes: { events: [], notes: ["tenant_id_1_user_id_1_seq_1"], orders: ["tenant_id_1_seq_1", "tenant_id_1_at_-1"] } });
    });
  });
}
