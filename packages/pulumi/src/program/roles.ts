// Database roles: the shared application user's built-in roles, and the custom role of a bridge tenant whose actions
// reach exactly the tenant's physical collections, nothing else.
import { collectionName, CONTROL_DATABASE } from "@tenantry/contract/naming";

/**
 * Built-in roles of a shared cluster's application user: its pool data, plus the control database, where resolvers
 * read the overrides and the mover (with the same credential, `map.control.credential`) writes them and its journal.
 * Bridge and silo users get no access to the control database.
 */
export function sharedUserRoles(appDatabase: string): { roleName: string; databaseName: string }[] {
  return [
    { roleName: "readWrite", databaseName: appDatabase },
    { roleName: "readWrite", databaseName: CONTROL_DATABASE },
  ];
}

/** Actions a bridge tenant's application needs on its own collections (Atlas custom-role action names: https://www.mongodb.com/docs/atlas/reference/custom-role-actions/). */
export const BRIDGE_ACTIONS = [
  "FIND",
  "INSERT",
  "UPDATE",
  "REMOVE",
  "CREATE_COLLECTION",
  "CREATE_INDEX",
  "DROP_INDEX",
  "LIST_INDEXES",
  "COLL_STATS",
  "CHANGE_STREAM",
] as const;

export interface RoleAction {
  action: string;
  resources: { databaseName: string; collectionName: string }[];
}

/**
 * One action entry per action, each listing every physical collection of the tenant. Collection names are never
 * empty: `collectionName: ""` would mean every collection of the database (https://www.mongodb.com/docs/atlas/reference/custom-role-actions/).
 */
export function bridgeRoleActions(tenantId: string, database: string, logicalCollections: readonly string[]): RoleAction[] {
  const resources = logicalCollections.map((logical) => ({ databaseName: database, collectionName: collectionName("bridge", tenantId, logical) }));
  if (resources.some((r) => r.collectionName === "" || r.databaseName === "")) {
    throw new Error(`bridge role of tenant [${tenantId}] would reach a whole database`);
  }
  return BRIDGE_ACTIONS.map((action) => ({ action, resources: resources.map((r) => ({ ...r })) }));
}
