// Which tenant and user ids the resolver accepts: shared by forTenant and the admin scope's forUser.

const MAX_ID_LENGTH = 256;

/** Why an id is unsafe, or undefined when it is fine. Ids become filter values and, for tenants, physical names. */
export function idProblem(value: unknown, kind: "tenantId" | "userId"): string | undefined {
  if (value === undefined || value === null) return "is missing";
  if (typeof value !== "string") return `must be a string, got ${typeof value}`;
  if (value.length === 0) return "is empty";
  if (value.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
  if (value.includes("\u0000")) return "contains NUL";
  if (value === "__proto__" || value === "constructor" || value === "prototype") return `must not be ${value}`;
  if (value.trim() !== value) return "has leading or trailing spaces";
  // Tenant ids name databases and collections (bridge), so `$` and `.` are refused; user ids are only ever values.
  if (kind === "tenantId" && /[$.]/.test(value)) return "contains $ or .";
  return undefined;
}
