// The canonical content hash: type-sensitive, order-independent, duplicate-sensitive.
import { Decimal128, Double, Int32, Long, ObjectId } from "mongodb";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalEjson, contentHash, documentDigest, sameContent } from "../../packages/mover/src/hash";

describe("canonicalEjson", () => {
  test.each([
    ["Int32", { n: new Int32(1) }, '{"n":{"$numberInt":"1"}}'],
    ["Double", { n: new Double(1) }, '{"n":{"$numberDouble":"1.0"}}'],
    ["Long", { n: Long.fromNumber(1) }, '{"n":{"$numberLong":"1"}}'],
    ["Decimal128", { n: Decimal128.fromString("1") }, '{"n":{"$numberDecimal":"1"}}'],
    ["keys sorted recursively", { b: 1, a: { d: 2, c: [{ z: 1, y: 2 }] } }, '{"a":{"c":[{"y":{"$numberInt":"2"},"z":{"$numberInt":"1"}}],"d":{"$numberInt":"2"}},"b":{"$numberInt":"1"}}'],
    ["ObjectId and Date", { _id: new ObjectId("64b7f0000000000000000001"), at: new Date(0) }, '{"_id":{"$oid":"64b7f0000000000000000001"},"at":{"$date":{"$numberLong":"0"}}}'],
  ])("%s", (_name, doc, expected) => {
    expect(canonicalEjson(doc)).toBe(expected);
  });

  test("numeric types give different digests", () => {
    const digests = [new Int32(1), new Double(1), Long.fromNumber(1), Decimal128.fromString("1")].map((n) => documentDigest({ _id: 1, n }));
    expect(new Set(digests).size).toBe(4);
  });

  test("field order does not change the digest", () => {
    expect(documentDigest({ a: 1, b: { c: 1, d: 2 } })).toBe(documentDigest({ b: { d: 2, c: 1 }, a: 1 }));
  });

  test("array order does change the digest", () => {
    expect(documentDigest({ a: [1, 2] })).not.toBe(documentDigest({ a: [2, 1] }));
  });
});

describe("contentHash", () => {
  const docArb = fc.array(fc.record({ _id: fc.integer(), v: fc.string(), w: fc.oneof(fc.integer(), fc.double({ noNaN: true })) }), { maxLength: 30 });

  test("is independent of document order", () => {
    fc.assert(
      fc.property(docArb, fc.integer(), (docs, seed) => {
        const shuffled = [...docs].sort((a, b) => ((a._id ^ seed) % 7) - ((b._id ^ seed) % 7));
        expect(contentHash(shuffled)).toEqual(contentHash(docs));
      }),
    );
  });

  test("a duplicated document changes the hash (a sum, not a XOR that would cancel it)", () => {
    fc.assert(
      fc.property(docArb, fc.record({ _id: fc.integer(), v: fc.string() }), (docs, extra) => {
        const once = contentHash([...docs, extra]);
        const twice = contentHash([...docs, extra, extra]);
        expect(twice.count).toBe(once.count + 1);
        expect(twice.hash).not.toBe(once.hash);
        // Even two copies of the same pair, which XOR would cancel to the empty hash.
        expect(contentHash([extra, extra]).hash).not.toBe(contentHash([]).hash);
      }),
    );
  });

  test("one altered value changes the hash", () => {
    const docs = [{ _id: 1, v: "a" }, { _id: 2, v: "b" }];
    expect(sameContent(contentHash(docs), contentHash([{ _id: 1, v: "a" }, { _id: 2, v: "B" }]))).toBe(false);
  });

  test("empty set", () => {
    expect(contentHash([])).toEqual({ count: 0, hash: "0".repeat(64) });
  });
});
