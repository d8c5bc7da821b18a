// mongoConnector end to end: credentials from envCredentials() / staticCredentials() reach the server as auth options,
// never inside a URI, a command event or an error. Runs against the server at MONGODB_URI.
// Not proven here: that a wrong password is refused (FerretDB's SQLite handler accepts any PLAIN password), SCRAM
// against a user store, TLS and SRV resolution (Atlas), AWS Secrets Manager (awsSecretsManagerCredentials is unit-tested
// with a fake reader in resolver.test.ts).
import { MongoClient } from "mongodb";
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from "mongodb";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BackendClient, ConnectTarget, Connector } from "../../packages/contract/src/backend/types";
import { CredentialsUnavailableError, createResolver, credentialEnvNames, envCredentials, mongoConnector, staticCredentials } from "../../packages/resolver/src";
import type { CredentialProvider, Resolver } from "../../packages/resolver/src";
import { MONGODB_URI, mongoTestBackend } from "../support/backends";
import type { TestBackend } from "../support/backends";
import { serverFeature } from "../support/server";
import { testMap } from "./fixtures";

const SHARED_PASSWORD = "pw-shared-Zq8!x";
const SILO_PASSWORD = "pw-sigma-Kc3#y";

describe("mongoConnector: which connectors ask for credentials", () => {
  const local = (): string => "mongodb://127.0.0.1:1/";
  test.each([
    ["Atlas (no uri)", true, {}],
    ["uri, default", false, { uri: local }],
    ["uri, authenticate: true", true, { uri: local, authenticate: true }],
    ["no uri, authenticate: false", false, { authenticate: false }],
  ])("%s → needsCredentials %s", (_name, needs, options) => {
    expect(mongoConnector(options).needsCredentials).toBe(needs);
  });
});

/** Keeps every client the connector opens, with the credential it was opened for. */
function recording(inner: Connector): Connector & { opened: { target: ConnectTarget; client: MongoClient }[] } {
  const opened: { target: ConnectTarget; client: MongoClient }[] = [];
  return {
    needsCredentials: inner.needsCredentials,
    opened,
    async connect(target): Promise<BackendClient> {
      const client = await inner.connect(target);
      opened.push({ target, client: client as unknown as MongoClient });
      return client;
    },
  };
}

async function authenticatedUser(client: MongoClient): Promise<string | undefined> {
  const status = await client.db("admin").command({ connectionStatus: 1 });
  return (status.authInfo as { authenticatedUsers: { user: string }[] }).authenticatedUsers[0]?.user;
}

