// Publishes the connection map to SSM Parameter Store (format 2): one index parameter and K shard parameters of about
// TENANTS_PER_SHARD tenants each, so the parameter count and the plan grow with tenants / 8, not with tenants.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { publicationNames, publishedIndex, publishedShards, shardCount, tierFor } from "../connection-map/publication";
import type { ConnectionMap } from "../connection-map/schema";
import { mapParameterPrefix, type NamingContext } from "../naming";

export { shardCount, shardOf, tierFor } from "../connection-map/publication";

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
 * `insecureValue` keeps diffs readable; the map never holds a credential (checked by the schema and the tests).
 * Every shard's text is computed in ONE apply over the map (one pass over the tenants); each parameter then picks its
 * own string. One apply per tenant, as format 1 did, made N Outputs that each carried the map's whole dependency set.
 */
export class MapPublication extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:MapPublication";

  constructor(name: string, args: MapPublicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MapPublication.type, name, {}, opts);
    const prefix = mapParameterPrefix(args.ctx);
    const shards = shardCount(args.tenantCount);
    const texts = args.map.apply((m) => {
      const all = [JSON.stringify(publishedIndex(m, shards)), ...publishedShards(m, shards).map((s) => JSON.stringify(s))];
      all.forEach((text, i) => {
        if (tierFor(text) === undefined) throw new PublicationTooLargeError(i === 0 ? publicationNames.index(prefix) : publicationNames.shard(prefix, i - 1), text.length);
      });
      return all;
    });
    const parameter = (resourceName: string, parameterName: string, i: number) => {
      const value = texts.apply((all) => all[i] ?? "");
      new aws.ssm.Parameter(
        resourceName,
        {
          name: parameterName,
          type: "String",
          // Advanced only when a shard outgrows Standard; AWS cannot move a parameter back to Standard.
          tier: value.apply((v) => tierFor(v) ?? "Advanced"),
          region: args.awsRegion,
          insecureValue: value,
        },
        { parent: this },
      );
    };
    parameter(`${name}-index`, publicationNames.index(prefix), 0);
    for (let n = 0; n < shards; n++) parameter(`${name}-shard-${n}`, publicationNames.shard(prefix, n), n + 1);
    this.registerOutputs({});
  }
}
