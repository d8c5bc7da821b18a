// Properties over random tenants' documents: a move copies exactly the moving tenant's documents and touches no other
// tenant's; the delete guard never lets a delete reach another tenant, whatever the filter.
import fc from "fast-check";
import type { Document } from "mongodb";
import { describe, expect, test } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { endpointClients } from "../../packages/mover/src/connect";
import { UnsafeDeleteError } from "../../packages/mover/src/errors";
import { guardedDeleteMany } from "../../packages/mover/src/guard";
import { canonicalEjson } from "../../packages/mover/src/hash";
import { Mover } from "../../packages/mover/src/move";
import { memoryConnector } from "../../packages/testing/src";

const TENANTS = ["acme", "beta", "gamma"];
const route = (collection: string, stage: "pool" | "bridge") => ({ stage, cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { orders: collection } });
const partition = (t: string) => ({ tenantField: "tenant_id" as const, tenantValue: t, userField: "user_id" as const });
const MAP: ConnectionMap = {
  version: 1,
  environment: "prop",
  clusters: { "shared:eu": { name: "eu", kind: "shared", srvHost: "eu.example.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "EU" } },
  credentials: { "shared:eu": { kind: "aws-secrets-manager", secretArn: "arn:x", region: "eu-central-1" } },
  collections: { orders: { scope: "tenant" } },
  tenants: Object.fromEntries(
    TENANTS.map((t) => [t, { ...route("orders", "pool"), status: "active" as const, residency: "EU", partition: partition(t), ...(t === "acme" ? { target: route("t_acme__orders", "bridge") } : {}) }]),
  ),
};
const ENDPOINT = { route: route("orders", "pool"), cluster: MAP.clusters["shared:eu"]!, credentialRef: MAP.credentials["shared:eu"]! };

const docsArb = fc.uniqueArray(
  fc.record({ _id: fc.string({ minLength: 1, maxLength: 6 }), tenant_id: fc.constantFrom(...TENANTS), v: fc.oneof(fc.integer(), fc.string(), fc.boolean()) }),
  { selector: (d) => d._id, maxLength: 60 },
);
const sorted = (docs: Document[]) => docs.map((d) => canonicalEjson(d)).sort();

describe("properties", () => {
  test("a move (any batch size) copies exactly acme's documents; a rollback restores everything", async () => {
    await fc.assert(
      fc.asyncProperty(docsArb, fc.integer({ min: 1, max: 25 }), async (docs, batchSize) => {
        const memory = memoryConnector();
        memory.seed("shared:eu", "app", "orders", docs);
        const clients = endpointClients(memory);
        const store = (await clients.connect(ENDPOINT)).db("tenantry").collection("overrides");
        const mover = new Mover({ map: MAP, connect: (e) => clients.connect(e), store, actor: "prop", batchSize, freezeBoundMs: 0, sleep: () => Promise.resolve() });
        await mover.start("acme", { cutover: true });
        expect(sorted(memory.raw("shared:eu", "app", "t_acme__orders"))).toEqual(sorted(docs.filter((d) => d.tenant_id === "acme")));
        expect(sorted(memory.raw("shared:eu", "app", "orders"))).toEqual(sorted(docs));
        await mover.rollback("acme");
        expect(memory.raw("shared:eu", "app", "t_acme__orders")).toEqual([]);
        expect(sorted(memory.raw("shared:eu", "app", "orders"))).toEqual(sorted(docs));
        await clients.close();
      }),
      { numRuns: 25 },
    );
  });

  test("whatever the filter, a guarded delete is refused or removes only the scope tenant's documents", async () => {
    const valueArb = fc.oneof(fc.constantFrom(...TENANTS), fc.constant({ $exists: true }), fc.constant({ $ne: "acme" }), fc.constant({ $in: TENANTS }), fc.constant(null));
    const filterArb = fc.record(
      { tenant_id: valueArb, _id: fc.oneof(fc.string({ maxLength: 3 }), fc.constant({ $exists: true })), $or: fc.constant([{ tenant_id: "beta" }, { v: { $exists: true } }]) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(docsArb, filterArb, async (docs, filter) => {
        const memory = memoryConnector();
        memory.seed("shared:eu", "app", "orders", docs);
        const coll = (await memory.connect({ clusterKey: "shared:eu", cluster: ENDPOINT.cluster, credentialKey: "shared:eu", credentialRef: ENDPOINT.credentialRef, credentials: undefined })).db("app").collection("orders");
        try {
          await guardedDeleteMany(coll, filter as Document, { tenantId: "acme", route: ENDPOINT.route, logical: "orders" });
        } catch (error) {
          expect(error).toBeInstanceOf(UnsafeDeleteError);
        }
        expect(sorted(memory.raw("shared:eu", "app", "orders").filter((d) => d.tenant_id !== "acme"))).toEqual(sorted(docs.filter((d) => d.tenant_id !== "acme")));
      }),
      { numRuns: 200 },
    );
  });
});
