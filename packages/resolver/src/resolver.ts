// createResolver: validates the connection map, routes {tenantId, userId} to scoped collections, owns clients and polling.
import type { Document } from "mongodb";
import type { Connector } from "@tenantry/contract/backend/types";
import { openAdminScope } from "./admin/scope";
import type { AdminContext, AdminOptions, AdminScope } from "./admin/scope";
import { safeHook } from "./audit";
import type { CallAuditHook } from "./audit";
import { ConnectionMap } from "@tenantry/contract/connection-map/schema";
import { ClientPool } from "./clients";
import type { PoolStats } from "./clients";
import { ControlSnapshot, mapControlStore } from "./control";
import type { ControlOptions } from "./control";
import { awsSecretsManagerCredentials } from "./credentials";
import type { CredentialProvider } from "./credentials";
import { InvalidConnectionMapError, MalformedContextError, ResolverClosedError, TenantOffboardedError, UndeclaredCollectionError, UnknownTenantError } from "./errors";
import { idProblem } from "./ids";
import { mongoConnector } from "./mongo-connector";
import { compileMap } from "./routing";
import type { CompiledMap, RouteInfo } from "./routing";
import { ScopedCollectionImpl, effectiveRoute } from "./scoped-collection";
import type { ResolverCore, ScopedCollection } from "./scoped-collection";

export interface ResolverOptions {
  /** The connection map exactly as exported (stack output `connectionMap`, or `connectionMap` of `tenantry plan --json`). */
  map: unknown;
  /** Opens clients. @default mongoConnector() (the official driver) */
  connector?: Connector;
  /** Resolves credential references (skipped for connectors that need none). @default awsSecretsManagerCredentials() */
  credentials?: CredentialProvider;
  /**
   * Runtime overrides of moves (freeze, route to target), polled in the background.
   * - omitted: the map's `control` location when the map declares one (default intervals); nothing to poll otherwise;
   * - `{ store, … }`: that store, whatever the map says;
   * - `{ refreshMs?, failClosedAfterMs? }` without `store`: the map's `control` location, which the map must declare
   *   (else InvalidConnectionMapError);
   * - `false`: never poll. The resolver then never sees a move's freeze or cut-over: only for tools and tests.
   * Once the resolver polls the map's location, `reload` follows it when it moves and refuses a map without one.
   * @default the map's control location, when the map declares one
   */
  control?: ControlOptions | false;
  /**
   * Most clients kept open for per-tenant credentials (bridge / silo users); least recently used idle ones are closed
   * beyond it. Shared credentials are not counted. @default 100
   */
  maxClients?: number;
  /** Background failures (control store reads, closing clients, a throwing `audit` hook). The resolver never prints. @default ignore */
  onError?: (error: unknown) => void;
  /**
   * Called after every call of every tenant scope with `{ tenantId, userId, collection, operation, count, durationMs }`
   * (and `error` when it failed): an audit trail per user. Synchronous; a throw goes to `onError`. @default off (no cost)
   */
  audit?: CallAuditHook;
  /** The operator scope's audit log, sink and fan-out concurrency (see `admin()`). */
  admin?: AdminOptions;
}

/** Who is asking: the tenant and, for user-private collections, the user. */
export interface TenantContext {
  tenantId: string;
  userId?: string;
}

/** A tenant's (or a tenant user's) scope: its route and its view of each declared collection. */
export interface TenantScope {
  readonly tenantId: string;
  readonly userId: string | undefined;
  /** Stage, cluster key and database the scope's operations go to now (follows reloads and move cut-overs). */
  readonly route: RouteInfo;
  /**
   * The tenant's view of a declared logical collection. Throws UndeclaredCollectionError for any other name, and
   * MalformedContextError when the collection is user-scoped and the scope has no userId.
   */
  collection<TSchema extends Document = Document>(name: string): ScopedCollection<TSchema>;
}

export interface Resolver {
  /** The map's environment. */
  readonly environment: string;
  /**
   * The scope of `{ tenantId, userId }`. Throws MalformedContextError (missing, empty, non-string or unsafe ids),
   * UnknownTenantError, TenantOffboardedError. Allocates no client; a warm call is a validation and a map lookup.
   */
  forTenant(context: TenantContext): TenantScope;
  /**
   * Swaps in a new map atomically (throws InvalidConnectionMapError and keeps the old one if invalid). Operations in
   * flight finish on the client they started with; clients no route uses any more close once idle.
   */
  reload(map: unknown): void;
  /** Reads the control store now instead of waiting for the next poll (after a freeze, in tests). */
  refreshControl(): Promise<void>;
  /**
   * The operator scope: audited fan-outs across tenants through the tenant scopes' guards. Throws AdminContextError
   * without a non-empty actor and reason, AuditUnavailableError when there is nowhere to write the audit trail. Tenant
   * scopes never reach it.
   */
  admin(context: AdminContext): AdminScope;
  /** Client counts, for dashboards and benchmarks. */
  stats(): PoolStats;
  /** Stops polling, refuses new operations, closes every client (busy ones when their operation ends). */
  close(): Promise<void>;
}

/** A map without `control` given to a resolver that must poll the map's control location. */
function noControlLocation(): InvalidConnectionMapError {
  return new InvalidConnectionMapError([
    {
      code: "custom",
      path: ["control"],
      input: undefined,
      message: "the resolver polls the map's control location (control without store) but the map declares none: regenerate the map, pass control.store, or control: false",
    },
  ]);
}

