// Network helpers: the open-internet guard and stable logical names for access-list entries. Pure.

/** Thrown for an access-list entry that would open a project to the whole internet. */
export class OpenNetworkError extends Error {
  override readonly name = "OpenNetworkError";
  constructor(readonly cidr: string) {
    super(`access list entry ${cidr} opens the project to the whole internet; list the application's egress CIDRs or use PrivateLink`);
  }
}

/** Refuses `0.0.0.0/0` and any other /0 (the registry refuses it too; this is the last line before Atlas). */
export function assertClosedCidr(cidr: string): void {
  const [address, prefix] = cidr.split("/");
  if (prefix === "0" || address === "0.0.0.0") throw new OpenNetworkError(cidr);
}

/** `10.0.0.0/16` → `10-0-0-0-16`: names derive from the CIDR so reordering the list never replaces entries. */
export function cidrSlug(cidr: string): string {
  return cidr.replace(/[./]/g, "-");
}
