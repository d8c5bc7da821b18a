// Atlas's per-project database user and custom role limits, and the one verdict validation and the program both give.
// Limits, defaults and maxima: https://www.mongodb.com/docs/atlas/reference/atlas-limits/ and the setProjectLimit API
// (https://www.mongodb.com/docs/api/doc/atlas-admin-api-v2/operation/operation-setprojectlimit).

/** Each limit: its Atlas limit name (`Project.limits`), default and the maximum it can be raised to. */
export const PROJECT_LIMITS = {
  users: { name: "atlas.project.security.databaseAccess.users", noun: "database users", default: 100, max: 900 },
  roles: { name: "atlas.project.security.databaseAccess.customRoles", noun: "custom roles", default: 100, max: 1400 },
} as const;

export type ProjectLimitKind = keyof typeof PROJECT_LIMITS;

/** What a project holding `count` objects of one kind needs. */
export type ProjectLimitFinding =
  | { severity: "error"; message: string }
  /** `raise` is set when Tenantry manages the project and raises its limit (`Project.limits`) itself. */
  | { severity: "warning"; message: string; raise?: { name: string; value: number } };

export interface ProjectLimitSubject {
  /** How the project is named in the message, e.g. `app-prod-eu` or `of zone eu`. */
  project: string;
  /** True when Tenantry creates the project (and so sets its limits); false for an existing project. */
  managed: boolean;
  /** What the count is made of, e.g. `1 shared cluster(s) + 120 bridge tenants`. */
  detail?: string;
}

/** The value a managed project's limit is raised to: the next hundred, never above the maximum. */
export function raisedLimit(kind: ProjectLimitKind, count: number): number {
  return Math.min(PROJECT_LIMITS[kind].max, Math.ceil(count / 100) * 100);
}

/** Nothing within the default; a warning (and the raise) above it; an error above the maximum. */
export function projectLimitFinding(kind: ProjectLimitKind, count: number, subject: ProjectLimitSubject): ProjectLimitFinding | undefined {
  const limit = PROJECT_LIMITS[kind];
  if (count <= limit.default) return undefined;
  const holds = `shared project ${subject.project} holds ${count.toLocaleString("en-US")} ${limit.noun}${subject.detail ? ` (${subject.detail})` : ""}`;
  if (count > limit.max) {
    return {
      severity: "error",
      message: `${holds}, above Atlas's maximum of ${limit.max.toLocaleString("en-US")} per project (${limit.name}): move bridge tenants to silo or to a shared cluster in another project`,
    };
  }
  const above = `${holds}, above Atlas's default of ${limit.default} per project`;
  if (!subject.managed) {
    return { severity: "warning", message: `${above}: the project is not managed by Tenantry, raise ${limit.name} to at least ${count} by hand before applying` };
  }
  const value = raisedLimit(kind, count);
  return { severity: "warning", message: `${above}: Tenantry raises ${limit.name} to ${value} (maximum ${limit.max})`, raise: { name: limit.name, value } };
}
