// The wire capture itself: the memory backend's reconstruction equals what the driver sends (with MONGODB_URI), and
// the isolation checks flag each rule they promise to flag.
import { ObjectId } from "bson";
import { describe, expect, test } from "vitest";
import { createResolver } from "../../packages/resolver/src";
import { testMap } from "../resolver/fixtures";
import { MONGODB_URI, memoryTestBackend, mongoTestBackend } from "./backends";
import type { TestBackend } from "./backends";
import { normalise, onTheWire, wireCapture } from "./wire";
import type { WireCommand } from "./wire";
import { wireViolations } from "./wire-checks";
import { serverFeature } from "./server";

const ID = new ObjectId("65a000000000000000000001");

/** One run of scoped operations covering every command shape the resolver sends. */
async function script(backend: TestBackend, withPipelineUpdate = true, withPartialIndex = true): Promise<WireCommand[]> {
  const resolver = createResolver({ map: testMap((b) => backend.database(b)), connector: backend.connector });
  const users = resolver.forTenant({ tenantId: "acme" }).collection("users");
  await users.insertOne({ _id: ID, email: "a@x", n: 1 });
  const wire = wireCapture(backend);
  await users.insertMany([{ _id: new ObjectId("65a000000000000000000002"), email: "b@x" }]);
  await users.find({ email: "a@x" }, { projection: { email: 1 } }).sort({ n: -1 }).limit(5).toArray();
  await users.findOne({ _id: ID });
  await users.updateOne({ email: "a@x" }, { $set: { n: 2 } });
  if (withPipelineUpdate) await users.updateMany({}, [{ $set: { m: 1 } }]);
  await users.updateOne({ email: "u@x" }, { $inc: { n: 1 } }, { upsert: true });
  await users.replaceOne({ _id: ID }, { email: "a@x", n: 3 });
  await users.countDocuments({ n: { $gte: 1 } });
  await users.distinct("email", { n: 3 });
  await users.aggregate([{ $match: { n: 3 } }, { $group: { _id: "$email", c: { $sum: 1 } } }]).toArray();
  await users.findOneAndUpdate({ _id: ID }, { $set: { n: 4 } }, { returnDocument: "after" });
  await users.findOneAndReplace({ _id: ID }, { email: "a@x", n: 5 });
  await users.bulkWrite([
    { insertOne: { document: { _id: new ObjectId("65a000000000000000000003"), email: "c@x" } } },
    { updateOne: { filter: { email: "c@x" }, update: { $set: { n: 6 } } } },
    { deleteOne: { filter: { email: "c@x" } } },
  ]);
  await users.findOneAndDelete({ email: "b@x" });
  await users.deleteMany({ email: "u@x" });
  // Pool indexes are partial indexes of the tenant: a server without partial indexes leaves this one out of both scripts.
  if (withPartialIndex) await users.createIndex({ email: 1 });
  wire.stop();
  await resolver.close();
  await backend.close();
  // The database differs per backend (a per-run suffix on the real server); client-level write concern is the
  // connector's setting, not the operation's; getMore belongs to the real cursor protocol only.
  return wire.commands().filter((c) => c.commandName !== "getMore").map((c) => {
    const { writeConcern: _wc, ...command } = c.command;
    return { ...c, database: "app", command };
  });
}

