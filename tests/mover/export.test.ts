// Export → import round trip restores byte-identical documents and verifies; tampered or foreign exports are refused.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, type Document } from "mongodb";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { endpointClients, type EndpointClients } from "../../packages/mover/src/connect";
import { ForeignDocumentError, ManifestMismatchError, VerificationFailedError } from "../../packages/mover/src/errors";
import { type ExportManifest, exportTenant } from "../../packages/mover/src/export";
import { contentHash, exportLine } from "../../packages/mover/src/hash";
import { importTenant } from "../../packages/mover/src/import";
import { bulkBackendCases as backendCases, type TestBackend } from "../support/backends";
import { LOGICAL, MOVING, SHARED, SIZES, docsOf, makeMap, othersSnapshot, route, seed } from "./fixtures";

/** Field order included: the documents exactly as stored. */
async function exact(backend: TestBackend, stage: "pool" | "bridge" | "silo"): Promise<Record<string, string[]>> {
  const r = route(backend, stage);
  const out: Record<string, string[]> = {};
  for (const logical of LOGICAL) {
    const docs = await backend.raw(r.cluster, r.database, r.collections[logical]!);
    out[logical] = docs.filter((d) => d.tenant_id === MOVING).map((d) => exportLine(d)).sort();
  }
  return out;
}

async function wipe(clients: EndpointClients, backend: TestBackend): Promise<void> {
  const map = makeMap(backend, "bridge", undefined);
  const r = route(backend, "bridge");
  const client = await clients.connect({ route: r, cluster: map.clusters[SHARED]!, credentialRef: map.credentials[SHARED]! });
  for (const logical of LOGICAL) await client.db(r.database).collection(r.collections[logical]!).deleteMany({ tenant_id: MOVING });
}

