// Bridge shard assignment and stack names: stable under onboarding, capped, and parsed back from stack names.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { partOfStack, stackNameOf, UnknownStackError } from "../../packages/pulumi/src/program/stacks/names";
import { assignShards, readShardFile, renderShardFile, ShardFileError } from "../../packages/pulumi/src/program/stacks/shards";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ids = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { maxLength: 40 });

describe("assignShards", () => {
  test("adding tenants never moves another, and no shard exceeds the size", () => {
    fc.assert(
      fc.property(ids, ids, fc.integer({ min: 1, max: 7 }), (first, more, size) => {
        const before = assignShards(new Map(), first, size).shards;
        const after = assignShards(before, [...first, ...more.filter((m) => !first.includes(m))], size).shards;
        for (const [id, shard] of before) expect(after.get(id)).toBe(shard);
        const load = new Map<number, number>();
        for (const shard of after.values()) load.set(shard, (load.get(shard) ?? 0) + 1);
        for (const n of load.values()) expect(n).toBeLessThanOrEqual(size);
      }),
    );
  });

  test("removing tenants moves nobody; freed slots are filled first; a lowered size never rebalances", () => {
    const persisted = new Map([["a", 1], ["b", 1], ["c", 2], ["d", 2]]);
    expect(assignShards(persisted, ["a", "c", "d", "e"], 2)).toEqual({ shards: new Map([["a", 1], ["c", 2], ["d", 2], ["e", 1]]), added: ["e"], dropped: ["b"], overfull: [] });
    expect(assignShards(persisted, ["a", "b", "c", "d"], 1).overfull).toEqual([1, 2]);
  });

  test("the file round-trips; a bad one is a ShardFileError naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "tenantry-shards-"));
    const file = join(dir, "prod.shards.yaml");
    writeFileSync(file, renderShardFile(new Map([["zeta", 2], ["acme", 1]])));
    expect(readShardFile(file)).toEqual(new Map([["acme", 1], ["zeta", 2]]));
    expect(readShardFile(join(dir, "missing.yaml"))).toEqual(new Map());
    writeFileSync(file, "version: 1\nbridgeShards:\n  acme: 0\n");
    expect(() => readShardFile(file)).toThrow(ShardFileError);
    expect(() => readShardFile(file)).toThrow("bridgeShards.acme: shards count from 1");
  });
});

describe("stack names", () => {
  test.each([
    ["prod", { kind: "shared" }],
    ["prod-bridge-3", { kind: "bridge-shard", shard: 3 }],
    ["prod-acme", { kind: "silo", tenantId: "acme" }],
    ["prod-bridge-x", { kind: "silo", tenantId: "bridge-x" }],
  ] as const)("%s is %j and back", (stack, part) => {
    expect(partOfStack(stack, "prod")).toEqual(part);
    expect(stackNameOf("prod", part)).toBe(stack);
  });

  test.each(["staging", "prod-", "production"])("%s is not a stack of prod", (stack) => {
    expect(() => partOfStack(stack, "prod")).toThrow(UnknownStackError);
  });
});
