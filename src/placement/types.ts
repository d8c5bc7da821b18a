// Where each tenant lives: the output of placement, the input of the Pulumi program and the connection map.
import type { ComplianceFlag, Stage, TenantStatus } from "../registry/schema";
import type { ResidencyZone } from "../registry/zones";

/** Where a tenant's data lives in one stage; a move has a current and a target location. */
export type Location =
  | { stage: "pool"; sharedCluster: string }
  | {
      stage: "bridge";
      sharedCluster: string;
      /** Generation of its role, user and secret names (`src/naming.ts`): the tenant's, + 1 for a bridge → bridge move's target. */
      generation: number;
    }
  | {
      stage: "silo";
      /** Generation of its project, key, user and secret names (`src/naming.ts`): the tenant's, + 1 for a silo → silo move's target. */
      generation: number;
      /** Atlas region name of the dedicated cluster. */
      region: string;
      instanceSize: string;
      backupPolicy: string;
      /** True when asked for or required by compliance (HIPAA, FedRAMP). */
      customerManagedKey: boolean;
      /** True for HIPAA and FedRAMP tenants: a Backup Compliance Policy is installed. */
      backupCompliancePolicy: boolean;
      /** True for FedRAMP tenants: provisioned through Atlas for Government. */
      government: boolean;
    };

export interface Placement {
  tenantId: string;
  name: string;
  residency: ResidencyZone;
  compliance: readonly ComplianceFlag[];
  status: TenantStatus;
  /** Where the tenant is served from now. */
  current: Location;
  /** Where a declared move takes it; provisioned alongside `current` until cut-over. */
  target?: Location;
  /**
   * The former current location of a cut-over move (`move.cutOver`): still provisioned under the same names, with
   * `protect` lifted, until `move:` is removed; never routed to.
   */
  retired?: Location;
  /** Why the stage is what it is, e.g. "tier business → bridge", "HIPAA needs silo". */
  reasons: readonly string[];
}

export type { Stage };
