// The default Connector: the official `mongodb` driver, one MongoClient per (cluster, credential).
import { MongoClient } from "mongodb";
import type { MongoClientOptions } from "mongodb";
import type { BackendClient, ConnectTarget, Connector } from "@tenantry/contract/backend/types";

export interface MongoConnectorOptions {
  /** `appName` the cluster sees in its logs and `currentOp`. @default "tenantry" */
  appName?: string;
  /**
   * Connection string to use instead of `mongodb+srv://<srvHost>/` (tests against a local server, a proxy).
   * It must not carry credentials: they are passed as `auth` options, never inside a URI that could be logged.
   */
  uri?: (target: ConnectTarget) => string;
  /**
   * Whether the resolver resolves credentials (its `credentials` provider) and passes them as `auth`. With `uri` set
   * they used to be dropped silently, so a local server with access control could not be reached with
   * `envCredentials()` or `staticCredentials()`; set this to `true` for that.
   * @default true without `uri` (Atlas always needs credentials), false with `uri`
   */
  authenticate?: boolean;
  /** Extra driver options (pool sizes, timeouts, TLS); Tenantry's own settings win on conflict. */
  clientOptions?: MongoClientOptions;
}

/** A credential target with no credentials where credentials are needed. */
export class MissingCredentialsError extends Error {
  override readonly name = "MissingCredentialsError";
  constructor(
    /** Connection-map key of the credential. */
    readonly credentialKey: string,
  ) {
    super(`no credentials resolved for credential [${credentialKey}]`);
  }
}

/**
 * Opens real driver clients. Credentials go to the driver as `auth` options, so no URI with a password ever exists;
 * `retryWrites` and `w: majority` are always on (a retried write after a failover must not be lost or duplicated).
 */
export function mongoConnector(options: MongoConnectorOptions = {}): Connector {
  const authenticate = options.authenticate ?? options.uri === undefined;
  return {
    needsCredentials: authenticate,
    async connect(target: ConnectTarget): Promise<BackendClient> {
      const uri = options.uri ? options.uri(target) : `mongodb+srv://${target.cluster.srvHost}/`;
      if (authenticate && !target.credentials) throw new MissingCredentialsError(target.credentialKey);
      const clientOptions: MongoClientOptions = {
        ...options.clientOptions,
        appName: options.appName ?? "tenantry",
        retryWrites: true,
        writeConcern: { w: "majority" },
      };
      if (authenticate && target.credentials) clientOptions.auth = { username: target.credentials.username, password: target.credentials.password };
      const client = new MongoClient(uri, clientOptions);
      await client.connect();
      return client;
    },
  };
}
