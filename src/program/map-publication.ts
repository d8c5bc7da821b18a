// Publishes the connection map to SSM Parameter Store: one self-contained parameter per tenant plus one for the rest.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionMap } from "../connection-map/schema";
import { mapParameterPrefix, type NamingContext } from "../naming";

/** Standard-tier SSM parameters hold at most 4096 characters (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html). */
export const STANDARD_TIER_MAX = 4096;

/** What a tenant's parameter holds: its entry plus the clusters and credentials it references, so one read routes it. */
export function tenantSlice(map: ConnectionMap, tenantId: string): object {
  const tenant = map.tenants[tenantId];
  if (!tenant) throw new Error(`tenant [${tenantId}] is not in the connection map`);
  const routes = tenant.target ? [tenant, tenant.target] : [tenant];
  return {
    version: map.version,
    environment: map.environment,
    tenantId,
    tenant,
    clusters: Object.fromEntries(routes.map((r) => [r.cluster, map.clusters[r.cluster]])),
    credentials: Object.fromEntries(routes.map((r) => [r.credential, map.credentials[r.credential]])),
  };
}

/** The index parameter: what every tenant shares, including the control location and the cluster and credential it names. */
export function indexOf(map: ConnectionMap): object {
  const { version, environment, collections, control } = map;
  if (!control) return { version, environment, collections };
  return {
    version,
    environment,
    collections,
    control,
    clusters: { [control.cluster]: map.clusters[control.cluster] },
    credentials: { [control.credential]: map.credentials[control.credential] },
  };
}

/** The parameter tier a value needs: Standard up to 4096 characters, else Advanced (8 KB). */
export function tierFor(value: string): "Standard" | "Advanced" {
  return value.length <= STANDARD_TIER_MAX ? "Standard" : "Advanced";
}

export interface MapPublicationArgs {
  ctx: NamingContext;
  map: pulumi.Output<ConnectionMap>;
  tenantIds: readonly string[];
  awsRegion: string;
}

/** `insecureValue` keeps diffs readable; the map never holds a credential (checked by the schema and the tests). */
export class MapPublication extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:MapPublication";

  constructor(name: string, args: MapPublicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MapPublication.type, name, {}, opts);
    const prefix = mapParameterPrefix(args.ctx);
    new aws.ssm.Parameter(
      `${name}-index`,
      {
        name: `${prefix}/index`,
        type: "String",
        region: args.awsRegion,
        insecureValue: args.map.apply((m) => JSON.stringify(indexOf(m))),
      },
      { parent: this },
    );
    for (const tenantId of args.tenantIds) {
      const value = args.map.apply((m) => JSON.stringify(tenantSlice(m, tenantId)));
      new aws.ssm.Parameter(
        `${name}-tenant-${tenantId}`,
        {
          name: `${prefix}/tenants/${tenantId}`,
          type: "String",
          // Advanced only when a slice outgrows Standard; AWS cannot move a parameter back to Standard.
          tier: value.apply(tierFor),
          region: args.awsRegion,
          insecureValue: value,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
