// `tenantry/resolver`: the runtime resolver applications put in their request path. Never imports @pulumi/*.
export { createResolver } from "./resolver";
export type { Resolver, ResolverOptions, TenantContext, TenantScope } from "./resolver";
export type { ScopedCollection } from "./scoped-collection";
export { UNSCOPABLE_METHODS } from "./scoped-collection";
export { ScopedChangeStream, ScopedCursor, ScopedFindCursor } from "./cursors";
export type { RouteInfo } from "./routing";
export type { ControlOptions } from "./control";
// The mover bounds its freeze by the resolvers' control polling defaults.
export { DEFAULT_CONTROL_REFRESH_MS, defaultFailClosedAfterMs } from "./control";
export type { PoolStats } from "./clients";
export { openClient } from "./open-client";
export type { ClientTarget } from "./open-client";
export { mongoConnector, MissingCredentialsError } from "./mongo-connector";
export type { MongoConnectorOptions } from "./mongo-connector";
export { awsSecretsManagerCredentials, credentialEnvNames, envCredentials, staticCredentials } from "./credentials";
export type { AwsSecretsManagerOptions, CredentialProvider, SecretsReader } from "./credentials";
export {
  ControlStoreStaleError,
  ControlStoreUnavailableError,
  CredentialsUnavailableError,
  CrossTenantWriteError,
  InvalidConnectionMapError,
  IsolationViolationError,
  MalformedContextError,
  ResolverClosedError,
  TenantFrozenError,
  TenantOffboardedError,
  UndeclaredCollectionError,
  UnknownTenantError,
} from "./errors";
export type { IsolationReason } from "./errors";
export { collectionControlStore, InvalidOverrideError, MOVE_DOCUMENT_KIND, overrideOfDocument } from "./control/mongo-store";
export { memoryControlStore } from "./control/memory-store";
export { StaleOverrideRevisionError } from "@tenantry/contract/control/types";
export type { ControlStore, TenantOverride, WritableControlStore } from "@tenantry/contract/control/types";
export type { ConnectionMap } from "@tenantry/contract/connection-map/schema";
export { fileMapLoader, loadMapFile, loadMapFromSsm, MapSourceError, sdkParameterSource, ssmMapLoader, watchMap } from "./loaders";
export type { MapWatch, ParameterSource, SsmMapOptions, WatchMapOptions } from "./loaders";
export type { Connector, DatabaseCredentials } from "@tenantry/contract/backend/types";
export type { CallAuditEvent, CallAuditHook } from "./audit";
export type {
  AdminCollection,
  AdminContext,
  AdminOptions,
  AdminScope,
  FanOut,
  FanOutResult,
  ReadSelection,
  TenantFailure,
  TenantResult,
  UserFanOut,
  WritableAdminCollection,
  WritableFanOut,
  WritableUserFanOut,
  WriteGrant,
} from "./admin/scope";
export type { FanOutSelection, ResidencyReport, Selection, TenantPlace } from "./admin/select";
export { AUDIT_COLLECTION, collectionAuditLog } from "./admin/audit-log";
export type { AuditLog, AuditQuery, AuditRecord, AuditRequest, AuditTenantOutcome } from "./admin/audit-log";
export { AdminContextError, AdminWriteRefusedError, AuditUnavailableError, ForeignResultError, TenantSelectionError } from "./admin/errors";
export type { AdminWriteRefusal } from "./admin/errors";
