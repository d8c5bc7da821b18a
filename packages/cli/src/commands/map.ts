// `tenantry map`: the connection map of a per-tenant environment, assembled from every stack's `mapFacts` output.
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { automationWorkspace } from "@tenantry/pulumi/orchestration/automation";
import { loadEnvironmentStacks, projectDirOf } from "@tenantry/pulumi/orchestration/environment";
import { describeStackError } from "@tenantry/pulumi/orchestration/errors";
import type { StackWorkspace } from "@tenantry/pulumi/orchestration/workspace";
import { mapFromFacts, type MapFacts } from "@tenantry/pulumi/program/stacks/merge";
import { STACK_OUTPUTS } from "@tenantry/pulumi/program/stacks/program";
import { OFFLINE_SETTINGS } from "@tenantry/pulumi/program/settings";
import { type RegisterCommand, registryFileFor } from "../shared";

/** Prints the map (JSON) on stdout; 0 complete, 1 a stack has not reported yet (the map is not printed), 2 usage. */
export async function mapCommand(opts: { env?: string | undefined }, io: Io, deps: { workspace?: (projectDir: string) => StackWorkspace } = {}): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`tenantry map: ${message}\n`);
    return code;
  };
  const file = registryFileFor({ env: opts.env }, io);
  if (typeof file !== "string") return fail(EXIT.usage, file.usage);
  try {
    const env = loadEnvironmentStacks(file, { stackLayout: "per-tenant" }, OFFLINE_SETTINGS);
    const workspace = (deps.workspace ?? automationWorkspace)(projectDirOf(file));
    const facts: MapFacts[] = [];
    const silent: string[] = [];
    for (const stack of env.partition.stacks) {
      const reported = (await workspace.outputs(stack.name))[STACK_OUTPUTS.facts] as MapFacts | undefined;
      if (reported) facts.push(reported);
      else silent.push(stack.name);
    }
    const { map, missing } = mapFromFacts(env.layout, env.loaded, facts);
    // A partial map would route nobody to the missing tenants: never print one.
    if (missing.length > 0) return fail(EXIT.failed, `${missing.length} tenant(s) have no facts yet (stacks without outputs: ${silent.join(", ") || "none"}): run tenantry up --env ${env.environmentStack}`);
    io.stdout(`${JSON.stringify(map, null, 2)}\n`);
    return EXIT.ok;
  } catch (error) {
    const known = describeStackError(error);
    if (!known) throw error;
    return fail(known.usage ? EXIT.usage : EXIT.failed, known.lines.join("\n  "));
  }
}

export const registerMap: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("map")
    .description("Print the connection map of a per-tenant environment, assembled from its stacks' outputs (exit 0 ok, 1 incomplete, 2 usage)")
    .option("--env <env>", "the environment")
    .action(async (options: { env?: string }) => setExit(await mapCommand(options, io)));
};