describe("wire capture on the memory backend", () => {
  test("serialises like the driver: functions dropped, undefined as null, Maps as documents, toBSON applied", () => {
    const wire = onTheWire({ a: undefined, f: () => 1, m: new Map([["k", 1]]), t: { toBSON: () => ({ replaced: true }) } });
    expect(wire).toEqual({ a: null, m: { k: 1 }, t: { replaced: true } });
  });

  test("every command of the script carries acme's condition and tag; the checks see violations when they exist", async () => {
    const commands = await script(memoryTestBackend());
    expect(commands.map((c) => c.commandName)).toEqual([
      "insert", "find", "find", "update", "update", "update", "update", "aggregate", "distinct", "aggregate",
      "findAndModify", "findAndModify", "insert", "update", "delete", "findAndModify", "delete", "createIndexes",
    ]);
    expect(wireViolations(commands, { tenant_id: "acme" })).toEqual([]);
    // Judged as another tenant, every command that touches documents is a violation.
    const foreign = wireViolations(commands, { tenant_id: "beta" });
    expect(foreign.length).toBeGreaterThanOrEqual(commands.length);
  });

  test.each([
    ["a filter without the condition", { commandName: "find", command: { find: "users", filter: { email: "a" } } }, /filters\[0\] lacks tenant_id = "acme"/],
    ["the condition only inside $or", { commandName: "find", command: { find: "users", filter: { $or: [{ tenant_id: "acme" }, { x: 1 }] } } }, /lacks tenant_id/],
    ["a pipeline not opening with it", { commandName: "aggregate", command: { aggregate: "users", pipeline: [{ $sort: { a: 1 } }, { $match: { tenant_id: "acme" } }] } }, /pipeline\[0\] does not pin/],
    ["an unscoped $lookup", { commandName: "aggregate", command: { aggregate: "users", pipeline: [{ $match: { tenant_id: "acme" } }, { $lookup: { from: "g", localField: "a", foreignField: "b", as: "x" } }] } }, /without a scoped pipeline/],
    ["a foreign inserted document", { commandName: "insert", command: { insert: "users", documents: [{ tenant_id: "beta" }] } }, /documents\[0\] has tenant_id = "beta"/],
    ["an untagged inserted document", { commandName: "insert", command: { insert: "users", documents: [{ a: 1 }] } }, /documents\[0\] has tenant_id = undefined/],
    ["$unset of the tag", { commandName: "update", command: { update: "users", updates: [{ q: { tenant_id: "acme" }, u: { $unset: { tenant_id: "" } } }] } }, /\$unset.tenant_id changes the tag/],
    ["an upsert without the tag", { commandName: "update", command: { update: "users", updates: [{ q: { tenant_id: "acme" }, u: { $set: { a: 1 } }, upsert: true }] } }, /upsert without tenant_id/],
    ["a pipeline update not re-tagging", { commandName: "update", command: { update: "users", updates: [{ q: { tenant_id: "acme" }, u: [{ $replaceWith: {} }] }] } }, /does not end by setting tenant_id/],
    ["$where", { commandName: "find", command: { find: "users", filter: { tenant_id: "acme", $where: "true" } } }, /\$where: server-side JavaScript/],
    ["a weak collation", { commandName: "find", command: { find: "users", filter: { tenant_id: "acme" }, collation: { locale: "en", strength: 1 } } }, /refused option sent: collation strength 1/],
    ["an index not prefixed", { commandName: "createIndexes", command: { createIndexes: "users", indexes: [{ key: { email: 1 }, name: "email_1" }] } }, /do not start with \["tenant_id"\]/],
  ])("flags %s", (_name, raw, problem) => {
    const cmd = normalise({ commandName: raw.commandName, databaseName: "app", command: raw.command, serializeFunctions: false });
    const found = wireViolations([cmd], { tenant_id: "acme" });
    expect(found.some((p) => problem.test(p)), found.join("\n")).toBe(true);
  });
});

describe.skipIf(!MONGODB_URI)("wire capture against real MongoDB (MONGODB_URI)", () => {
  test("the memory backend's reconstruction equals the commands the driver sends, field for field", async (ctx) => {
    // Without pipeline updates on the server, both scripts leave that one command out (checked on its own below).
    const pipelines = (await serverFeature(MONGODB_URI ?? "", "update-pipeline")).ok;
    if (!pipelines) await ctx.annotate("the server lacks pipeline updates: that command is left out of both scripts");
    const partial = (await serverFeature(MONGODB_URI ?? "", "partial-index")).ok;
    if (!partial) await ctx.annotate("the server lacks partial indexes (pool indexes are partial): createIndex is left out of both scripts");
    const [memory, real] = [await script(memoryTestBackend(), pipelines, partial), await script(mongoTestBackend(MONGODB_URI ?? ""), pipelines, partial)];
    expect(memory.map((c) => c.commandName)).toEqual(real.map((c) => c.commandName));
    memory.forEach((m, i) => expect(m, `command ${i} (${m.commandName})`).toEqual(real[i]));
  });

  test("pipeline updates on the server", async (ctx) => {
    const found = await serverFeature(MONGODB_URI ?? "", "update-pipeline");
    if (!found.ok) ctx.skip(found.reason);
    const [memory, real] = [await script(memoryTestBackend()), await script(mongoTestBackend(MONGODB_URI ?? ""))];
    expect(memory).toEqual(real);
  });
});
