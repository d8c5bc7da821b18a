// Rules on names: tenant ids, collection names and shared cluster names, and the physical names derived from them.
import { collectionName, generationSuffix, tenantKeyRoleName } from "@tenantry/contract/naming";
import { currentGeneration, needsStrictSilo, targetGeneration } from "../stage-policy";
import type { Registry } from "../schema";
import { occupancies } from "./context";
import { error, type RuleProblem } from "./types";

/** Names MongoDB reserves for its own databases; never a tenant id (https://www.mongodb.com/docs/manual/reference/limits/#naming-restrictions). */
export const RESERVED_IDS: readonly string[] = ["admin", "local", "config"];

/** Length the naming prefix (the shared database name) may reach; namespaces are checked assuming it (src/naming.ts). */
export const ASSUMED_PREFIX_LENGTH = 12;
/** MongoDB namespace limit (`<db>.<collection>`) in bytes, and the smaller one Tenantry assumes for FLEX clusters. */
export const NAMESPACE_MAX = 255;
export const FLEX_NAMESPACE_MAX = 95;

function duplicates<T>(items: readonly T[], key: (item: T) => string, report: (item: T, index: number, firstIndex: number) => RuleProblem): RuleProblem[] {
  const first = new Map<string, number>();
  const problems: RuleProblem[] = [];
  items.forEach((item, index) => {
    const k = key(item);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, index);
    else problems.push(report(item, index, seen));
  });
  return problems;
}

export function idRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  // Ids are lowercase by the schema; comparing lowercased still guards the rule if the pattern ever widens.
  problems.push(
    ...duplicates(
      registry.tenants,
      (t) => t.id.toLowerCase(),
      (t, i, first) => error(["tenants", i, "id"], `tenant id [${t.id}] is already used by tenants[${first}]; tenant ids must be unique`, t.id),
    ),
  );
  registry.tenants.forEach((t, i) => {
    if (RESERVED_IDS.includes(t.id)) {
      problems.push(error(["tenants", i, "id"], `tenant id [${t.id}] is reserved by MongoDB (admin, local, config); choose another id`, t.id));
    }
  });
  problems.push(
    ...duplicates(
      registry.collections,
      (c) => c.name.toLowerCase(),
      (c, i, first) => error(["collections", i, "name"], `collection [${c.name}] is already declared at collections[${first}]; collection names must be unique (case-insensitively)`),
    ),
  );
  registry.collections.forEach((c, i) => {
    // `t_<tenant>__<name>` is the bridge naming scheme; a logical name of that shape could collide with a tenant's copy.
    if (/^t_/.test(c.name)) {
      problems.push(error(["collections", i, "name"], `collection [${c.name}] starts with t_, which Tenantry reserves for bridge tenants' collections (t_<tenant>__<name>); rename it`));
    }
  });
  problems.push(
    ...duplicates(
      registry.sharedClusters,
      (c) => c.name.toLowerCase(),
      (c, i, first) => error(["sharedClusters", i, "name"], `shared cluster name [${c.name}] is already used by sharedClusters[${first}]; shared cluster names must be unique`),
    ),
  );
  problems.push(...namespaceRules(registry), ...keyRoleRules(registry));
  return problems;
}

/** IAM role names are at most 64 characters (AWS IAM quotas). */
export const IAM_ROLE_NAME_MAX = 64;

/**
 * A silo with a customer-managed key gets an IAM role named from prefix, environment and tenant id (src/naming.ts);
 * with the longest prefix a long id overflows AWS's 64-character limit and `pulumi up` would fail half-way. The
 * generation suffix counts: a silo → silo move's target takes one more (`-g2`) than the current silo.
 */
function keyRoleRules(registry: Registry): RuleProblem[] {
  const ctx = { prefix: "p".repeat(ASSUMED_PREFIX_LENGTH), environment: registry.environment };
  const problems: RuleProblem[] = [];
  const reported = new Set<string>();
  for (const o of occupancies(registry)) {
    const cmk = needsStrictSilo(o.tenant.compliance) || (o.role === "current" ? o.tenant.customerManagedKey : (o.tenant.move?.customerManagedKey ?? o.tenant.customerManagedKey)) === true;
    if (o.stage !== "silo" || !cmk || reported.has(o.tenant.id)) continue;
    const generation = o.role === "current" ? currentGeneration(o.tenant) : targetGeneration(o.tenant, o.stage);
    const length = tenantKeyRoleName(ctx, o.tenant.id, generation).length;
    if (length > IAM_ROLE_NAME_MAX) {
      reported.add(o.tenant.id);
      problems.push(
        error(
          ["tenants", o.index, "id"],
          `tenant [${o.tenant.id}]: the IAM role of its customer-managed key, tenantry-<prefix>-${registry.environment}-${o.tenant.id}${generationSuffix(generation)}-kms, takes ${length} characters with a ${ASSUMED_PREFIX_LENGTH}-character prefix, above AWS's ${IAM_ROLE_NAME_MAX}; shorten the tenant id to at most ${o.tenant.id.length - (length - IAM_ROLE_NAME_MAX)} characters`,
          o.tenant.id,
        ),
      );
    }
  }
  return problems;
}

/** Bridge collections `<db>.t_<id>__<name>` must fit MongoDB's namespace limit on the cluster that holds them. */
function namespaceRules(registry: Registry): RuleProblem[] {
  const longest = registry.collections.reduce((a, c) => (c.name.length > a.length ? c.name : a), "");
  const problems: RuleProblem[] = [];
  const reported = new Set<string>();
  for (const o of occupancies(registry)) {
    if (o.stage !== "bridge" || o.sharedCluster === undefined || reported.has(o.tenant.id)) continue;
    const cluster = registry.sharedClusters.find((c) => c.name === o.sharedCluster);
    const flex = cluster?.instanceSize === "FLEX";
    const limit = flex ? FLEX_NAMESPACE_MAX : NAMESPACE_MAX;
    const bytes = ASSUMED_PREFIX_LENGTH + 1 + Buffer.byteLength(collectionName("bridge", o.tenant.id, longest));
    if (bytes > limit) {
      reported.add(o.tenant.id);
      problems.push(
        error(
          ["tenants", o.index, "id"],
          `tenant [${o.tenant.id}]: namespace <db>.${collectionName("bridge", o.tenant.id, longest)} takes ${bytes} bytes (with a ${ASSUMED_PREFIX_LENGTH}-character database prefix), above the ${limit}-byte limit${flex ? ` of FLEX cluster [${o.sharedCluster}]` : ""}; shorten the tenant id or the collection name`,
          o.tenant.id,
        ),
      );
    }
  }
  return problems;
}
