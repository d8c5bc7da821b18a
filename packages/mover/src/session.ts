// What the move, export and import commands open: the map from a file, clients per endpoint, and the control collection
// (the moves' state documents) on the control cluster. Library code: nothing here prints.
import type { Connector } from "@tenantry/contract/backend/types";
import { ConnectionMap, type ControlLocation } from "@tenantry/contract/connection-map/schema";
import { parseMapDocument } from "@tenantry/contract/connection-map/document";
import { readTextFileAsync } from "@tenantry/contract/files";
import { CONTROL_DATABASE, CONTROL_OVERRIDES_COLLECTION, MOVES_COLLECTION } from "@tenantry/contract/naming";
import type { BackendCollection } from "@tenantry/contract/backend/types";
import { awsSecretsManagerCredentials, type CredentialProvider, mongoConnector } from "@tenantry/resolver";
import { type EndpointClients, endpointClients } from "./connect";
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
  const text = await readTextFileAsync(file);
  if (text === undefined) throw new MapFileError(file, "file not found");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MapFileError(file, "not JSON");
  }
  const parsed = parseMapDocument(json);
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
  /** Cluster key holding the overrides and the move journal (`--control-cluster`). @default the map's `control.cluster` */
  controlCluster?: string | undefined;
  /** Replaces the driver connector (tests: the memory connector). */
  connector?: Connector;
  /** @default Secrets Manager, for connectors that need credentials */
  credentials?: CredentialProvider;
  /** Milliseconds to find a server before the driver fails with its reason (`serverSelectionTimeoutMS`). @default the driver's 30000 */
  timeoutMs?: number | undefined;
}

/** Clients to a tenant's endpoints, without the control location (export, import). */
export interface EndpointSession {
  clients: EndpointClients;
  /** True when every cluster reaches one server (then namespaces must differ by database or collection). */
  singleServer: boolean;
  close(): Promise<void>;
}

export interface Session extends EndpointSession {
  /** The control collection: one move state document per tenant, polled by every resolver. */
  store: BackendCollection;
  /** Earlier moves' state documents (`tenantry_moves` beside the control collection). */
  history: BackendCollection;
}

/** The connection map declares no control location and no `--control-cluster` was given. */
export class NoControlLocationError extends MoverError {
  override readonly name = "NoControlLocationError";
  constructor() {
    super(
      "the connection map declares no control location (`control`): regenerate it with pulumi up (or tenantry plan --out), " +
        "or pass --control-cluster <key> and give every resolver the same store",
    );
  }
}

/**
 * Where the mover writes overrides and its journal: the map's `control` (the one location every resolver polls by
 * default), or `--control-cluster` when given. No fallback to a cluster of the tenant's zone: resolvers would not poll
 * it, so a freeze there would reach nobody (fail closed instead). On another cluster than the map's, the credential is
 * that of a route there, a pool route first (the shared application user, the one with readWrite on the control
 * database); database and collection stay the map's, else the program's names.
 */
export function controlLocation(map: ConnectionMap, controlCluster?: string): ControlLocation {
  if (controlCluster === undefined || controlCluster === map.control?.cluster) {
    if (!map.control) throw new NoControlLocationError();
    return map.control;
  }
  if (!map.clusters[controlCluster]) throw new MoverError(`--control-cluster ${controlCluster} is not a cluster of the connection map`);
  const routes = Object.values(map.tenants).flatMap((t) => (t.target ? [t, t.target] : [t])).filter((r) => r.cluster === controlCluster);
  const onCluster = routes.find((r) => r.stage === "pool") ?? routes[0];
  if (!onCluster) throw new MoverError(`no route of the map uses cluster ${controlCluster}: no credential to reach it`);
  return {
    cluster: controlCluster,
    credential: onCluster.credential,
    database: map.control?.database ?? CONTROL_DATABASE,
    collection: map.control?.collection ?? CONTROL_OVERRIDES_COLLECTION,
  };
}

/**
 * Opens (lazily) the clients of one tenant's export or import: no control location needed, none opened, so maps
 * without `control` still work for per-tenant backups.
 */
export function openEndpoints(options: Omit<SessionOptions, "controlCluster">): EndpointSession {
  const { map, tenantId } = options;
  if (!map.tenants[tenantId]) throw new UnknownMoveTenantError(tenantId);
  const uri = options.uri;
  // https://www.mongodb.com/docs/drivers/node/current/connect/connection-options/ (serverSelectionTimeoutMS, connectTimeoutMS)
  const clientOptions = options.timeoutMs === undefined ? {} : { clientOptions: { serverSelectionTimeoutMS: options.timeoutMs, connectTimeoutMS: options.timeoutMs } };
  const connector =
    options.connector ?? (uri ? mongoConnector({ uri: () => uri, appName: "tenantry-mover", ...clientOptions }) : mongoConnector({ appName: "tenantry-mover", ...clientOptions }));
  const clients = endpointClients(connector, options.credentials ?? awsSecretsManagerCredentials());
  return { clients, singleServer: uri !== undefined, close: () => clients.close() };
}

/** Opens the clients and the control collection (state documents, history) for one tenant's move (or import). */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { map, tenantId } = options;
  if (!map.tenants[tenantId]) throw new UnknownMoveTenantError(tenantId);
  const location = controlLocation(map, options.controlCluster);
  const endpoints = openEndpoints(options);
  const { clients } = endpoints;
  // Both exist: the schema checks map.control's keys, controlLocation checks --control-cluster and its route.
  const cluster = map.clusters[location.cluster] as ConnectionMap["clusters"][string];
  const credentialRef = map.credentials[location.credential] as ConnectionMap["credentials"][string];
  const endpoint: MoveEndpoint = {
    route: { stage: "pool", cluster: location.cluster, credential: location.credential, database: location.database, collections: {} },
    cluster,
    credentialRef,
  };
  const db = (await clients.connect(endpoint)).db(location.database);
  return {
    clients,
    store: db.collection(location.collection),
    history: db.collection(MOVES_COLLECTION),
    singleServer: endpoints.singleServer,
    close: () => endpoints.close(),
  };
}
