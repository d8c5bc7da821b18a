// Credential providers: turn a connection map credential reference into a username and password, in memory only.
import type { DatabaseCredentials } from "@tenantry/contract/backend/types";
import type { CredentialRef } from "@tenantry/contract/connection-map/schema";
import { CredentialsUnavailableError } from "./errors";

/** Resolves one credential of the connection map. Implementations cache; the resolver calls it once per client. */
export interface CredentialProvider {
  get(credentialKey: string, ref: CredentialRef): Promise<DatabaseCredentials>;
}

function parseSecret(credentialKey: string, text: string | undefined): DatabaseCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    // Never echo the secret text, not even in an error.
    throw new CredentialsUnavailableError(credentialKey, "the secret is not JSON");
  }
  const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== "string" || typeof password !== "string" || !username || !password) {
    throw new CredentialsUnavailableError(credentialKey, "the secret JSON needs string fields username and password");
  }
  return { username, password };
}

/** The part of a Secrets Manager client this provider uses (inject a fake in tests). */
export interface SecretsReader {
  getSecretString(secretArn: string, region: string): Promise<string | undefined>;
}

export interface AwsSecretsManagerOptions {
  /** How long a secret stays cached; rotation is picked up after this. @default 300000 (5 minutes) */
  ttlMs?: number;
  /** Reads secrets; default: `@aws-sdk/client-secrets-manager`, one client per region, default AWS credential chain. */
  reader?: SecretsReader;
}

function sdkReader(): SecretsReader {
  const clients = new Map<string, Promise<{ send(command: unknown): Promise<{ SecretString?: string }> }>>();
  return {
    async getSecretString(secretArn, region) {
      let client = clients.get(region);
      if (!client) {
        // Loaded on first use: applications that bring their own provider never load the AWS SDK.
        client = import("@aws-sdk/client-secrets-manager").then((sdk) => new sdk.SecretsManagerClient({ region }) as never);
        clients.set(region, client);
      }
      const sdk = await import("@aws-sdk/client-secrets-manager");
      const out = await (await client).send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
      return out.SecretString;
    },
  };
}

/**
 * Default provider: the secret named by `ref.secretArn` in `ref.region`, whose JSON is `{ "username", "password" }`.
 * Results are cached per secret for `ttlMs`; a failed read is not cached.
 */
export function awsSecretsManagerCredentials(options: AwsSecretsManagerOptions = {}): CredentialProvider {
  const ttlMs = options.ttlMs ?? 300_000;
  const reader = options.reader ?? sdkReader();
  const cache = new Map<string, { value: Promise<DatabaseCredentials>; expires: number }>();
  return {
    get(credentialKey, ref) {
      const hit = cache.get(ref.secretArn);
      if (hit && hit.expires > Date.now()) return hit.value;
      const value = reader.getSecretString(ref.secretArn, ref.region).then(
        (text) => parseSecret(credentialKey, text),
        (error: unknown) => {
          throw new CredentialsUnavailableError(credentialKey, `reading secret ${ref.secretArn} failed`, { cause: error });
        },
      );
      cache.set(ref.secretArn, { value, expires: Date.now() + ttlMs });
      value.catch(() => cache.delete(ref.secretArn));
      return value;
    },
  };
}

/** The environment variable names `envCredentials` reads for a credential key (non-alphanumerics become `_`). */
export function credentialEnvNames(credentialKey: string): { username: string; password: string } {
  const key = credentialKey.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return { username: `TENANTRY_CREDENTIALS_${key}_USERNAME`, password: `TENANTRY_CREDENTIALS_${key}_PASSWORD` };
}

/**
 * Credentials from environment variables, for local runs and CI: credential `shared:app-eu` reads
 * `TENANTRY_CREDENTIALS_SHARED_APP_EU_USERNAME` and `..._PASSWORD`.
 */
export function envCredentials(env: Readonly<Record<string, string | undefined>> = process.env): CredentialProvider {
  return {
    async get(credentialKey) {
      await Promise.resolve();
      const names = credentialEnvNames(credentialKey);
      const username = env[names.username];
      const password = env[names.password];
      if (!username || !password) throw new CredentialsUnavailableError(credentialKey, `set ${names.username} and ${names.password}`);
      return { username, password };
    },
  };
}

/** Credentials given in code, keyed by credential key (tests, local development). */
export function staticCredentials(credentials: Readonly<Record<string, DatabaseCredentials>>): CredentialProvider {
  const table = new Map(Object.entries(credentials));
  return {
    async get(credentialKey) {
      await Promise.resolve();
      const found = table.get(credentialKey);
      if (!found) throw new CredentialsUnavailableError(credentialKey, "not in the static credentials");
      return { ...found };
    },
  };
}
