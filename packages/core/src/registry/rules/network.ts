// Network rules: the access list never opens a project to the whole internet.
import type { Registry } from "../schema";
import { error, type RuleProblem } from "./types";

export function networkRules(registry: Registry): RuleProblem[] {
  return registry.network.accessList.flatMap((entry, k) =>
    entry.cidr.endsWith("/0")
      ? [error(["network", "accessList", k, "cidr"], `access list entry ${entry.cidr} opens every project to the whole internet; never 0.0.0.0/0 — list the application's egress CIDRs`)]
      : [],
  );
}
