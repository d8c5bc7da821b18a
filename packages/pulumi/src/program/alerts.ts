// Alert definitions of a silo cluster: what Atlas watches and who hears about it. Pure data, no Outputs.

/** Who receives a silo's alerts. */
export type AlertTarget = { email: string } | { groupRoles: string[] };

export interface AlertDefinition {
  /** Suffix of the Pulumi logical name, e.g. `disk`. */
  key: string;
  eventType: string;
  enabled: true;
  metricThresholdConfig?: { metricName: string; operator: "GREATER_THAN" | "LESS_THAN"; threshold: number; units: string; mode: "AVERAGE" };
  notifications: {
    typeName: "EMAIL" | "GROUP";
    intervalMin: number;
    delayMin: number;
    emailAddress?: string;
    emailEnabled?: boolean;
    roles?: string[];
  }[];
}

// No matchers: a silo project holds exactly one cluster, so project-level alerts are already per tenant.
/**
 * The alerts every silo project gets. `enabled` is explicit because Atlas defaults it to false (https://www.pulumi.com/registry/packages/mongodbatlas/api-docs/alertconfiguration/).
 * `tenantEmail` (the registry's `alerts.email` of the tenant) routes every alert to the tenant's own contact as well.
 */
export function siloAlerts(target: AlertTarget, tenantEmail?: string): AlertDefinition[] {
  const notifications: AlertDefinition["notifications"] = [
    "email" in target
      ? { typeName: "EMAIL", intervalMin: 60, delayMin: 0, emailAddress: target.email }
      : { typeName: "GROUP", intervalMin: 60, delayMin: 0, emailEnabled: true, roles: target.groupRoles },
    ...(tenantEmail !== undefined ? [{ typeName: "EMAIL" as const, intervalMin: 60, delayMin: 0, emailAddress: tenantEmail }] : []),
  ];
  const metric = (key: string, metricName: string, threshold: number, units: string): AlertDefinition => ({
    key,
    eventType: "OUTSIDE_METRIC_THRESHOLD",
    enabled: true,
    metricThresholdConfig: { metricName, operator: "GREATER_THAN", threshold, units, mode: "AVERAGE" },
    notifications,
  });
  return [
    metric("disk", "DISK_PARTITION_SPACE_USED_DATA", 80, "RAW"),
    metric("connections", "CONNECTIONS_PERCENT", 80, "RAW"),
    metric("replication-lag", "OPLOG_SLAVE_LAG_MASTER_TIME", 240, "SECONDS"),
    { key: "no-primary", eventType: "NO_PRIMARY", enabled: true, notifications },
  ];
}

/** Email when the registry names one, else the project owners. */
export function alertTarget(alertsEmail: string | undefined): AlertTarget {
  return alertsEmail ? { email: alertsEmail } : { groupRoles: ["GROUP_OWNER"] };
}
