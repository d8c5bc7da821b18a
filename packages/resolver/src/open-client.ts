// Opening one client: resolve the credential only when the connector needs one, then connect. Used by the resolver's
// pool and by the mover (through the public entry), so both open clients the same way.
import type { BackendClient, ConnectTarget, Connector } from "@tenantry/contract/backend/types";
import type { CredentialProvider } from "./credentials";

/** The target of a client without its secret: which cluster and which credential of the connection map. */
export type ClientTarget = Omit<ConnectTarget, "credentials">;

export async function openClient(connector: Connector, credentials: CredentialProvider | undefined, target: ClientTarget): Promise<BackendClient> {
  const secret = connector.needsCredentials && credentials ? await credentials.get(target.credentialKey, target.credentialRef) : undefined;
  return connector.connect({ ...target, credentials: secret });
}
