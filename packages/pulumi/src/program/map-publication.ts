// Publishes the connection map to SSM Parameter Store (format 2): one index parameter and K shard parameters of about
// TENANTS_PER_SHARD tenants each, so the parameter count and the plan grow with tenants / 8, not with tenants.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { publicationNames, publishedIndex, publishedShards, shardCount, tierFor } from "@tenantry/contract/connection-map/publication";
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { mapParameterPrefix, type NamingContext } from "@tenantry/contract/naming";

export { shardCount, shardOf, tierFor } from "@tenantry/contract/connection-map/publication";

export interface MapPublicationArgs {
  ctx: NamingContext;
  map: pulumi.Output<ConnectionMap>;
  /** How many tenants the map holds (fixes the shard count before any Output resolves). */
  tenantCount: number;
  awsRegion: string;
}

/** Thrown when a shard outgrows the Advanced tier (8 KB): the map cannot be published as declared. */
export class PublicationTooLargeError extends Error {
  override readonly name = "PublicationTooLargeError";
  constructor(
    readonly parameter: string,
    readonly chars: number,
  ) {
    super(`SSM parameter ${parameter} would hold ${chars} characters, more than the Advanced tier's 8192`);
  }
}

/**
 * The same value as `source`, recording `dependency` as its only resource. Every Output derived from the map carries
 * the map's whole dependency set (every cluster and secret); K shard parameters each carrying it made the plan grow
 * with shards × dedicated tenants. Uses the SDK's Output implementation constructor (`OutputImpl(resources, promise,
 * isKnown, isSecret, allResources)` in @pulumi/pulumi/output.js, pinned at 3.248.0): the SDK has no public way to
 * narrow dependencies. Unknown values (preview) stay unknown: the promise is taken with its unknowns.
 */
export function narrowedTo<T>(source: pulumi.Output<T>, dependency: pulumi.Resource): pulumi.Output<T> {
  const impl = source as unknown as {
    constructor: new (resources: Set<pulumi.Resource>, promise: Promise<T>, isKnown: Promise<boolean>, isSecret: Promise<boolean>, all: Promise<Set<pulumi.Resource>>) => pulumi.Output<T>;
    promise(withUnknowns?: boolean): Promise<T>;
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
  };
  return new impl.constructor(new Set([dependency]), impl.promise(true), impl.isKnown, impl.isSecret, Promise.resolve(new Set([dependency])));
}

/**
 * `insecureValue` keeps diffs readable; the map never holds a credential (checked by the schema and the tests).
 * Every shard's text is computed in ONE apply over the map (one pass over the tenants). Shard 0 depends on the map's
 * resources; shards 1…K-1 depend on shard 0 only (so after everything the map reads); the index, which names K, is
 * written last (dependsOn every shard), so a reader never sees a shard count whose shards do not exist yet.
 */
export class MapPublication extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:MapPublication";

  constructor(name: string, args: MapPublicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MapPublication.type, name, {}, opts);
    const prefix = mapParameterPrefix(args.ctx);
    const shards = shardCount(args.tenantCount);
    const texts = args.map.apply((m) => {
      const all = [...publishedShards(m, shards).map((s) => JSON.stringify(s)), JSON.stringify(publishedIndex(m, shards))];
      all.forEach((text, i) => {
        if (tierFor(text) === undefined) throw new PublicationTooLargeError(i === shards ? publicationNames.index(prefix) : publicationNames.shard(prefix, i), text.length);
      });
      return all;
    });
    const parameter = (resourceName: string, parameterName: string, source: pulumi.Output<string[]>, i: number, dependsOn: pulumi.Resource[] = []) => {
      const value = source.apply((all) => all[i] ?? "");
      return new aws.ssm.Parameter(
        resourceName,
        {
          name: parameterName,
          type: "String",
          // Advanced only when a shard outgrows Standard; AWS cannot move a parameter back to Standard.
          tier: value.apply((v) => tierFor(v) ?? "Advanced"),
          region: args.awsRegion,
          insecureValue: value,
        },
        { parent: this, dependsOn },
      );
    };
    const first = parameter(`${name}-shard-0`, publicationNames.shard(prefix, 0), texts, 0);
    const afterFirst = narrowedTo(texts, first);
    const rest = Array.from({ length: shards - 1 }, (_, k) => parameter(`${name}-shard-${k + 1}`, publicationNames.shard(prefix, k + 1), afterFirst, k + 1));
    parameter(`${name}-index`, publicationNames.index(prefix), afterFirst, shards, [first, ...rest]);
    this.registerOutputs({});
  }
}
