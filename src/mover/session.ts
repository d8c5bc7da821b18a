// What the move, export and import commands open: the map from a file, clients per endpoint, the control store and the
// journal on the control cluster. Library code: nothing here prints.
import { readFile } from "node:fs/promises";
import type { Connector } from "../backend/types";
import { ConnectionMap } from "../connection-map/schema";
import { collectionControlStore } from "../control/mongo-store";
import type { ControlStore } from "../control/types";
import { CONTROL_DATABASE, CONTROL_OVERRIDES_COLLECTION, MOVES_COLLECTION } from "../naming";
import type { BackendCollection } from "../backend/types";
import { awsSecretsManagerCredentials } from "../resolver/credentials";
import { mongoConnector } from "../resolver/mongo-connector";
import { type CredentialsProvider, type EndpointClients, endpointClients } from "./connect";
import { MoverError, UnknownMoveTenantError } from "./errors";
import type { MoveEndpoint } from "./state";

/** The map file is missing, not JSON, or not a valid connection map. */
export class MapFileError extends MoverError {
  override readonly name = "MapFileError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Reads a connection map: the map itself, or an object holding it as `connectionMap` (stack outputs, `tenantry plan --json`). */
export async function loadMapFile(file: string): Promise<ConnectionMap> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new MapFileError(file, "cannot read the file");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MapFileError(file, "not JSON");
  }
  const candidate = json !== null && typeof json === "object" && "connectionMap" in json ? (json).connectionMap : json;
  const parsed = ConnectionMap.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MapFileError(file, `not a valid connection map: ${issue ? `${issue.path.join(".")} ${issue.message}` : "invalid"}`);
  }
  return parsed.data;
}

export interface SessionOptions {
  map: ConnectionMap;
  tenantId: string;
  /**
   * One server for every cluster of the map (local and dev use; `--uri` / TENANTRY_MONGODB_URI). Never printed.
   * Credentials must not be in it: use a server without auth or pass them through the environment the driver reads.
   */
  uri?: string;
  /** Cluster key holding `tenantry.overrides` and `tenantry.tenantry_moves`. @default defaultControlCluster() */
  controlCluster?: string;
  /** Replaces the driver connector (tests: the memory connector). */
  connector?: Connector;
  /** @default Secrets Manager, for connectors that need credentials */
  credentials?: CredentialsProvider;
}

export interface Session {
  clients: EndpointClients;
  control: ControlStore;
  journal: BackendCollection;
  /** True when every cluster reaches one server (then namespaces must differ by database or collection). */
  singleServer: boolean;
  close(): Promise<void>;
}

/**
 * The first shared cluster (by key) of the tenant's residency, else the tenant's current cluster. Not simply the
 * current cluster: after a pool → silo move and `pulumi up` that would be the silo, and `move finish` / `cleanup` /
 * `status` would look for the journal on the wrong cluster. Resolvers must poll the same place.
 */
export function defaultControlCluster(map: ConnectionMap, tenantId: string): string {
  const entry = map.tenants[tenantId];
  if (!entry) throw new UnknownMoveTenantError(tenantId);
  const shared = Object.keys(map.clusters)
    .sort()
    .find((key) => map.clusters[key]?.kind === "shared" && map.clusters[key]?.residency === entry.residency);
  return shared ?? entry.cluster;
}

/** Opens the clients, the control store and the journal for one tenant's move, export or import. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { map, tenantId } = options;
  const entry = map.tenants[tenantId];
  if (!entry) throw new UnknownMoveTenantError(tenantId);
  const uri = options.uri;
  const connector = options.connector ?? (uri ? mongoConnector({ uri: () => uri, appName: "tenantry-mover" }) : mongoConnector({ appName: "tenantry-mover" }));
  const secrets = awsSecretsManagerCredentials();
  const credentials: CredentialsProvider = options.credentials ?? ((key, ref) => secrets.get(key, ref));
  const clients = endpointClients(connector, credentials);
  const controlKey = options.controlCluster ?? defaultControlCluster(map, tenantId);
  const cluster = map.clusters[controlKey];
  if (!cluster) throw new MoverError(`--control-cluster ${controlKey} is not a cluster of the connection map`);
  // The control cluster is reached with the credential of a route on it (the tenant's, or any tenant's there).
  const onCluster = [entry, ...(entry.target ? [entry.target] : []), ...Object.values(map.tenants)].find((r) => r.cluster === controlKey);
  if (!onCluster) throw new MoverError(`no route of the map uses cluster ${controlKey}: no credential to reach it`);
  const credentialRef = map.credentials[onCluster.credential];
  if (!credentialRef) throw new MoverError(`unknown credential ${onCluster.credential}`);
  const endpoint: MoveEndpoint = {
    route: { stage: onCluster.stage, cluster: controlKey, credential: onCluster.credential, database: CONTROL_DATABASE, collections: {} },
    cluster,
    credentialRef,
  };
  const db = (await clients.connect(endpoint)).db(CONTROL_DATABASE);
  return {
    clients,
    control: collectionControlStore(db.collection(CONTROL_OVERRIDES_COLLECTION)),
    journal: db.collection(MOVES_COLLECTION),
    singleServer: uri !== undefined,
    close: () => clients.close(),
  };
}
