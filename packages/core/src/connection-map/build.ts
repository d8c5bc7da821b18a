// Assembles the connection map from plain values (hosts, ARNs, placements) and validates it; no Pulumi here.
import { collectionName, CONTROL_DATABASE, CONTROL_OVERRIDES_COLLECTION, credentialKey, databaseName, sharedClusterKey, TENANT_FIELD, USER_FIELD, type NamingContext } from "@tenantry/contract/naming";
import type { Location, Placement } from "../placement/types";
import type { CollectionSpec } from "../registry/schema";
import { ConnectionMap, type ClusterEntry, type ControlLocation, type CredentialRef, type Route } from "@tenantry/contract/connection-map/schema";

/** Thrown when a connection string is not a `mongodb+srv://` URI or carries credentials. */
export class SrvHostError extends Error {
  override readonly name = "SrvHostError";
  constructor(readonly value: string) {
    super(`expected a mongodb+srv:// connection string without credentials, got ${value.includes("@") ? "a URI with credentials" : JSON.stringify(value)}`);
  }
}

/** `mongodb+srv://app-eu.abcde.mongodb.net/?x=y` → `app-eu.abcde.mongodb.net`; refuses URIs with credentials. */
export function srvHostOf(standardSrv: string): string {
  const match = /^mongodb\+srv:\/\/([^/?#]+)/.exec(standardSrv);
  const host = match?.[1];
  if (!host || host.includes("@")) throw new SrvHostError(standardSrv);
  return host;
}

/** A cluster as the program knows it once its outputs resolved. */
export interface ClusterFacts extends Omit<ClusterEntry, "srvHost"> {
  /** Map key (`shared:<name>` / `silo:<tenant>`). */
  key: string;
  /** `connectionStrings.standardSrv` of the cluster. */
  standardSrv: string;
}

export interface CredentialFacts extends Omit<CredentialRef, "kind"> {
  key: string;
}

export interface MapInput {
  ctx: NamingContext;
  collections: readonly CollectionSpec[];
  clusters: readonly ClusterFacts[];
  credentials: readonly CredentialFacts[];
  placements: readonly Placement[];
  /** Map keys of each tenant's location (`routeKeys`). */
  keysOf: (tenantId: string, location: Location) => { cluster: string; credential: string };
  /** Name of the shared cluster holding the environment's control location (`Layout.controlCluster`); none → no `control`. */
  controlCluster?: string | undefined;
}

/** The control location on a shared cluster: its shared application credential, `tenantry.overrides`. */
export function controlLocation(sharedCluster: string): ControlLocation {
  return {
    cluster: sharedClusterKey(sharedCluster),
    credential: credentialKey.shared(sharedCluster),
    database: CONTROL_DATABASE,
    collection: CONTROL_OVERRIDES_COLLECTION,
  };
}

function route(input: MapInput, tenantId: string, location: Location): Route {
  return {
    stage: location.stage,
    ...input.keysOf(tenantId, location),
    database: databaseName(input.ctx),
    collections: Object.fromEntries(input.collections.map((c) => [c.name, collectionName(location.stage, tenantId, c.name)])),
  };
}

/** The connection map v1, validated with the shared schema (throws the zod error when the program built it wrong). */
export function assembleConnectionMap(input: MapInput): ConnectionMap {
  const map: ConnectionMap = {
    version: 1,
    environment: input.ctx.environment,
    clusters: Object.fromEntries(
      input.clusters.map(({ key, standardSrv, ...rest }) => [key, { ...rest, srvHost: srvHostOf(standardSrv) }]),
    ),
    credentials: Object.fromEntries(input.credentials.map(({ key, ...rest }) => [key, { kind: "aws-secrets-manager" as const, ...rest }])),
    collections: Object.fromEntries(input.collections.map((c) => [c.name, { scope: c.scope }])),
    tenants: Object.fromEntries(
      input.placements.map((p) => [
        p.tenantId,
        {
          ...route(input, p.tenantId, p.current),
          status: p.status,
          residency: p.residency,
          partition: { tenantField: TENANT_FIELD, tenantValue: p.tenantId, userField: USER_FIELD },
          ...(p.target && { target: route(input, p.tenantId, p.target) }),
        },
      ]),
    ),
    ...(input.controlCluster !== undefined && { control: controlLocation(input.controlCluster) }),
  };
  return ConnectionMap.parse(map);
}
