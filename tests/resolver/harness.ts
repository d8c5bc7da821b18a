// Shared setup of the resolver suites: a backend, a resolver over the test map, two seeded tenants, raw inspection.
import type { Document } from "mongodb";
import { createResolver } from "../../packages/resolver/src";
import type { Resolver, ResolverOptions, ScopedCollection } from "../../packages/resolver/src";
import type { ConnectionMap } from "../../packages/contract/src/connection-map/schema";
import type { TestBackend } from "../support/backends";
import { PAIRS, testMap } from "./fixtures";
import type { Stage } from "./fixtures";

export interface Pair {
  backend: TestBackend;
  map: ConnectionMap;
  resolver: Resolver;
  ids: { a: string; b: string };
  a: ScopedCollection;
  b: ScopedCollection;
  /** A's and B's documents as stored (users collection), bypassing the resolver. */
  rawA(): Promise<Document[]>;
  rawB(): Promise<Document[]>;
  /** `_id`s of the seeded documents, by tenant and email. */
  seeded: { a: Document[]; b: Document[] };
  close(): Promise<void>;
}

/** Seeded rows: both tenants hold the same emails, names and join keys. */
export const SEED = [
  { email: "same@x", name: "Ann", n: 1, group: "g1", tags: ["t1"] },
  { email: "other@x", name: "Bob", n: 2, group: "g2", tags: ["t2"] },
] as const;

export function rawOf(backend: TestBackend, map: ConnectionMap, tenantId: string, logical = "users"): Promise<Document[]> {
  const t = map.tenants[tenantId];
  if (!t) throw new Error(`no tenant ${tenantId}`);
  return backend.raw(t.cluster, t.database, t.collections[logical] as string);
}

export async function makePair(backend: TestBackend, stage: Stage, options: Partial<ResolverOptions> = {}): Promise<Pair> {
  const map = testMap((base) => backend.database(base));
  const resolver = createResolver({ map, connector: backend.connector, ...options });
  const ids = PAIRS[stage];
  const a = resolver.forTenant({ tenantId: ids.a }).collection("users");
  const b = resolver.forTenant({ tenantId: ids.b }).collection("users");
  const groupsA = resolver.forTenant({ tenantId: ids.a }).collection("groups");
  const groupsB = resolver.forTenant({ tenantId: ids.b }).collection("groups");
  const seeded = { a: [] as Document[], b: [] as Document[] };
  for (const row of SEED) {
    const docA: Document = { ...row, tags: [...row.tags] };
    const docB: Document = { ...row, tags: [...row.tags] };
    // The resolver never modifies the caller's document (the driver would set `_id` on it): take the inserted id.
    seeded.a.push({ ...docA, _id: (await a.insertOne(docA)).insertedId });
    seeded.b.push({ ...docB, _id: (await b.insertOne(docB)).insertedId });
  }
  for (const key of ["g1", "g2"]) {
    await groupsA.insertOne({ key, label: `A-${key}` });
    await groupsB.insertOne({ key, label: `B-${key}` });
  }
  return {
    backend,
    map,
    resolver,
    ids,
    a,
    b,
    rawA: () => rawOf(backend, map, ids.a),
    rawB: () => rawOf(backend, map, ids.b),
    seeded,
    close: async () => {
      await resolver.close();
      await backend.close();
    },
  };
}

/** Only tenant `id`'s own documents (the pool collection holds both tenants; bridge and silo hold one). */
export function onlyTenant(docs: readonly Document[], id: string): Document[] {
  return docs.filter((d) => d.tenant_id === id);
}