for (const backendCase of backendCases) {
  describe.skipIf(backendCase.skip)(backendCase.name, () => {
    let backend: TestBackend;
    let clients: EndpointClients;
    let dir: string;
    beforeEach(async () => {
      backend = backendCase.make();
      clients = endpointClients(backend.connector);
      dir = await mkdtemp(join(tmpdir(), "tenantry-export-"));
      await seed(backend, "bridge");
    });
    afterEach(async () => {
      await clients.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    });
    const connect = (e: Parameters<EndpointClients["connect"]>[0]) => clients.connect(e);

    test("round trip: export, lose the data, import restores it byte-identical and verified", async () => {
      const map = makeMap(backend, "bridge", undefined);
      const before = await exact(backend, "bridge");
      const others = await othersSnapshot(backend);
      const manifest = await exportTenant({ map, tenantId: MOVING, dir, connect, batchSize: 700, now: () => new Date("2026-11-28T00:00:00Z") });
      expect(manifest).toMatchObject({ format: "tenantry-export/1", tenant: MOVING, environment: "test", source: { stage: "bridge", cluster: SHARED }, createdAt: "2026-11-28T00:00:00.000Z" });
      for (const logical of LOGICAL) {
        expect(manifest.collections[logical]).toMatchObject({ file: `${logical}.ejson`, count: SIZES[logical] });
        const lines = (await readFile(join(dir, `${logical}.ejson`), "utf8")).trimEnd().split("\n");
        // One document per line, in _id order, canonical mode (types kept).
        expect(lines).toHaveLength(SIZES[logical]!);
        expect(lines).toEqual(docsOf(MOVING, logical, SIZES[logical]!).map((d) => exportLine(d)));
        expect(lines[0]).toContain('"seq":{"$numberInt":"0"}');
        expect(manifest.collections[logical]?.hash).toBe(contentHash(docsOf(MOVING, logical, SIZES[logical]!)).hash);
      }
      await wipe(clients, backend);
      const result = await importTenant({ map, tenantId: MOVING, dir, connect, batchSize: 300 });
      for (const logical of LOGICAL) expect(result.collections[logical]).toMatchObject({ upserted: SIZES[logical], deleted: 0, verified: { count: SIZES[logical] } });
      expect(await exact(backend, "bridge")).toEqual(before);
      expect(await othersSnapshot(backend)).toEqual(others);
      // Importing again is idempotent.
      await importTenant({ map, tenantId: MOVING, dir, connect });
      expect(await exact(backend, "bridge")).toEqual(before);
    });

    test("restores into the tenant's current placement, wherever the export came from (bridge → silo)", async () => {
      const before = await exact(backend, "bridge");
      await exportTenant({ map: makeMap(backend, "bridge", undefined), tenantId: MOVING, dir, connect });
      await importTenant({ map: makeMap(backend, "silo", undefined), tenantId: MOVING, dir, connect });
      expect(await exact(backend, "silo")).toEqual(before);
    });

    test("a newer document blocks verification unless --replace, which deletes it through the guard", async () => {
      const map = makeMap(backend, "bridge", undefined);
      await exportTenant({ map, tenantId: MOVING, dir, connect });
      const r = route(backend, "bridge");
      await backend.seed(SHARED, r.database, r.collections.orders!, [{ _id: "newer", tenant_id: MOVING }]);
      await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow(VerificationFailedError);
      const result = await importTenant({ map, tenantId: MOVING, dir, connect, replace: true });
      expect(result.collections.orders).toMatchObject({ deleted: 1, verified: { count: SIZES.orders } });
    });

    describe("a tampered export is refused and nothing is written", () => {
      async function prepared(): Promise<{ map: ReturnType<typeof makeMap>; manifest: ExportManifest }> {
        const map = makeMap(backend, "bridge", undefined);
        const manifest = await exportTenant({ map, tenantId: MOVING, dir, connect });
        await wipe(clients, backend);
        return { map, manifest };
      }
      async function expectNothingWritten(): Promise<void> {
        const r = route(backend, "bridge");
        for (const logical of LOGICAL) expect(await backend.raw(SHARED, r.database, r.collections[logical]!)).toEqual([]);
      }
      async function rewrite(logical: string, manifest: ExportManifest, edit: (lines: string[]) => string[], fixHash: boolean): Promise<void> {
        const file = join(dir, `${logical}.ejson`);
        const lines = edit((await readFile(file, "utf8")).trimEnd().split("\n"));
        const text = `${lines.join("\n")}\n`;
        await writeFile(file, text);
        const entry = manifest.collections[logical]!;
        const { createHash } = await import("node:crypto");
        entry.sha256 = createHash("sha256").update(text).digest("hex");
        if (fixHash) {
          const docs = lines.map((l) => BSON.EJSON.parse(l, { relaxed: false }) as Document);
          Object.assign(entry, contentHash(docs));
        }
        await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
      }

      test("one changed byte", async () => {
        const { map } = await prepared();
        const file = join(dir, "orders.ejson");
        const text = await readFile(file, "utf8");
        await writeFile(file, text.replace('"$numberInt":"7"', '"$numberInt":"8"'));
        const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ManifestMismatchError);
        expect((error as Error).message).toMatch(/orders\.ejson: file bytes differ from the manifest's sha256/);
        await expectNothingWritten();
      });

      test("a file changed together with its sha256 but not the content hash", async () => {
        const { map, manifest } = await prepared();
        await rewrite("notes", manifest, (lines) => lines.slice(1), false);
        await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow(/notes\.ejson: content differs from the manifest: 1199 docs/);
        await expectNothingWritten();
      });

      test("a foreign document, even with a consistent manifest", async () => {
        const { map, manifest } = await prepared();
        await rewrite("events", manifest, (lines) => [...lines, exportLine(docsOf("beta", "events", 1)[0]!)], true);
        const error = await importTenant({ map, tenantId: MOVING, dir, connect }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ForeignDocumentError);
        expect((error as Error).message).toBe('tenant [acme] events.ejson line 301: document has tenant_id "beta", expected "acme"');
        await expectNothingWritten();
      });

      test("an untagged document", async () => {
        const { map, manifest } = await prepared();
        await rewrite("events", manifest, (lines) => [...lines, exportLine({ _id: "x" })], true);
        await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow('tenant [acme] events.ejson line 301: document has tenant_id undefined, expected "acme"');
        await expectNothingWritten();
      });

      test("another tenant's export, and a directory without manifest", async () => {
        const { map } = await prepared();
        await expect(importTenant({ map, tenantId: "beta", dir, connect })).rejects.toThrow("export of tenant [acme], not [beta]");
        await rm(join(dir, "manifest.json"));
        await expect(importTenant({ map, tenantId: MOVING, dir, connect })).rejects.toThrow(/no manifest/);
        await expectNothingWritten();
      });
    });
  });
}
