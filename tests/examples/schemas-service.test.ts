// examples/schemas-service end to end over HTTP on the memory backend: a pool, a bridge and a silo tenant, two users
// each; every user sees only their own schemas and every stored document carries tenant_id and user_id.
// Does not prove: the real server (the resolver suites cover it with MONGODB_URI); a real JWT library.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { createResolver } from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import { schemasService, signToken } from "../../examples/schemas-service/server";
import { PAIRS, testMap } from "../resolver/fixtures";

const KEY = "test-signing-key";
const base = testMap();
const map: ConnectionMap = {
  ...base,
  collections: { ...base.collections, schemas: { scope: "user" } },
  tenants: Object.fromEntries(
    Object.entries(base.tenants).map(([id, t]) => [id, { ...t, collections: { ...t.collections, schemas: t.stage === "bridge" ? `t_${id}__schemas` : "schemas" } }]),
  ),
};
const connector = memoryConnector();
const resolver = createResolver({ map, connector });
const server = schemasService(resolver, KEY);
let url = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/schemas`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await resolver.close();
});

const call = (tenantId: string, userId: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { authorization: `Bearer ${signToken({ tenantId, userId }, KEY)}`, "content-type": "application/json" } });

const users = (["pool", "bridge", "silo"] as const).flatMap((stage) => [PAIRS[stage].a, PAIRS[stage].b].flatMap((tenantId) => ["u1", "u2"].map((userId) => ({ stage, tenantId, userId }))));

describe("schemas-service", () => {
  test("every user saves schemas, then reads exactly their own", async () => {
    for (const u of users) {
      for (const name of ["invoice", `${u.tenantId}-${u.userId}`]) {
        const r = await call(u.tenantId, u.userId, { method: "POST", body: JSON.stringify({ name, fields: [u.tenantId, u.userId] }) });
        expect(r.status).toBe(201);
      }
    }
    for (const u of users) {
      const docs = (await (await call(u.tenantId, u.userId)).json()) as { name: string; fields: string[] }[];
      expect(docs.map((d) => d.name).sort()).toEqual([`${u.tenantId}-${u.userId}`, "invoice"].sort());
      expect(docs.every((d) => d.fields[0] === u.tenantId && d.fields[1] === u.userId)).toBe(true);
    }
  });

  test.each(["pool", "bridge", "silo"] as const)("%s: stored documents carry tenant_id and user_id", async (stage) => {
    const tenantId = PAIRS[stage].a;
    const t = map.tenants[tenantId]!;
    const client = await connector.connect({ clusterKey: t.cluster, cluster: map.clusters[t.cluster]!, credentialKey: t.credential, credentialRef: map.credentials[t.credential]!, credentials: undefined });
    const raw = await client.db(t.database).collection(t.collections.schemas!).find({ tenant_id: tenantId }).toArray();
    expect(raw.map((d) => [d.tenant_id, d.user_id]).sort()).toEqual([[tenantId, "u1"], [tenantId, "u1"], [tenantId, "u2"], [tenantId, "u2"]]);
  });

  test.each([
    ["no token", {}, 401],
    ["a forged token", { authorization: `Bearer ${signToken({ tenantId: "acme", userId: "u1" }, "other-key")}` }, 401],
    ["a header naming a tenant instead of a token", { "x-tenant-id": "acme" }, 401],
  ])("%s → %s", async (_name, headers, status) => {
    expect((await fetch(url, { headers })).status).toBe(status);
  });

  test("a frozen tenant's write is 503 with Retry-After; an unknown tenant is 403", async () => {
    const frozen = await call("frosty", "u1", { method: "POST", body: JSON.stringify({ name: "x", fields: [] }) });
    expect([frozen.status, frozen.headers.get("retry-after")]).toEqual([503, "5"]);
    expect((await call("nobody", "u1")).status).toBe(403);
  });
});
