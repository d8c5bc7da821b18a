// The silo's own operations as plain provider arguments: maintenance window, database auditing, compute auto-scaling,
// the customer's DBA user and per-tenant alert routing. Pure: no Outputs, table-testable.
import { needsStrictSilo } from "@tenantry/core/placement/place";
import type { AuditingSpec, AutoScalingSpec, ComplianceFlag, MaintenanceWindowSpec, Tenant } from "@tenantry/core/registry/schema";
import { WEEKDAYS } from "@tenantry/core/registry/schema";

/** `mongodbatlas.MaintenanceWindow` arguments without the project. */
export interface MaintenanceWindowArgs {
  /** 1 = Sunday … 7 = Saturday (https://www.mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Maintenance-Windows). */
  dayOfWeek: number;
  hourOfDay: number;
  /** The idempotent setting; `autoDefer` toggles on every apply (provider docs of MaintenanceWindow). */
  autoDeferOnceEnabled: boolean;
}

/** `mongodbatlas.Auditing` arguments without the project. */
export interface AuditingArgs {
  enabled: true;
  /** JSON of the audit filter (https://www.mongodb.com/docs/atlas/database-auditing/#configure-a-custom-auditing-filter). */
  auditFilter: string;
  auditAuthorizationSuccess: boolean;
}

/** `replicationSpecs[].regionConfigs[].autoScaling` of the silo's cluster. */
export interface AutoScalingArgs {
  computeEnabled: true;
  computeScaleDownEnabled: boolean;
  computeMinInstanceSize: string;
  computeMaxInstanceSize: string;
  /** Storage scaling with compute, as Atlas recommends (https://www.mongodb.com/docs/atlas/cluster-autoscaling/). */
  diskGbEnabled: true;
}

/** Everything of the silo's own operations one silo gets; undefined parts are not provisioned. */
export interface SiloOperations {
  maintenanceWindow?: MaintenanceWindowArgs;
  auditing?: AuditingArgs & {
    /** True when compliance (HIPAA, FedRAMP) requires it: the resource is then protected like data. */
    required: boolean;
  };
  autoScaling?: AutoScalingArgs;
  /** A database user for the customer's own administrator. */
  customerDba: boolean;
  /** The tenant's own alert contact (besides the registry's alertsEmail). */
  alertsEmail?: string;
}

/**
 * The default audit filter: authentication, user and role management, and DDL — who got in and who changed the
 * shape of the data — without auditing every read and write (atypes: https://www.mongodb.com/docs/manual/reference/audit-message/).
 */
export const DEFAULT_AUDIT_FILTER = {
  atype: {
    $in: [
      "authenticate",
      "createUser",
      "dropUser",
      "dropAllUsersFromDatabase",
      "updateUser",
      "grantRolesToUser",
      "revokeRolesFromUser",
      "createRole",
      "updateRole",
      "dropRole",
      "grantRolesToRole",
      "revokeRolesFromRole",
      "grantPrivilegesToRole",
      "revokePrivilegesFromRole",
      "createDatabase",
      "dropDatabase",
      "createCollection",
      "dropCollection",
      "renameCollection",
      "createIndex",
      "dropIndex",
    ],
  },
} as const;

export function maintenanceWindowArgs(spec: MaintenanceWindowSpec): MaintenanceWindowArgs {
  return { dayOfWeek: WEEKDAYS.indexOf(spec.day) + 1, hourOfDay: spec.hour, autoDeferOnceEnabled: spec.autoDefer };
}

/** Auditing of a silo: on by default for HIPAA and FedRAMP (the registry refuses turning it off there), else only when asked. */
export function auditingArgs(spec: AuditingSpec | undefined, compliance: readonly ComplianceFlag[]): SiloOperations["auditing"] {
  const required = needsStrictSilo(compliance);
  if (!(spec?.enabled ?? required)) return undefined;
  return {
    enabled: true,
    auditFilter: JSON.stringify(spec?.filter ?? DEFAULT_AUDIT_FILTER),
    auditAuthorizationSuccess: spec?.authorizationSuccess ?? false,
    required,
  };
}

export function autoScalingArgs(spec: AutoScalingSpec): AutoScalingArgs {
  return {
    computeEnabled: true,
    computeScaleDownEnabled: spec.scaleDown,
    computeMinInstanceSize: spec.minInstanceSize,
    computeMaxInstanceSize: spec.maxInstanceSize,
    diskGbEnabled: true,
  };
}

/** The silo operations of one tenant from its registry entry. */
export function siloOperations(tenant: Partial<Pick<Tenant, "maintenanceWindow" | "auditing" | "autoScaling" | "customerDba" | "alerts">> & { compliance: readonly ComplianceFlag[] }): SiloOperations {
  const auditing = auditingArgs(tenant.auditing, tenant.compliance);
  return {
    ...(tenant.maintenanceWindow && { maintenanceWindow: maintenanceWindowArgs(tenant.maintenanceWindow) }),
    ...(auditing && { auditing }),
    ...(tenant.autoScaling && { autoScaling: autoScalingArgs(tenant.autoScaling) }),
    customerDba: tenant.customerDba === true,
    ...(tenant.alerts && { alertsEmail: tenant.alerts.email }),
  };
}

/** The operations in words, one per capability, for the plan (what is provisioned, and what falls back to Atlas). */
export function describeOperations(ops: SiloOperations): string[] {
  const mw = ops.maintenanceWindow;
  const day = mw ? (WEEKDAYS[mw.dayOfWeek - 1] ?? "?") : "";
  return [
    mw ? `maintenance ${day} ${String(mw.hourOfDay).padStart(2, "0")}:00${mw.autoDeferOnceEnabled ? " (auto-defer)" : ""}` : "maintenance: Atlas's schedule",
    ops.auditing ? `auditing on${ops.auditing.required ? " (compliance)" : ""}${ops.auditing.auditAuthorizationSuccess ? " with authorization successes" : ""}` : "auditing off",
    ops.autoScaling ? `auto-scaling ${ops.autoScaling.computeMinInstanceSize}..${ops.autoScaling.computeMaxInstanceSize}` : "fixed size",
    ops.customerDba ? "customer DBA user" : "no customer DBA user",
    ops.alertsEmail ? `alerts also to ${ops.alertsEmail}` : "alerts to operations only",
  ];
}
