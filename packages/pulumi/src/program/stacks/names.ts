// Stack names of the per-tenant layout and the part of the registry each stack builds (pure; no Pulumi).

/** Which part of an environment one stack builds: everything (single layout), the shared part, one silo or one bridge shard. */
export type StackPart =
  | { kind: "all" }
  | { kind: "shared" }
  | { kind: "silo"; tenantId: string }
  | { kind: "bridge-shard"; shard: number };

export type StackKind = Exclude<StackPart["kind"], "all">;

/** The shared stack keeps the environment's name, so a single-layout stack becomes the shared stack in place. */
export function sharedStackName(environmentStack: string): string {
  return environmentStack;
}

/** One stack per silo tenant: `<env>-<tenant>`. */
export function siloStackName(environmentStack: string, tenantId: string): string {
  return `${environmentStack}-${tenantId}`;
}

/** Bridge shard `n` (from 1): `<env>-bridge-<n>`. */
export function bridgeShardStackName(environmentStack: string, shard: number): string {
  return `${environmentStack}-bridge-${shard}`;
}

/** Tenant ids a silo stack cannot take: `<env>-bridge-<n>` is a bridge shard's name. */
export const RESERVED_SILO_ID = /^bridge-\d+$/;

/** The stack name of a part. */
export function stackNameOf(environmentStack: string, part: StackPart): string {
  switch (part.kind) {
    case "all":
    case "shared":
      return sharedStackName(environmentStack);
    case "silo":
      return siloStackName(environmentStack, part.tenantId);
    case "bridge-shard":
      return bridgeShardStackName(environmentStack, part.shard);
  }
}

/** Thrown when a stack name is neither the environment's shared stack nor one of its tenant stacks. */
export class UnknownStackError extends Error {
  override readonly name = "UnknownStackError";
  constructor(
    readonly stackName: string,
    readonly environmentStack: string,
  ) {
    super(`stack ${stackName} is not a stack of environment ${environmentStack}: expected ${environmentStack}, ${environmentStack}-bridge-<n> or ${environmentStack}-<silo tenant id> (set tenantry:environmentStack on tenant stacks)`);
  }
}

/**
 * The part a stack builds, from its name: the environment stack is the shared part, `<env>-bridge-<n>` a shard, any
 * other `<env>-<id>` the silo of tenant `<id>` (whether that tenant is a silo is checked against the layout).
 */
export function partOfStack(stack: string, environmentStack: string): Exclude<StackPart, { kind: "all" }> {
  if (stack === environmentStack) return { kind: "shared" };
  const prefix = `${environmentStack}-`;
  if (!stack.startsWith(prefix) || stack.length === prefix.length) throw new UnknownStackError(stack, environmentStack);
  const rest = stack.slice(prefix.length);
  const shard = /^bridge-([1-9]\d*)$/.exec(rest);
  if (shard) return { kind: "bridge-shard", shard: Number(shard[1]) };
  return { kind: "silo", tenantId: rest };
}
