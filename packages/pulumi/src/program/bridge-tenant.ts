// One bridge tenant on a shared cluster: a custom role reaching only its collections, a user holding only that role, its secret.
import * as mongodbatlas from "@pulumi/mongodbatlas";
import * as pulumi from "@pulumi/pulumi";
import { bridgeRoleName, credentialKey, databaseName, tenantStageSecretName, tenantUserName, type NamingContext } from "@tenantry/contract/naming";
import { awsRegionOf } from "@tenantry/core/registry/zones";
import { createCredentials } from "./children";
import { bridgeRoleActions } from "./roles";

export interface BridgeTenantArgs {
  ctx: NamingContext;
  tenantId: string;
  /** Generation of its role, user and secret names (`src/naming.ts`). @default 1 */
  generation?: number;
  /** The shared project of the tenant's cluster. */
  projectId: pulumi.Input<string>;
  /** Atlas name of the shared cluster (an Output, so the user waits for the cluster). */
  clusterName: pulumi.Input<string>;
  /** Atlas region name of the shared cluster: the secret lives in the same region. */
  clusterRegion: string;
  /** The application's logical collections. */
  collections: readonly string[];
  /** `protect` on data-bearing children (false while offboarding or retired after a cut-over). */
  protect: boolean;
}

/** Per-tenant credentials on a shared cluster; the collections themselves are created by the application or the mover. */
export class BridgeTenant extends pulumi.ComponentResource {
  static readonly type = "tenantry:program:BridgeTenant";
  readonly secretArn: pulumi.Output<string>;
  /** The generated password: a Pulumi secret, never exported. */
  readonly password: pulumi.Output<string>;
  readonly credentialKey: string;

  constructor(name: string, args: BridgeTenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BridgeTenant.type, name, {}, opts);
    const { ctx, tenantId, generation } = args;
    const tags = { "tenantry-environment": ctx.environment, "tenantry-kind": "bridge", "tenantry-tenant": tenantId };
    const role = new mongodbatlas.CustomDbRole(
      `${name}-role`,
      {
        projectId: args.projectId,
        roleName: bridgeRoleName(tenantId, generation),
        actions: bridgeRoleActions(tenantId, databaseName(ctx), args.collections),
      },
      { parent: this, deleteBeforeReplace: true },
    );
    // A user holding a custom role cannot hold any other role (https://www.mongodb.com/docs/atlas/security-add-mongodb-users/); custom roles live in `admin`.
    const credentials = createCredentials(this, name, {
      projectId: args.projectId,
      username: tenantUserName(ctx, tenantId, generation),
      roles: [{ roleName: role.roleName, databaseName: "admin" }],
      clusterName: args.clusterName,
      secretName: tenantStageSecretName(ctx, "bridge", tenantId, generation),
      awsRegion: awsRegionOf(args.clusterRegion),
      description: `Tenantry ${ctx.environment}: bridge tenant ${tenantId}`,
      protect: args.protect,
      tags,
    });
    this.secretArn = credentials.secretArn;
    this.password = credentials.password;
    this.credentialKey = credentialKey.bridge(tenantId, generation);
    this.registerOutputs({ secretArn: this.secretArn });
  }
}
