// Rollback after cut-over on the memory backend: time per tenant size, to show it grows linearly with the documents.
import { performance } from "node:perf_hooks";
import type { Document } from "mongodb";
import type { ConnectionMap } from "../packages/contract/src/connection-map/schema";
import { endpointClients } from "../packages/mover/src/connect";
import { Mover } from "../packages/mover/src/move";
import { memoryConnector } from "../packages/testing/src";
import type { BenchResult } from "./types";

const SIZES = [1_250, 2_500, 5_000];

function map(): ConnectionMap {
  const route = (collection: string) => ({ stage: "pool" as const, cluster: "shared:eu", credential: "shared:eu", database: "app", collections: { orders: collection } });
  return {
    version: 1,
    environment: "bench",
    clusters: { "shared:eu": { name: "eu", kind: "shared", srvHost: "eu.example.net", region: "EU_CENTRAL_1", awsRegion: "eu-central-1", residency: "EU" } },
    credentials: { "shared:eu": { kind: "aws-secrets-manager", secretArn: "arn:x", region: "eu-central-1" } },
    collections: { orders: { scope: "tenant" } },
    tenants: { acme: { ...route("orders"), status: "active", residency: "EU", partition: { tenantField: "tenant_id", tenantValue: "acme", userField: "user_id" }, target: { ...route("t_acme__orders"), stage: "bridge" } } },
  };
}

async function rollbackMs(n: number): Promise<number> {
  const memory = memoryConnector();
  const docs: Document[] = Array.from({ length: n }, (_, i) => ({ _id: `acme-${String(i).padStart(8, "0")}`, tenant_id: "acme", n: i, s: "lorem ipsum" }));
  memory.seed("shared:eu", "app", "orders", docs);
  const clients = endpointClients(memory);
  const m = map();
  const control = (await clients.connect({ route: m.tenants.acme!, cluster: m.clusters["shared:eu"]!, credentialRef: m.credentials["shared:eu"]! })).db("tenantry").collection("overrides");
  const mover = new Mover({ map: m, connect: (e) => clients.connect(e), store: control, actor: "bench", batchSize: 1000, freezeBoundMs: 0, sleep: () => Promise.resolve() });
  await mover.start("acme", { cutover: true });
  // A tenth of the documents changed on the target after the cut-over: the copy back has work to do.
  const target = (await clients.connect({ route: m.tenants.acme!.target!, cluster: m.clusters["shared:eu"]!, credentialRef: m.credentials["shared:eu"]! })).db("app").collection("t_acme__orders");
  for (let i = 0; i < n; i += 10) await target.updateOne({ _id: `acme-${String(i).padStart(8, "0")}` as never }, { $set: { s: "changed" } });
  const start = performance.now();
  await mover.rollback("acme");
  const ms = performance.now() - start;
  await clients.close();
  return ms;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  let first: { n: number; ms: number } | undefined;
  for (const n of SIZES) {
    const ms = Math.min(await rollbackMs(n), await rollbackMs(n));
    first ??= { n, ms };
    results.push({ name: `rollback after cut-over, ${n} docs`, value: Math.round(ms), unit: "ms", note: `${(ms / first.ms / (n / first.n)).toFixed(2)} × linear from ${first.n}` });
  }
  return results;
}