function parseMap(map: unknown): CompiledMap {
  const parsed = ConnectionMap.safeParse(map);
  if (!parsed.success) throw new InvalidConnectionMapError(parsed.error.issues);
  return compileMap(parsed.data);
}

class Scope implements TenantScope {
  readonly #core: ResolverCore;
  readonly tenantId: string;
  readonly userId: string | undefined;
  /** Collection handles of a scope without user (bounded by the declared collections). */
  readonly #handles: Map<string, ScopedCollectionImpl> | undefined;

  constructor(core: ResolverCore, tenantId: string, userId: string | undefined) {
    this.#core = core;
    this.tenantId = tenantId;
    this.userId = userId;
    this.#handles = userId === undefined ? new Map() : undefined;
  }

  get route(): RouteInfo {
    const core = this.#core;
    const tenant = core.map.tenants.get(this.tenantId);
    if (!tenant) throw new UnknownTenantError(this.tenantId);
    return effectiveRoute(core, tenant).info;
  }

  collection<TSchema extends Document = Document>(name: string): ScopedCollection<TSchema> {
    const map = this.#core.map;
    const scope = typeof name === "string" ? map.collections.get(name) : undefined;
    if (scope === undefined) throw new UndeclaredCollectionError(String(name), map.declared);
    if (scope === "user" && this.userId === undefined) {
      throw new MalformedContextError("userId", `is required by the user-scoped collection [${name}]`);
    }
    let handle = this.#handles?.get(name);
    if (!handle) {
      handle = new ScopedCollectionImpl(this.#core, this.tenantId, this.userId, name);
      this.#handles?.set(name, handle);
    }
    return handle as unknown as ScopedCollection<TSchema>;
  }
}

/**
 * Creates a resolver over a connection map. Offline: `createResolver({ map, connector: memoryConnector() })`
 * (from `tenantry/testing`) needs no credentials and no server.
 */
export function createResolver(options: ResolverOptions): Resolver {
  const onError = options.onError ?? (() => undefined);
  const connector = options.connector ?? mongoConnector();
  const credentials = connector.needsCredentials ? (options.credentials ?? awsSecretsManagerCredentials()) : undefined;
  const maxClients = options.maxClients ?? 100;
  if (!Number.isInteger(maxClients) || maxClients < 1) throw new RangeError("maxClients must be a positive integer");
  const control = options.control;
  // Where overrides come from: an explicit store, else the map's control location (unless polling is switched off).
  const fromMap = control !== false && control?.store === undefined;
  const mustPollMap = fromMap && control !== undefined;
  const initial = parseMap(options.map);
  if (mustPollMap && !initial.control) throw noControlLocation();
  const pool = new ClientPool(connector, credentials, maxClients, onError);
  const snapshotFor = (map: CompiledMap): ControlSnapshot => {
    if (control === false) return new ControlSnapshot(undefined, onError);
    if (!fromMap || !map.control) return new ControlSnapshot(control, onError);
    return new ControlSnapshot({ ...control, store: mapControlStore(pool, map.control) }, onError);
  };
  const core: ResolverCore = { map: initial, control: snapshotFor(initial), pool, closed: false, audit: safeHook(options.audit, onError) };
  // Scopes without a user are cached per tenant of the current map (bounded by the map); user scopes are fresh.
  let tenantScopes = new Map<string, Scope>();

  return {
    get environment() {
      return core.map.map.environment;
    },
    forTenant(context: TenantContext): TenantScope {
      if (core.closed) throw new ResolverClosedError();
      if (context === null || typeof context !== "object") throw new MalformedContextError("context", "must be an object { tenantId, userId? }");
      // Each field is read exactly once: a getter cannot answer differently to the check and to the use.
      const tenantId: unknown = context.tenantId;
      const userId: unknown = context.userId;
      const tenantProblem = idProblem(tenantId, "tenantId");
      if (tenantProblem) throw new MalformedContextError("tenantId", tenantProblem);
      if (userId !== undefined) {
        const userProblem = idProblem(userId, "userId");
        if (userProblem) throw new MalformedContextError("userId", userProblem);
      }
      const id = tenantId as string;
      const tenant = core.map.tenants.get(id);
      if (!tenant) throw new UnknownTenantError(id);
      if (tenant.status === "offboarding") throw new TenantOffboardedError(id);
      if (userId !== undefined) return new Scope(core, id, userId as string);
      let scope = tenantScopes.get(id);
      if (!scope) {
        scope = new Scope(core, id, undefined);
        tenantScopes.set(id, scope);
      }
      return scope;
    },
    reload(map: unknown): void {
      if (core.closed) throw new ResolverClosedError();
      const next = parseMap(map);
      const previous = core.map;
      // Fail closed: a resolver polling the map's control location never silently stops seeing freezes.
      if (fromMap && !next.control && (mustPollMap || previous.control)) throw noControlLocation();
      core.map = next;
      tenantScopes = new Map();
      if (fromMap && next.control?.identity !== previous.control?.identity) {
        // The control location moved: poll the new one from scratch (operations wait for its first read, as at start)
        // and stop the old one; its client is retired below like any client no route uses any more.
        const old = core.control;
        core.control = snapshotFor(next);
        old.stop();
      }
      core.pool.retainOnly(next.clientKeys);
    },
    refreshControl: () => core.control.refresh(),
    admin: (context: AdminContext) => openAdminScope(core, context, options.admin),
    stats: () => core.pool.stats(),
    async close(): Promise<void> {
      if (core.closed) return;
      core.closed = true;
      core.control.stop();
      await core.pool.close();
    },
  };
}
