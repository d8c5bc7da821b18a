// `tenantry stacks migrate`: the `pulumi state move` commands that split a single-layout stack into the per-tenant layout.
import type { Registry } from "@tenantry/core/registry/schema";
import type { StackPartition } from "../program/stacks/partition";
import type { Layout } from "../program/layout";

/** One `pulumi state move`: the top-level components of one tenant stack (children follow them). */
export interface StateMove {
  source: string;
  dest: string;
  tenants: string[];
  urns: string[];
}

/** Thrown when a registry `move:` is declared: a stage move re-registers components while this would move them. */
export class MoveInFlightError extends Error {
  override readonly name = "MoveInFlightError";
  constructor(readonly tenantIds: readonly string[]) {
    super(`tenant(s) ${tenantIds.map((t) => `[${t}]`).join(", ")} have a move in flight (move: in the registry): finish or cancel it before splitting the stack`);
  }
}

/**
 * URN of a component registered at the top of a stack, as the Pulumi engine forms it: the root Stack is not part of
 * the type chain (https://www.pulumi.com/docs/iac/concepts/resources/names/#urns). Only the stack segment differs
 * between the environment stack and the destination; names and type chains are the same in both layouts.
 */
export function topLevelUrn(stack: string, project: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

const BRIDGE_TYPE = "tenantry:program:BridgeTenant";
const SILO_TYPE = "tenantry:program:SiloTenant";

/**
 * The moves, one per tenant stack. Only top-level URNs are listed: `pulumi state move` takes each one's children
 * along, re-parents them on the destination's root stack and copies the providers they use
 * (https://www.pulumi.com/docs/iac/operations/stack-management/moving-resources-between-stacks/). Refuses while a
 * `move:` is declared.
 */
export function migrationMoves(registry: Registry, layout: Layout, partition: StackPartition, project: string, environmentStack: string): StateMove[] {
  const inFlight = registry.tenants.filter((t) => t.move).map((t) => t.id);
  if (inFlight.length > 0) throw new MoveInFlightError(inFlight);
  const shards = partition.assignment.shards;
  return partition.stacks
    .filter((s) => s.kind !== "shared")
    .map((stack) => {
      const components =
        stack.part.kind === "silo"
          ? layout.silos.filter((s) => s.tenantId === (stack.part as { tenantId: string }).tenantId).map((s) => [SILO_TYPE, s.componentName] as const)
          : layout.bridges.filter((b) => stack.part.kind === "bridge-shard" && shards.get(b.tenantId) === stack.part.shard).map((b) => [BRIDGE_TYPE, b.componentName] as const);
      return {
        source: environmentStack,
        dest: stack.name,
        tenants: stack.tenants,
        urns: components.map(([type, name]) => topLevelUrn(environmentStack, project, type, name)),
      };
    });
}

/** The command line of a move (`--yes`: `--apply` already is the confirmation). */
export function stateMoveArgv(move: StateMove): string[] {
  return ["pulumi", "state", "move", "--source", move.source, "--dest", move.dest, "--yes", ...move.urns];
}

/** A command line as a shell would take it, URNs quoted (they hold `$` and `::`). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./=-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}
