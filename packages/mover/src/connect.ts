// Opens one client per (cluster, credential) for the mover's endpoints through a Connector, and closes them all.
import type { BackendClient, Connector } from "@tenantry/contract/backend/types";
import { type CredentialProvider, openClient } from "@tenantry/resolver";
import type { MoveEndpoint } from "./state";

export interface EndpointClients {
  /** The client of one side of a move (cached per cluster and credential). */
  connect(endpoint: MoveEndpoint): Promise<BackendClient>;
  /** Closes every client opened. */
  close(): Promise<void>;
}

/** Client cache over a Connector; credentials are resolved only when the connector needs them. */
export function endpointClients(connector: Connector, credentials?: CredentialProvider): EndpointClients {
  const clients = new Map<string, Promise<BackendClient>>();
  return {
    connect(endpoint) {
      const key = `${endpoint.route.cluster}\u0000${endpoint.route.credential}`;
      let client = clients.get(key);
      if (!client) {
        client = openClient(connector, credentials, {
          clusterKey: endpoint.route.cluster,
          cluster: endpoint.cluster,
          credentialKey: endpoint.route.credential,
          credentialRef: endpoint.credentialRef,
        });
        clients.set(key, client);
        // A failed connect must not stay cached: the next call tries again.
        client.catch(() => clients.delete(key));
      }
      return client;
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      for (const c of all) {
        const client = await c.catch(() => undefined);
        await client?.close();
      }
    },
  };
}
