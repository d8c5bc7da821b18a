// A bridge → bridge move between two shared clusters of one zone, on a map assembled from real placements: the target
// route carries the next generation's credential (`bridge:acme#g2`), and the registry after cut-over (stage, cluster and
// generation updated, `move:` removed) routes exactly where the target was.
// Memory backend only: on one real server (MONGODB_URI) both shared clusters are the same server, so the two bridge
// routes are one namespace and the mover refuses the move (asserted below with `singleServer`).
import { afterEach, describe, expect, test } from "vitest";
import { assembleConnectionMap } from "../../packages/core/src/connection-map/build";
import type { ConnectionMap, Route } from "../../packages/contract/src/connection-map/schema";
import { credentialKey, sharedClusterKey } from "../../packages/contract/src/naming";
import { placeTenants } from "../../packages/core/src/placement/place";
import { endpointClients } from "../../packages/mover/src/connect";
import { MoverError } from "../../packages/mover/src/errors";
import { Mover } from "../../packages/mover/src/move";
import { routeKeys } from "../../packages/pulumi/src/program/layout";
import { Registry, type RegistryInput } from "../../packages/core/src/registry/schema";
import { memoryTestBackend } from "../support/backends";
import { docsOf, snapshot } from "./fixtures";

const ctx = { prefix: "app", environment: "test" };
const LOGICAL = ["orders", "notes"] as const;

function registry(acme: NonNullable<RegistryInput["tenants"]>[number]): Registry {
  return Registry.parse({
    version: 1,
    environment: "test",
    collections: [{ name: "orders" }, { name: "notes", scope: "user" }],
    sharedClusters: [
      { name: "eu-1", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "std" },
      { name: "eu-2", residency: "eu", region: "EU_CENTRAL_1", instanceSize: "M30", backupPolicy: "std" },
    ],
    backupPolicies: { std: { daily: { keepDays: 7 } } },
    tenants: [acme, { id: "beta", name: "Beta", tier: "free", residency: "eu" }, { id: "gamma", name: "Gamma", tier: "business", residency: "eu" }],
  });
}

/** The map the program would export for a registry (hosts and ARNs are facts Pulumi would resolve). */
function mapOf(reg: Registry): ConnectionMap {
  const placements = placeTenants(reg);
  const credentials = new Set<string>();
  for (const p of placements) for (const loc of [p.current, p.target]) if (loc) credentials.add(routeKeys(p.tenantId, loc).credential);
  return assembleConnectionMap({
    ctx,
    collections: reg.collections,
    clusters: reg.sharedClusters.map((c) => ({
      key: sharedClusterKey(c.name), name: c.name, kind: "shared" as const, standardSrv: `mongodb+srv://${c.name}.ab12c.mongodb.net`, region: c.region, awsRegion: "eu-central-1", residency: c.residency,
    })),
    credentials: [...credentials].map((key) => ({ key, secretArn: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${key}-AbCdEf`, region: "eu-central-1" })),
    placements,
    keysOf: routeKeys,
    controlCluster: "eu-1",
  });
}

const MOVING = registry({ id: "acme", name: "Acme", tier: "business", residency: "eu", move: { stage: "bridge", sharedCluster: "eu-2" } });
const CUT_OVER = registry({ id: "acme", name: "Acme", tier: "business", residency: "eu", sharedCluster: "eu-2", generation: 2 });

describe("bridge → bridge between two shared clusters of one zone", () => {
  const backend = memoryTestBackend();
  const clients = endpointClients(backend.connector);
  afterEach(async () => {
    await clients.close();
    await backend.close();
  });

  test("the map: target on the other cluster with the next generation's credential; after cut-over the registry routes there", () => {
    const map = mapOf(MOVING);
    expect(map.tenants.acme).toMatchObject({
      cluster: "shared:eu-1", credential: "bridge:acme",
      target: { stage: "bridge", cluster: "shared:eu-2", credential: credentialKey.bridge("acme", 2), collections: { orders: "t_acme__orders", notes: "t_acme__notes" } },
    });
    const { status: _s, residency: _r, partition: _p, ...after } = mapOf(CUT_OVER).tenants.acme!;
    expect(after).toEqual(map.tenants.acme!.target);
  });

  test("copies, verifies, cuts over, finishes and cleans up; the other tenants are untouched", async () => {
    const map = mapOf(MOVING);
    const source = map.tenants.acme!;
    const target = source.target!;
    const seed = async (tenantId: string, r: Route) => {
      for (const logical of LOGICAL) await backend.seed(r.cluster, r.database, r.collections[logical]!, docsOf(tenantId, logical, 700));
    };
    await seed("acme", source);
    await seed("beta", map.tenants.beta!);
    await seed("gamma", map.tenants.gamma!);
    const all = async (r: Route, tenantId: string) => {
      const out: string[] = [];
      for (const logical of LOGICAL) out.push(...(await snapshot(backend, r.cluster, r.database, r.collections[logical]!, (d) => d.tenant_id === tenantId)));
      return out;
    };
    const before = await all(source, "acme");
    const others = [...(await all(map.tenants.beta!, "beta")), ...(await all(map.tenants.gamma!, "gamma"))];

    const control = map.control!;
    const controlClient = await clients.connect({ route: map.tenants.beta!, cluster: map.clusters[control.cluster]!, credentialRef: map.credentials[control.credential]! });
    const db = controlClient.db("tenantry");
    const clock = { now: new Date("2026-11-28T12:00:00Z") };
    const mover = (m: ConnectionMap, extra = {}) =>
      new Mover({
        map: m,
        connect: (e) => clients.connect(e),
        store: db.collection("overrides"),
        history: db.collection("tenantry_moves"),
        actor: "tester",
        owner: "tester-1",
        batchSize: 250,
        freezeBoundMs: 1_000,
        now: () => clock.now,
        sleep: (ms) => {
          clock.now = new Date(clock.now.getTime() + ms);
          return Promise.resolve();
        },
        ...extra,
      });

    await expect(mover(map, { singleServer: true }).start("acme")).rejects.toThrow(new MoverError("tenant [acme] notes: source and target are the same namespace; nothing to move"));
    expect((await mover(map).start("acme", { cutover: true })).state).toBe("cutover");
    expect(await all(target, "acme")).toEqual(before);
    expect((await mover(mapOf(CUT_OVER)).finish("acme")).state).toBe("finished");
    clock.now = new Date(clock.now.getTime() + 7 * 86_400_000 + 1);
    expect((await mover(mapOf(CUT_OVER)).cleanup("acme")).state).toBe("cleaned");
    expect(await all(source, "acme")).toEqual([]);
    expect(await all(target, "acme")).toEqual(before);
    expect([...(await all(map.tenants.beta!, "beta")), ...(await all(map.tenants.gamma!, "gamma"))]).toEqual(others);
  });
});
