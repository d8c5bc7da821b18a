// Where a move's state documents live: the map's control location (the one every resolver polls by default), or
// --control-cluster; never a per-zone guess. Memory backend only: the location logic does not depend on the server.
import { afterEach, describe, expect, test } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { controlLocation, NoControlLocationError, openSession, type Session } from "../../packages/mover/src/session";
import { createResolver, TenantFrozenError } from "../../packages/resolver/src";
import { memoryTestBackend } from "../support/backends";
import { writeMoveOverride } from "../support/control";
import { MOVING, SHARED, SILO, makeMap } from "./fixtures";

const freeze = { tenantId: MOVING, writes: "frozen", routeTo: "current", revision: 1 } as const;

describe("the mover's control location", () => {
  const backend = memoryTestBackend();
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await backend.close();
  });

  test("the session writes at the map's control location, where a resolver polling by default sees the freeze", async () => {
    const map = makeMap(backend, "pool", "bridge");
    session = await openSession({ map, tenantId: MOVING, connector: backend.connector });
    expect([session.store.dbName, session.store.collectionName]).toEqual(["tenantry", "overrides"]);
    expect([session.history.dbName, session.history.collectionName]).toEqual(["tenantry", "tenantry_moves"]);
    await writeMoveOverride(session.store, map, freeze);
    expect(backend.memory.raw(SHARED, "tenantry", "overrides").map((d) => d._id)).toEqual([MOVING]);

    const app = createResolver({ map, connector: backend.connector });
    await expect(app.forTenant({ tenantId: MOVING }).collection("orders").insertOne({})).rejects.toBeInstanceOf(TenantFrozenError);
    await app.forTenant({ tenantId: "beta" }).collection("orders").insertOne({});
    await app.close();
  });

  test("a map without a control location and no --control-cluster is refused, never guessed per zone", async () => {
    const { control: _dropped, ...map } = makeMap(backend, "pool", "bridge");
    expect(() => controlLocation(map)).toThrow(NoControlLocationError);
    await expect(openSession({ map, tenantId: MOVING, connector: backend.connector })).rejects.toThrow(
      "the connection map declares no control location (`control`): regenerate it with pulumi up (or tenantry plan --out), or pass --control-cluster <key> and give every resolver the same store",
    );
  });

  test.each<[string, (m: ConnectionMap) => ConnectionMap, string | undefined, ReturnType<typeof controlLocation> | string]>([
    ["the map's own", (m) => m, undefined, { cluster: SHARED, credential: SHARED, database: "tenantry", collection: "overrides" }],
    ["--control-cluster naming the map's cluster", (m) => m, SHARED, { cluster: SHARED, credential: SHARED, database: "tenantry", collection: "overrides" }],
    ["--control-cluster elsewhere: a route's credential there, the map's names", (m) => m, SILO, { cluster: SILO, credential: SILO, database: "tenantry", collection: "overrides" }],
    ["--control-cluster without a map location: the program's names", ({ control: _c, ...m }) => m, SILO, { cluster: SILO, credential: SILO, database: "tenantry", collection: "overrides" }],
    ["--control-cluster unknown", (m) => m, "shared:nowhere", "--control-cluster shared:nowhere is not a cluster of the connection map"],
  ])("%s", (_name, edit, flag, expected) => {
    const map = edit(makeMap(backend, "silo", undefined));
    if (typeof expected === "string") expect(() => controlLocation(map, flag)).toThrow(expected);
    else expect(controlLocation(map, flag)).toEqual(expected);
  });

  test("--control-cluster still overrides the map: overrides and journal go there", async () => {
    const map = makeMap(backend, "silo", undefined);
    session = await openSession({ map, tenantId: MOVING, connector: backend.connector, controlCluster: SILO });
    await writeMoveOverride(session.store, map, freeze);
    expect(backend.memory.raw(SILO, "tenantry", "overrides").map((d) => d._id)).toEqual([MOVING]);
    expect(backend.memory.raw(SHARED, "tenantry", "overrides")).toEqual([]);
  });
});
