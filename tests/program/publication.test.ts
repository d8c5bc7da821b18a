// The published map (format 2): shard assignment, every tenant in exactly one shard, the index + shards reassemble the map.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ADVANCED_TIER_MAX, fnv1a32, mapFromPublication, publishedIndex, publishedShards, shardCount, shardOf } from "../../packages/contract/src/connection-map/publication";
import { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import { makeMap, tenant } from "../plan/fixtures";

describe("shard assignment", () => {
  // Reference values of FNV-1a 32-bit (http://www.isthe.com/chongo/tech/comp/fnv/#FNV-source test vectors).
  test.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("fnv1a32(%j) = %i", (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });

  test.each([
    [0, 1],
    [1, 1],
    [8, 1],
    [9, 2],
    [10_550, 1319],
  ])("%i tenants → %i shards (≤ 10,000 parameters up to 79,000 tenants)", (tenants, shards) => {
    expect(shardCount(tenants)).toBe(shards);
  });

  test("property: every id has one shard in range, the same every time", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5000 }), (id, k) => {
        const n = shardOf(id, k);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThan(k);
        expect(shardOf(id, k)).toBe(n);
      }),
    );
  });
});

describe("index and shards of a real map", () => {
  // Pool tenants on the fixture's shared clusters, every 10th a silo tenant with its own cluster and credential.
  function map(tenants: number): ConnectionMap {
    const entries = Array.from({ length: tenants }, (_, i) => (i % 10 === 0 ? tenant(`t-${i}`, "silo", "silo:acme") : tenant(`t-${i}`, "pool", i % 2 ? "shared:app-eu" : "shared:app-us")));
    return ConnectionMap.parse(makeMap(entries));
  }

  test("every tenant sits in the shard shardOf names; index + shards reassemble the map exactly", () => {
    const m = map(500);
    const k = shardCount(500);
    const shards = publishedShards(m, k);
    expect(shards).toHaveLength(k);
    for (const s of shards) for (const id of Object.keys(s.tenants)) expect(shardOf(id, k)).toBe(s.shard);
    const reassembled = ConnectionMap.parse(mapFromPublication(publishedIndex(m, k), shards));
    expect(reassembled.tenants).toEqual(m.tenants);
    // Only clusters some tenant routes to are published; here every cluster is used.
    expect(Object.keys(reassembled.clusters).sort()).toEqual(Object.keys(m.clusters).filter((key) => Object.values(m.tenants).some((t) => t.cluster === key)).sort());
    // Every shard fits a parameter (Advanced at most; most are Standard) at 8 tenants per shard on average.
    expect(Math.max(...shards.map((s) => JSON.stringify(s).length))).toBeLessThanOrEqual(ADVANCED_TIER_MAX);
  });

  test("a missing shard is an error, not an empty shard", () => {
    const m = map(40);
    const k = shardCount(40);
    const shards = publishedShards(m, k).filter((s) => s.shard !== 2);
    expect(() => mapFromPublication(publishedIndex(m, k), shards)).toThrow("published map: shard 2 of 5 is missing");
  });
});
