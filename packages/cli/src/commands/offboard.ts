// `tenantry offboard <id>`: sets the tenant's `status: offboarding` in the registry file (layout kept), validates, shows its plan.
import type { Command } from "commander";
import type { Io } from "../io";
import { offboardTenant } from "@tenantry/core/registry/edit";
import { type EditDeps, editRegistryCommand, type RegisterCommand, shown } from "../shared";

export interface OffboardOptions {
  env?: string | undefined;
  registry?: string | undefined;
}

/** Runs `tenantry offboard`; 0 marked, 1 unknown tenant / invalid result, 2 usage. */
export function offboardCommand(tenantId: string, opts: OffboardOptions, io: Io, deps: EditDeps = {}): Promise<number> {
  return editRegistryCommand(
    "offboard",
    tenantId,
    opts,
    (text, file) => offboardTenant(text, file, tenantId),
    io,
    deps,
    (_loaded, file) =>
      `tenant [${tenantId}] marked offboarding in ${shown(io, file)}: its data-bearing resources stay (retainOnDelete); remove the entry in a later change once its data is exported`,
  );
}

export const registerOffboard: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("offboard")
    .description("Mark a tenant offboarding in the registry, keeping its comments and layout (exit 0 marked, 1 refused, 2 usage)")
    .argument("<id>", "tenant id")
    .option("--env <env>", "edit stacks/<env>.tenants.yaml (default dev)")
    .option("--registry <file>", "edit this registry file instead of --env")
    .action(async (id: string, options: OffboardOptions) => {
      setExit(await offboardCommand(id, options, io));
    });
};
