// Mover throughput on the memory backend: copy and verify documents/second at several batch sizes, and the mover's
// share of the copy (its time vs a bare find + bulkWrite loop on the same backend).
import { performance } from "node:perf_hooks";
import type { Document } from "mongodb";
import type { ConnectionMap } from "../packages/contract/src/connection-map/schema";
import { endpointClients } from "../packages/mover/src/connect";
import { contentHash } from "../packages/mover/src/hash";
import { Mover } from "../packages/mover/src/move";
import { upserts } from "../packages/mover/src/transfer";
import { memoryConnector } from "../packages/testing/src";
import type { BenchResult } from "./types";

const N = 10_000;
const OTHERS = 10_000;
const BATCHES = [100, 1000, 5000];

function docs(tenant: string, n: number): Document[] {
  return Array.from({ length: n }, (_, i) => ({
    _id: `${tenant}-${String(i).padStart(8, "0")}`,
    tenant_id: tenant,
    user_id: `u${i % 13}`,
    n: i,
    price: i + 0.25,
    at: new Date(1_700_000_000_000 + i * 1000),
    tags: ["a", "b", String(i % 5)],
    nested: { x: i % 3, y: "lorem ipsum dolor sit amet" },
  }));
}

function map(): ConnectionMap {
  const route = (collection: string) => ({ stage: "pool" as const, cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { orders: collection } });
  const partition = (t: string) => ({ tenantField: "tenant_id" as const, tenantValue: t, userField: "user_id" as const });
  return {
    version: 1,
    environment: "bench",
    clusters: { "shared:eu": { name: "eu", kind: "shared", srvHost: "eu.example.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "EU" } },
    credentials: { "shared:eu": { kind: "aws-secrets-manager", secretArn: "arn:x", region: "eu-central-1" } },
    collections: { orders: { scope: "tenant" } },
    tenants: {
      acme: { ...route("orders"), status: "active", residency: "EU", partition: partition("acme"), target: { ...route("t_acme__orders"), stage: "bridge" } },
    },
  };
}

function fresh(): ReturnType<typeof memoryConnector> {
  const memory = memoryConnector();
  memory.seed("shared:eu", "app", "orders", [...docs("acme", N), ...docs("other", OTHERS)]);
  return memory;
}

/** The mover's copy and verify times at one batch size (from its step hooks). */
async function moverRun(batchSize: number): Promise<{ copyMs: number; verifyMs: number }> {
  const memory = fresh();
  const clients = endpointClients(memory);
  const journalClient = await memory.connect({ clusterKey: "shared:eu", cluster: map().clusters["shared:eu"]!, credentialKey: "shared:eu", credentialRef: map().credentials["shared:eu"]!, credentials: undefined });
  const marks: Record<string, number> = {};
  const mover = new Mover({
    map: map(),
    connect: (e) => clients.connect(e),
    store: journalClient.db("tenantry").collection("overrides"),
    actor: "bench",
    batchSize,
    freezeBoundMs: 0,
    sleep: () => Promise.resolve(),
    hooks: { afterStep: (state) => void (marks[state] = performance.now()) },
  });
  await mover.start("acme");
  await clients.close();
  return { copyMs: marks.copied! - marks.copying!, verifyMs: marks.verified! - marks.copied! };
}

/** The same copy as a bare loop: find by _id page, bulkWrite upserts; no checkpoints, no checks. */
async function bareRun(batchSize: number): Promise<number> {
  const memory = fresh();
  const client = await memory.connect({ clusterKey: "shared:eu", cluster: map().clusters["shared:eu"]!, credentialKey: "shared:eu", credentialRef: map().credentials["shared:eu"]!, credentials: undefined });
  const source = client.db("app").collection("orders");
  const target = client.db("app").collection("t_acme__orders");
  const start = performance.now();
  let last: unknown;
  for (;;) {
    const page = await source.find(last === undefined ? { tenant_id: "acme" } : ({ tenant_id: "acme", _id: { $gt: last } } as Document)).sort({ _id: 1 }).limit(batchSize).toArray();
    if (page.length === 0) break;
    await target.bulkWrite(upserts(page, "acme"), { ordered: false });
    last = page[page.length - 1]?._id;
    if (page.length < batchSize) break;
  }
  return performance.now() - start;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const sample = docs("acme", N);
  const t0 = performance.now();
  contentHash(sample);
  const hashMs = performance.now() - t0;
  results.push({ name: "content hash alone (canonical EJSON + sha256)", value: Math.round(N / (hashMs / 1000)), unit: "docs/s", note: `${N} docs, CPU only` });
  for (const batch of BATCHES) {
    // Interleaved and best of two each: the machine is shared, and JIT warm-up must not favour either side.
    const bare1 = await bareRun(batch);
    const m1 = await moverRun(batch);
    const bare2 = await bareRun(batch);
    const m2 = await moverRun(batch);
    const bareMs = Math.min(bare1, bare2);
    const copyMs = Math.min(m1.copyMs, m2.copyMs);
    const verifyMs = Math.min(m1.verifyMs, m2.verifyMs);
    results.push({ name: `copy, batch ${batch}`, value: Math.round(N / (copyMs / 1000)), unit: "docs/s", note: `${N} tenant docs beside ${OTHERS} others, journal checkpoint per batch` });
    results.push({ name: `verify, batch ${batch}`, value: Math.round(N / (verifyMs / 1000)), unit: "docs/s", note: "source and target hashed" });
    results.push({ name: `mover copy / bare find+bulkWrite loop, batch ${batch}`, value: copyMs / bareMs, unit: "ratio", note: `bare loop ${Math.round(bareMs)} ms, mover ${Math.round(copyMs)} ms` });
  }
  return results;
}
