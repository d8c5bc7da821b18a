// `tenantry onboard <id>`: adds a tenant to the registry file (comments and layout kept), validates, writes atomically, shows its plan.
import { type Command, Option } from "commander";
import type { Io } from "../io";
import { COMPLIANCE_FLAGS, STAGES, TIERS } from "@tenantry/core/registry/schema";
import { RESIDENCY_ZONES } from "@tenantry/core/registry/zones";
import { onboardTenant } from "@tenantry/core/registry/edit";
import { type EditDeps, editRegistryCommand, type RegisterCommand, shown } from "../shared";

export interface OnboardOptions {
  tier: string;
  residency: string;
  region?: string | undefined;
  instanceSize?: string | undefined;
  backupPolicy?: string | undefined;
  /** Comma-separated compliance flags, e.g. `SOC2,GDPR`. */
  compliance?: string | undefined;
  stage?: string | undefined;
  name?: string | undefined;
  sharedCluster?: string | undefined;
  env?: string | undefined;
  registry?: string | undefined;
}

/** Runs `tenantry onboard`; 0 added, 1 exists / invalid result, 2 usage. */
export function onboardCommand(tenantId: string, opts: OnboardOptions, io: Io, deps: EditDeps = {}): Promise<number> {
  const compliance = opts.compliance
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const tenant = {
    id: tenantId,
    tier: opts.tier as (typeof TIERS)[number],
    residency: opts.residency,
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.stage !== undefined && { stage: opts.stage as (typeof STAGES)[number] }),
    ...(opts.sharedCluster !== undefined && { sharedCluster: opts.sharedCluster }),
    ...(opts.region !== undefined && { region: opts.region }),
    ...(opts.instanceSize !== undefined && { instanceSize: opts.instanceSize }),
    ...(compliance !== undefined && { compliance }),
    ...(opts.backupPolicy !== undefined && { backupPolicy: opts.backupPolicy }),
  };
  return editRegistryCommand(
    "onboard",
    tenantId,
    opts,
    (text, file) => onboardTenant(text, file, tenant),
    io,
    deps,
    (loaded, file) => {
      const placed = loaded.placements.find((p) => p.tenantId === tenantId);
      const where = placed ? ` as ${placed.current.stage} in ${placed.residency}` : "";
      const env = opts.env === undefined ? `--registry ${shown(io, file)}` : `--env ${opts.env}`;
      return (
        `onboarded tenant [${tenantId}]${where} into ${shown(io, file)}; review the diff, commit it, then run \`pulumi up\` on the stack\n` +
        `next: tenantry collections apply ${env} --tenant ${tenantId} --map <the stack's connectionMap output> (its collections, validators, indexes and retention)`
      );
    },
  );
}

export const registerOnboard: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("onboard")
    .description("Add a tenant to the registry, keeping its comments and layout, and show its plan (exit 0 added, 1 refused, 2 usage)")
    .argument("<id>", "tenant id (lowercase slug)")
    .addOption(new Option("--tier <tier>", "commercial tier").choices(TIERS).makeOptionMandatory())
    .addOption(new Option("--residency <zone>", "residency zone").choices(RESIDENCY_ZONES).makeOptionMandatory())
    .option("--region <region>", "Atlas region of a silo tenant, e.g. EU_CENTRAL_1")
    .option("--instance-size <size>", "instance size of a silo tenant, e.g. M30")
    .option("--backup-policy <name>", "backup policy of a silo tenant")
    .option("--compliance <flags>", `comma-separated compliance flags (${COMPLIANCE_FLAGS.join(", ")})`)
    .addOption(new Option("--stage <stage>", "explicit stage (raises the tier default)").choices(STAGES))
    .option("--shared-cluster <name>", "shared cluster of a pool or bridge tenant")
    .option("--name <name>", "display name (default: the id)")
    .option("--env <env>", "edit stacks/<env>.tenants.yaml (default dev)")
    .option("--registry <file>", "edit this registry file instead of --env")
    .action(async (id: string, options: OnboardOptions) => {
      setExit(await onboardCommand(id, options, io));
    });
};
