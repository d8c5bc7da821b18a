// Map loaders: a `pulumi stack output --json` file, SSM Parameter Store as the program publishes it, and watchMap's
// re-reads (errors keep the last good map and reach onError). Does not prove: the real SSM API (a fake source stands in).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { publicationNames, publishedIndex, publishedShards, shardCount } from "../../packages/contract/src/connection-map/publication";
import { createResolver, loadMapFile, loadMapFromSsm, MapSourceError, type ParameterSource, ssmMapLoader, watchMap } from "../../packages/resolver/src";
import { memoryConnector } from "../../packages/testing/src";
import { tenantEntry, testMap } from "./fixtures";

const PATH = "/tenantry/app/test/map";
const CONTROL = { cluster: "shared:eu", credential: "shared:eu", database: "tenantry", collection: "overrides" };

/** Parameter Store holding exactly what MapPublication writes for `map`. */
function published(map: ConnectionMap, path = PATH): Map<string, string> {
  const shards = shardCount(Object.keys(map.tenants).length);
  const params = new Map([[publicationNames.index(path), JSON.stringify(publishedIndex(map, shards))]]);
  for (const shard of publishedShards(map, shards)) params.set(publicationNames.shard(path, shard.shard), JSON.stringify(shard));
  return params;
}

function fakeSource(params: Map<string, string>): ParameterSource & { reads: number } {
  const source = {
    reads: 0,
    get: (name: string) => {
      source.reads++;
      return Promise.resolve(params.get(name));
    },
    list: (path: string) => Promise.resolve([...params].filter(([n]) => n.startsWith(`${path}/`)).map(([name, value]) => ({ name, value }))),
  };
  return source;
}

const dir = mkdtempSync(join(tmpdir(), "tenantry-maps-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("loadMapFile", () => {
  const map = testMap();
  test.each([
    ["pulumi stack output --json", { connectionMap: map, other: "output" }],
    ["pulumi stack output connectionMap --json (the map itself)", map],
    ["tenantry plan --json", { connectionMap: map, changes: [] }],
  ])("%s", async (_name, document) => {
    expect(await loadMapFile(file("ok.json", JSON.stringify(document)))).toEqual(map);
  });

  test.each([
    ["missing file", join(dir, "nope.json"), "file not found"],
    ["not JSON", file("bad.json", "{ nope"), "not JSON ("],
    ["not a map", file("wrong.json", JSON.stringify({ connectionMap: { version: 2 } })), "not a valid connection map: "],
  ])("%s → MapSourceError naming the file", async (_name, path, reason) => {
    const error = await loadMapFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MapSourceError);
    expect((error as MapSourceError).source).toBe(path);
    expect((error as MapSourceError).reason.startsWith(reason)).toBe(true);
  });
});