describe.skipIf(!MONGODB_URI)("mongoConnector against real MongoDB (MONGODB_URI)", () => {
  const uri = MONGODB_URI ?? "";
  let backend: TestBackend;
  let resolver: Resolver | undefined;
  let events: string[];

  beforeEach(() => {
    backend = mongoTestBackend(uri);
    events = [];
  });
  afterEach(async () => {
    await resolver?.close();
    resolver = undefined;
    await backend.close();
  });

  /** A resolver whose driver clients authenticate with `credentials` over SASL PLAIN and record every command event. */
  function open(credentials: CredentialProvider, mechanism: "PLAIN" | "SCRAM-SHA-256" = "PLAIN") {
    const connector = recording(
      mongoConnector({ uri: () => uri, authenticate: true, appName: "tenantry-e2e", clientOptions: { authMechanism: mechanism, monitorCommands: true, serverSelectionTimeoutMS: 10_000 } }),
    );
    const wrapped: Connector = {
      needsCredentials: connector.needsCredentials,
      async connect(target) {
        const client = await connector.connect(target);
        const mc = client as unknown as MongoClient;
        // Everything an APM tool subscribed to command monitoring would see (bigint cursor ids as strings).
        const keep = (e: CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent) => events.push(JSON.stringify(e, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
        mc.on("commandStarted", keep).on("commandSucceeded", keep).on("commandFailed", keep);
        return client;
      },
    };
    resolver = createResolver({ map: testMap((b) => backend.database(b)), connector: wrapped, credentials });
    return { resolver, connector };
  }

  test("envCredentials: each credential of the map authenticates its own client; the password is in no URI or event", async (ctx) => {
    const plain = await serverFeature(uri, "plain-auth");
    if (!plain.ok) ctx.skip(plain.reason);
    const shared = credentialEnvNames("shared:eu");
    const silo = credentialEnvNames("tenant:sigma");
    const env = { [shared.username]: "app-eu", [shared.password]: SHARED_PASSWORD, [silo.username]: "sigma-user", [silo.password]: SILO_PASSWORD };
    const { resolver: r, connector } = open(envCredentials(env));
    const acme = r.forTenant({ tenantId: "acme" }).collection("users");
    const sigma = r.forTenant({ tenantId: "sigma" }).collection("users");
    await acme.insertOne({ email: "a@x" });
    await sigma.insertOne({ email: "s@x" });
    expect(await acme.find({}).project({ _id: 0, email: 1, tenant_id: 1 }).toArray()).toEqual([{ email: "a@x", tenant_id: "acme" }]);
    expect(await sigma.countDocuments({})).toBe(1);

    expect(connector.opened.map((o) => o.target.credentialKey).sort()).toEqual(["shared:eu", "tenant:sigma"]);
    for (const { target, client } of connector.opened) {
      expect(await authenticatedUser(client)).toBe(target.credentialKey === "shared:eu" ? "app-eu" : "sigma-user");
      // The connection string the client was built from is exactly the configured one: no user info added to it.
      expect(client.options.hosts.map(String)).toEqual([new URL(uri).host]);
      expect(JSON.stringify(client.options.hosts)).not.toContain("pw-");
    }
    expect(events.length).toBeGreaterThan(0);
    // Plain text, and the SASL PLAIN payload as the driver would encode it ("\0user\0password", base64).
    const payloads = [SHARED_PASSWORD, SILO_PASSWORD, Buffer.from(`\0app-eu\0${SHARED_PASSWORD}`).toString("base64"), Buffer.from(`\0sigma-user\0${SILO_PASSWORD}`).toString("base64")];
    for (const event of events) for (const secret of payloads) expect(event).not.toContain(secret);
  });

  test("staticCredentials: the same, credentials given in code", async (ctx) => {
    const plain = await serverFeature(uri, "plain-auth");
    if (!plain.ok) ctx.skip(plain.reason);
    const { resolver: r, connector } = open(staticCredentials({ "shared:eu": { username: "static-app", password: SHARED_PASSWORD } }));
    await r.forTenant({ tenantId: "beta" }).collection("users").insertOne({ email: "b@x" });
    expect(connector.opened).toHaveLength(1);
    expect(await authenticatedUser(connector.opened[0]!.client)).toBe("static-app");
    for (const event of events) expect(event).not.toContain(SHARED_PASSWORD);
  });

  test("a credential missing from the environment: typed error naming the variables, nothing opened", async () => {
    const { resolver: r, connector } = open(envCredentials({}));
    const names = credentialEnvNames("shared:eu");
    const error = await r
      .forTenant({ tenantId: "acme" })
      .collection("users")
      .insertOne({ email: "a@x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(error).toMatchObject({ credentialKey: "shared:eu", message: `credentials [shared:eu] unavailable: set ${names.username} and ${names.password}` });
    expect(connector.opened).toEqual([]);
  });

  test("a refused authentication reports the server's error without the password", async () => {
    // SCRAM needs a user store: FerretDB's SQLite handler refuses the mechanism, a mongod refuses the unknown user.
    const { resolver: r } = open(staticCredentials({ "shared:eu": { username: "nobody", password: SHARED_PASSWORD } }), "SCRAM-SHA-256");
    const error = await r
      .forTenant({ tenantId: "acme" })
      .collection("users")
      .countDocuments({})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "MongoServerError", codeName: "AuthenticationFailed" });
    const seen = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""}`;
    expect(seen).not.toContain(SHARED_PASSWORD);
    for (const event of events) expect(event).not.toContain(SHARED_PASSWORD);
  });
});
