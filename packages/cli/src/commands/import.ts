// `tenantry import <tenant> --map FILE --in DIR`: restores an export into the tenant's current placement, verified
// against the manifest's counts and hashes; a tampered export or a foreign document changes nothing.
import { resolve } from "node:path";
import type { Command } from "commander";
import { importTenant } from "@tenantry/mover/import";
import { EXIT, type Io } from "../io";
import { type DataCommandDeps, type DataCommandOptions, dataOptions, intOption, openDataEndpointsWithMoves, printJson, type RegisterCommand, runDataCommand } from "../shared";

export interface ImportCommandOptions extends DataCommandOptions {
  in: string;
  replace?: boolean | undefined;
}

export async function importCommand(tenantId: string, opts: ImportCommandOptions, io: Io, deps: DataCommandDeps = {}): Promise<number> {
  return runDataCommand("import", io, async () => {
    const batchSize = intOption(opts.batchSize, "--batch-size");
    // With a control location, the import reads the tenant's move state: refused mid-move, restored where the app reads.
    const { map, session, moves } = await openDataEndpointsWithMoves(opts, tenantId, io, deps);
    try {
      const dir = resolve(io.cwd, opts.in);
      const result = await importTenant({ map, tenantId, dir, connect: (e) => session.clients.connect(e), batchSize, replace: opts.replace === true, ...(moves ? { moves } : {}) });
      if (opts.json) {
        printJson(io, {
          version: 1,
          tenantId,
          dir,
          exportedAt: result.manifest.createdAt,
          replace: opts.replace === true,
          collections: Object.entries(result.collections).map(([name, c]) => ({ name, upserted: c.upserted, deleted: c.deleted, count: c.verified.count, hash: c.verified.hash })),
        });
        return EXIT.ok;
      }
      for (const [logical, c] of Object.entries(result.collections)) {
        io.stdout(`${logical}: ${c.upserted} upserted, ${c.deleted} deleted, verified ${c.verified.count} documents ${c.verified.hash.slice(0, 16)}…\n`);
      }
      io.stdout(`imported tenant [${tenantId}] from ${opts.in} (exported ${result.manifest.createdAt})\n`);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  });
}

export const registerImport: RegisterCommand = (program: Command, io: Io, setExit) => {
  dataOptions(program.command("import").description("Restore a tenant export into the tenant's current placement, verified").argument("<tenant>", "tenant id"))
    .requiredOption("--in <dir>", "export directory (with manifest.json)")
    .option("--replace", "also delete the tenant's documents the export does not hold (exact restore)")
    .action(async (tenant: string, options: ImportCommandOptions) => {
      setExit(await importCommand(tenant, options, io));
    });
};
