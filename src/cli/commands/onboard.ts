// `tenantry onboard <id>`: adds a tenant to the registry file (comments and layout kept), validates, writes atomically, shows its plan.
import { type Command, Option } from "commander";
import { readTextFile } from "../../files";
import { EXIT, type Io } from "../io";
import { ProgramLayoutError } from "../../program/layout";
import { SettingsError } from "../../program/settings";
import type { LoadedRegistry } from "../../registry/load";
import { formatProblem, RegistryInvalidError } from "../../registry/problems";
import { COMPLIANCE_FLAGS, STAGES, TIERS } from "../../registry/schema";
import { RESIDENCY_ZONES } from "../../registry/zones";
import { type EditResult, onboardTenant, RegistryEditError, TenantExistsError, UnknownTenantError } from "../../registry/edit";
import { type OfflineRunner, planForTenant, planLoaded } from "../../plan/plan";
import { renderText } from "../../plan/text";
import { assertNoSecretText, SecretLeakError } from "../../plan/json";
import { useColor, writeFileAtomic } from "./plan";
import { registryFileFor, shown } from "./validate";
import type { RegisterCommand } from "./index";

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

/** Injection points for tests. */
export interface EditDeps {
  runner?: OfflineRunner;
}

/**
 * The edit pipeline shared by onboard and offboard: resolve the file, edit the text, validate, plan in memory, and only
 * then write atomically — an invalid result or a failing plan leaves the file untouched. Returns an exit code.
 */
export async function editRegistry(
  command: "onboard" | "offboard",
  tenantId: string,
  where: { env?: string | undefined; registry?: string | undefined },
  edit: (text: string, file: string) => EditResult,
  io: Io,
  deps: EditDeps,
  done: (loaded: LoadedRegistry, file: string) => string,
): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`tenantry ${command}: ${message}\n`);
    return code;
  };
  if (where.env !== undefined && where.registry !== undefined) return fail(EXIT.usage, "give either --env or --registry, not both");
  const file = registryFileFor({ file: where.registry, env: where.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  const text = readTextFile(file);
  if (text === undefined) return fail(EXIT.usage, `registry file not found: ${shown(io, file)}`);

  let result: EditResult;
  try {
    result = edit(text, file);
  } catch (error) {
    if (error instanceof TenantExistsError || error instanceof UnknownTenantError || error instanceof RegistryEditError) {
      return fail(EXIT.failed, `${error.message}; ${shown(io, file)} left untouched`);
    }
    if (error instanceof RegistryInvalidError) {
      io.stderr(`tenantry ${command}: the registry would be invalid after this change (${shown(io, file)} left untouched):\n`);
      for (const p of error.problems) io.stderr(`  ${formatProblem({ ...p, ...(p.file === undefined ? {} : { file: shown(io, p.file) }) })}\n`);
      return EXIT.failed;
    }
    throw error;
  }

  if (result.text === text) {
    io.stdout(`tenant [${tenantId}] needs no change in ${shown(io, file)}; file left untouched\n`);
    return EXIT.ok;
  }

  let planText: string;
  try {
    const plan = planForTenant(await planLoaded(result.loaded, deps.runner ? { runner: deps.runner } : {}), tenantId);
    planText = renderText(plan, { color: useColor(io) });
    assertNoSecretText(planText, plan.knownSecrets);
  } catch (error) {
    if (error instanceof RegistryInvalidError || error instanceof ProgramLayoutError) {
      io.stderr(`tenantry ${command}: the program refuses the registry after this change (${shown(io, file)} left untouched):\n`);
      for (const p of error.problems) io.stderr(`  ${formatProblem(p)}\n`);
      return EXIT.failed;
    }
    if (error instanceof SettingsError) {
      return fail(EXIT.failed, `the stack settings cannot be used (${shown(io, file)} left untouched):\n  ${error.problems.join("\n  ")}`);
    }
    if (error instanceof SecretLeakError) return fail(EXIT.failed, `${error.message}; this is a bug in Tenantry, please report it`);
    throw error;
  }

  try {
    writeFileAtomic(file, result.text);
  } catch (error) {
    return fail(EXIT.failed, `cannot write ${shown(io, file)}: ${(error as Error).message}`);
  }
  io.stdout(`${done(result.loaded, file)}\n\n${planText}`);
  return EXIT.ok;
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
  return editRegistry(
    "onboard",
    tenantId,
    opts,
    (text, file) => onboardTenant(text, file, tenant),
    io,
    deps,
    (loaded, file) => {
      const placed = loaded.placements.find((p) => p.tenantId === tenantId);
      const where = placed ? ` as ${placed.current.stage} in ${placed.residency}` : "";
      return `onboarded tenant [${tenantId}]${where} into ${shown(io, file)}; review the diff, commit it, then run \`pulumi up\` on the stack`;
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
