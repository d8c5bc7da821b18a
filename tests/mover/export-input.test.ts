// Export / import input that is not what it claims: mixed `_id` types, duplicates, odd manifest names, malformed files.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, Int32, ObjectId, type Document } from "mongodb";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { endpointClients, type EndpointClients } from "../../packages/mover/src/connect";
import { ExportFormatError, ExportIncompleteError, ManifestMismatchError } from "../../packages/mover/src/errors";
import { exportTenant } from "../../packages/mover/src/export";
import { contentHash, exportLine } from "../../packages/mover/src/hash";
import { importTenant } from "../../packages/mover/src/import";
import { backendCases, type TestBackend } from "../support/backends";
import { LOGICAL, MOVING, OTHERS, SHARED, makeMap, route } from "./fixtures";

type Manifest = { collections: Record<string, { file: string; count: number; hash: string; sha256: string }> } & Record<string, unknown>;

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(backendCase.name, () => {
    let backend: TestBackend;
    let clients: EndpointClients;
    let dir: string;
    const connect = (e: Parameters<EndpointClients["connect"]>[0]) => clients.connect(e);
    beforeEach(async () => {
      backend = backendCase.make();
      clients = endpointClients(backend.connector);
      dir = await mkdtemp(join(tmpdir(), "tenantry-export-input-"));
    });
    afterEach(async () => {
      await clients.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    });

    const bridge = () => route(backend, "bridge");
    const tenantDocs = async (logical: string) =>
      (await backend.raw(SHARED, bridge().database, bridge().collections[logical]!)).filter((d) => d.tenant_id === MOVING).map((d) => exportLine(d)).sort();
    const seedOrders = (docs: Document[]) => backend.seed(SHARED, bridge().database, bridge().collections.orders!, docs);
    async function emptyTenant(): Promise<void> {
      const map = makeMap(backend, "bridge", undefined);
      const r = bridge();
      const client = await clients.connect({ route: r, cluster: map.clusters[SHARED]!, credentialRef: map.credentials[SHARED]! });
      for (const logical of LOGICAL) await client.db(r.database).collection(r.collections[logical]!).deleteMany({ tenant_id: MOVING });
    }
    async function expectNothingWritten(): Promise<void> {
      for (const logical of LOGICAL) expect(await tenantDocs(logical)).toEqual([]);
    }
    /** Rewrites one export file and makes the manifest consistent with it (sha256, count and content hash). */
    async function forge(logical: string, edit: (lines: string[]) => string[]): Promise<void> {
      const file = join(dir, `${logical}.ejson`);
      const before = (await readFile(file, "utf8")).trimEnd();
      const lines = edit(before === "" ? [] : before.split("\n"));
      const text = lines.length > 0 ? `${lines.join("\n")}\n` : "";
      await writeFile(file, text);
      const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
      const docs = lines.map((l) => BSON.EJSON.parse(l, { relaxed: false }) as Document);
      manifest.collections[logical] = { file: `${logical}.ejson`, ...contentHash(docs), sha256: createHash("sha256").update(text).digest("hex") };
      await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
    }
    async function editManifest(edit: (m: Manifest) => void): Promise<void> {
      const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
      edit(manifest);
      await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
    }
    /** A small tenant of plain types (these checks are about the files, not about BSON types or batching). */
    const small = (tenantId: string, n: number): Document[] =>
      Array.from({ length: n }, (_, i) => ({ _id: new ObjectId(), tenant_id: tenantId, user_id: `u${i % 2}`, seq: new Int32(i), at: new Date(Date.UTC(2026, 0, 1, 0, i)) }));
    async function seedSmall(): Promise<void> {
      for (const logical of LOGICAL) {
        await backend.seed(SHARED, bridge().database, bridge().collections[logical]!, small(MOVING, 12));
        const pool = route(backend, "pool", OTHERS[0]);
        await backend.seed(SHARED, pool.database, pool.collections[logical]!, small(OTHERS[0], 5));
      }
    }
    async function exported(): Promise<ReturnType<typeof makeMap>> {
      await seedSmall();
      const map = makeMap(backend, "bridge", undefined);
      await exportTenant({ map, tenantId: MOVING, dir, connect, batchSize: 5 });
      await emptyTenant();
      return map;
    }

    test("integer, string and double _ids of one type each round-trip byte-identical", async () => {
      const cases: Document[][] = [
        [1, 2, 3, 2 ** 31 + 5].map((n) => ({ _id: n, tenant_id: MOVING, n: new Int32(n % 100) })),
        ["a", "b", "c"].map((s) => ({ _id: s, tenant_id: MOVING })),
        [0.5, 1.5, 2.25].map((x) => ({ _id: x, tenant_id: MOVING })),
      ];
      for (const docs of cases) {
        await emptyTenant();
        await seedOrders(docs);
        const before = await tenantDocs("orders");
        const map = makeMap(backend, "bridge", undefined);
        await exportTenant({ map, tenantId: MOVING, dir, connect, batchSize: 2 });
        await emptyTenant();
        await importTenant({ map, tenantId: MOVING, dir, connect, batchSize: 2 });
        expect(await tenantDocs("orders")).toEqual(before);
        // And once more over the restored documents: idempotent, nothing duplicated.
        const again = await importTenant({ map, tenantId: MOVING, dir, connect, replace: true });
        expect(again.collections.orders).toMatchObject({ deleted: 0, verified: { count: docs.length } });
        expect(await tenantDocs("orders")).toEqual(before);
      }
    });

    test("_ids of mixed BSON types never truncate an export: it is whole, or refused with no manifest", async () => {
      await seedOrders([{ _id: 1, tenant_id: MOVING }, { _id: 2, tenant_id: MOVING }, { _id: "s", tenant_id: MOVING }, { _id: "t", tenant_id: MOVING }]);
      const map = makeMap(backend, "bridge", undefined);
      const outcome = await exportTenant({ map, tenantId: MOVING, dir, connect, batchSize: 1 }).catch((e: unknown) => e);
      // A range scan stays inside one type bracket (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/),
      // on the server and on the memory backend alike: the count shows the scan short, and the export is refused.
      expect(outcome).toBeInstanceOf(ExportIncompleteError);
      expect(outcome).toMatchObject({ collection: "orders", counted: 4, exported: 2, idTypes: ["int", "string"] });
      expect((outcome as Error).message).toMatch(/several BSON types \(int, string\)/);
      expect(await readdir(dir)).not.toContain("manifest.json");
      expect(await readdir(dir)).not.toContain("orders.ejson.partial");
      await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow(/no manifest/);
    });

    test("a duplicate _id is refused with its line before anything is written", async () => {
      const map = await exported();
      await forge("orders", (lines) => [...lines, lines[3]!]);
      const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportFormatError);
      expect(error).toMatchObject({ file: join(dir, "orders.ejson"), line: 13 });
      expect((error as Error).message).toMatch(/orders\.ejson:13:1: duplicate _id .* \(first on line 4\)$/);
      await expectNothingWritten();
    });

    test.each(["constructor", "__proto__", "toString", "hasOwnProperty", "../orders", "events/../orders", "system.users"])(
      "a manifest collection named %j is refused before anything is written",
      async (name) => {
          const map = await exported();
        await editManifest((m) => {
          Object.defineProperty(m.collections, name, { value: { ...m.collections.orders! }, enumerable: true, writable: true, configurable: true });
        });
        const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ManifestMismatchError);
        await expectNothingWritten();
      },
    );

    test("a collection's entry naming another collection's file is refused", async () => {
      const map = await exported();
      await editManifest((m) => {
        m.collections.events = { ...m.collections.orders! };
      });
      await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow("collection events names file orders.ejson, expected events.ejson");
      await expectNothingWritten();
    });

    test("a manifest that omits a declared collection is refused", async () => {
      const map = await exported();
      await editManifest((m) => {
        delete m.collections.notes;
      });
      const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ManifestMismatchError);
      expect((error as Error).message).toMatch(/the export lacks declared collection notes: not a whole export/);
      await expectNothingWritten();
    });

    test("malformed JSON in the manifest is a typed error with line and column", async () => {
      const map = await exported();
      const text = await readFile(join(dir, "manifest.json"), "utf8");
      await writeFile(join(dir, "manifest.json"), text.replace('"tenant": "acme",', '"tenant": "acme"'));
      const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportFormatError);
      expect(error).toMatchObject({ file: join(dir, "manifest.json"), line: 4 });
      expect((error as Error).message).toMatch(/manifest\.json:4:\d+: not JSON/);
      await expectNothingWritten();
    });

    test("a line that is not EJSON is a typed error with file and line", async () => {
      const map = await exported();
      await forge("events", (lines) => lines);
      const file = join(dir, "events.ejson");
      const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
      lines[9] = lines[9]!.slice(0, -1);
      const text = `${lines.join("\n")}\n`;
      await writeFile(file, text);
      await editManifest((m) => {
        m.collections.events!.sha256 = createHash("sha256").update(text).digest("hex");
      });
      const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportFormatError);
      expect(error).toMatchObject({ file, line: 10 });
      expect((error as Error).message).toMatch(/events\.ejson:10:\d+: not canonical EJSON/);
      await expectNothingWritten();
    });

    test("a file that is a link (possibly out of the directory) is refused", async () => {
      const map = await exported();
      const outside = await mkdtemp(join(tmpdir(), "tenantry-outside-"));
      try {
        await writeFile(join(outside, "orders.ejson"), await readFile(join(dir, "orders.ejson")));
        await rm(join(dir, "orders.ejson"));
        await symlink(join(outside, "orders.ejson"), join(dir, "orders.ejson"));
        await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow(/orders\.ejson: not a regular file/);
        await expectNothingWritten();
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });
  });
}