describe("loadMapFromSsm", () => {
  test("reassembles what the program publishes, for every subset of tenants, with and without a control location", async () => {
    const full = testMap();
    const ids = Object.keys(full.tenants);
    await fc.assert(
      fc.asyncProperty(fc.subarray(ids, { minLength: 0 }), fc.boolean(), async (keep, withControl) => {
        const tenants = Object.fromEntries(keep.map((id) => [id, full.tenants[id]!]));
        const clusters = new Set(Object.values(tenants).map((t) => t.cluster));
        const credentials = new Set(Object.values(tenants).map((t) => t.credential));
                if (withControl) {
          clusters.add(CONTROL.cluster);
          credentials.add(CONTROL.credential);
        }
        const map: ConnectionMap = {
          ...full,
          tenants,
          clusters: Object.fromEntries(Object.entries(full.clusters).filter(([k]) => clusters.has(k))),
          credentials: Object.fromEntries(Object.entries(full.credentials).filter(([k]) => credentials.has(k))),
          ...(withControl && { control: CONTROL }),
        };
        expect(await loadMapFromSsm({ path: PATH, source: fakeSource(published(map)) })).toEqual(map);
      }),
      { numRuns: 40 },
    );
  });

  test("a trailing slash in the path is the same path", async () => {
    const map = testMap();
    expect(await loadMapFromSsm({ path: `${PATH}/`, source: fakeSource(published(map)) })).toEqual(map);
  });

  test.each([
    ["no index parameter", (p: Map<string, string>) => p.delete(`${PATH}/index`), `${PATH}/index`, "parameter not found (is publishToSsm on for this stack?)"],
    [
      "a shard of another deployment (half-published)",
      (p: Map<string, string>) => p.set(`${PATH}/shards/0`, JSON.stringify({ ...JSON.parse(p.get(`${PATH}/shards/0`)!), version: 2 })),
      `${PATH}/shards/0`,
      "shard 0 (version 2, environment test) does not match the index (version 1, environment test)",
    ],
    ["a value that is not JSON", (p: Map<string, string>) => p.set(`${PATH}/shards/0`, "{"), `${PATH}/shards/0`, "not a JSON object"],
    ["a missing shard", (p: Map<string, string>) => p.delete(`${PATH}/shards/0`), PATH, "published map: shard 0 of 1 is missing"],
    [
      "a tenant referencing a cluster no parameter carries",
      (p: Map<string, string>) => p.set(`${PATH}/shards/0`, JSON.stringify({ ...JSON.parse(p.get(`${PATH}/shards/0`)!), clusters: {} })),
      PATH,
      "not a valid connection map: ",
    ],
  ])("%s → MapSourceError", async (_name, damage, source, reason) => {
    const params = published(testMap());
    damage(params);
    const error = await loadMapFromSsm({ path: PATH, source: fakeSource(params) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MapSourceError);
    expect((error as MapSourceError).source).toBe(source);
    expect((error as MapSourceError).reason.startsWith(reason)).toBe(true);
  });

  test("ssmMapLoader re-reads on every call", async () => {
    const source = fakeSource(published(testMap()));
    const load = ssmMapLoader({ path: PATH, source });
    await load();
    await load();
    expect(source.reads).toBe(2);
  });
});

describe("watchMap", () => {
  const base = testMap();
  const withNewcomer: ConnectionMap = { ...base, tenants: { ...base.tenants, newcomer: tenantEntry("newcomer", "pool", "app") } };

  test("swaps in a changed map, skips an unchanged one, keeps the last good map on errors and reports them", async () => {
    const resolver = createResolver({ map: base, connector: memoryConnector() });
    const results: (ConnectionMap | Error)[] = [withNewcomer, withNewcomer, new MapSourceError("x", "file not found"), { ...base, version: 9 } as never];
    const load = vi.fn(() => {
      const next = results.shift()!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    });
    const errors: unknown[] = [];
    const reloads: ConnectionMap[] = [];
    const watch = watchMap(resolver, load, { intervalMs: 3_600_000, onError: (e) => errors.push(e), onReload: (m) => reloads.push(m) });
    try {
      expect(() => resolver.forTenant({ tenantId: "newcomer" })).toThrow();
      expect(await watch.refresh()).toBe(true);
      await resolver.forTenant({ tenantId: "newcomer" }).collection("users").insertOne({ name: "n" });
      expect(await watch.refresh()).toBe(false); // unchanged
      expect(await watch.refresh()).toBe(false); // read failed
      expect(await watch.refresh()).toBe(false); // invalid map refused by reload
      expect(reloads).toEqual([withNewcomer]);
      expect(errors.map((e) => (e as Error).name)).toEqual(["MapSourceError", "InvalidConnectionMapError"]);
      // Still the last good map.
      expect(await resolver.forTenant({ tenantId: "newcomer" }).collection("users").countDocuments({})).toBe(1);
    } finally {
      watch.stop();
      await resolver.close();
    }
  });

  test("reads on the interval, one read at a time, until stopped", async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const load = () => {
      calls++;
      return new Promise<ConnectionMap>((resolve) => (release = () => resolve(base)));
    };
    const resolver = { reload: vi.fn() };
    const watch = watchMap(resolver, load, { intervalMs: 5, onError: (e) => expect.fail(String(e)) });
    await vi.waitFor(() => expect(calls).toBe(1));
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1); // the first read is still in progress
    release();
    await vi.waitFor(() => expect(resolver.reload).toHaveBeenCalledTimes(1));
    watch.stop();
    const after = calls;
    release();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(after);
  });

  test.each([0, -1, Number.NaN])("intervalMs %s is refused", (intervalMs) => {
    expect(() => watchMap({ reload: () => undefined }, () => Promise.resolve(base), { intervalMs, onError: () => undefined })).toThrow(RangeError);
  });
});
