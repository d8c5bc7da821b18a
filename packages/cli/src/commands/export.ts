// `tenantry export <tenant> --map FILE --out DIR`: the tenant's documents from wherever it lives, as canonical EJSON per
// collection plus a manifest of counts and hashes (a per-tenant backup).
import { resolve } from "node:path";
import type { Command } from "commander";
import { exportTenant } from "@tenantry/mover/export";
import { EXIT, type Io } from "../io";
import { type DataCommandDeps, type DataCommandOptions, dataOptions, intOption, openDataEndpoints, printJson, type RegisterCommand, runDataCommand } from "../shared";

export interface ExportCommandOptions extends DataCommandOptions {
  out: string;
}

export async function exportCommand(tenantId: string, opts: ExportCommandOptions, io: Io, deps: DataCommandDeps = {}): Promise<number> {
  return runDataCommand("export", io, async () => {
    const batchSize = intOption(opts.batchSize, "--batch-size");
    const { map, session } = await openDataEndpoints(opts, tenantId, io, deps);
    try {
      const dir = resolve(io.cwd, opts.out);
      const manifest = await exportTenant({ map, tenantId, dir, connect: (e) => session.clients.connect(e), batchSize, now: deps.now });
      if (opts.json) {
        printJson(io, {
          version: 1,
          tenantId,
          dir,
          source: manifest.source,
          createdAt: manifest.createdAt,
          collections: Object.entries(manifest.collections).map(([name, c]) => ({ name, count: c.count, hash: c.hash })),
        });
        return EXIT.ok;
      }
      for (const [logical, c] of Object.entries(manifest.collections)) io.stdout(`${logical}: ${c.count} documents  ${c.hash.slice(0, 16)}…\n`);
      io.stdout(`exported tenant [${tenantId}] from ${manifest.source.stage} ${manifest.source.cluster} to ${opts.out}\n`);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  });
}

export const registerExport: RegisterCommand = (program: Command, io: Io, setExit) => {
  dataOptions(program.command("export").description("Export a tenant's documents as canonical EJSON per collection plus a manifest").argument("<tenant>", "tenant id"))
    .requiredOption("--out <dir>", "output directory")
    .action(async (tenant: string, options: ExportCommandOptions) => {
      setExit(await exportCommand(tenant, options, io));
    });
};
