// Rules on the collections' validators and retention, and on per-tenant retention overrides.
import type { Registry } from "../schema";
import { occupancies } from "./context";
import { error, type RuleProblem } from "./types";

/** Fields Tenantry owns in every document: `tenantry collections apply` adds them to each validator itself. */
const TAG_FIELDS = ["tenant_id", "user_id"];

function declared(registry: Registry): string {
  return registry.collections.map((c) => c.name).join(", ");
}

export function collectionRules(registry: Registry): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const overridden = new Set(registry.tenants.flatMap((t) => Object.keys(t.retention ?? {})));
  registry.collections.forEach((c, i) => {
    const at = ["collections", i];
    if (c.retentionField !== undefined && (c.retentionField === "_id" || TAG_FIELDS.includes(c.retentionField))) {
      problems.push(error([...at, "retentionField"], `collection [${c.name}] cannot expire documents by ${c.retentionField}; name a date field the application writes, e.g. createdAt`));
    }
    const retained = c.retentionDays !== undefined ? "retentionDays" : overridden.has(c.name) ? "a tenant's retention override" : undefined;
    if (retained !== undefined && c.retentionField === undefined) {
      problems.push(error(at, `collection [${c.name}] has a retention (${retained}) but no \`retentionField\`: name the date field its TTL index reads, e.g. createdAt`));
    }
    const properties = c.validator?.$jsonSchema.properties;
    if (properties !== null && typeof properties === "object") {
      for (const tag of TAG_FIELDS) {
        if (Object.hasOwn(properties, tag)) {
          problems.push(error([...at, "validator", "$jsonSchema", "properties", tag], `collection [${c.name}]: the validator must not declare ${tag}; Tenantry adds the tag fields (and requires them) itself`, undefined, true));
        }
      }
    }
  });

  // A pool tenant's documents share one collection with every pool tenant of its cluster, and one collection has one
  // TTL index per field: a retention for one tenant cannot be expressed there (https://www.mongodb.com/docs/manual/core/index-ttl/).
  const stages = new Map<number, Set<string>>();
  for (const o of occupancies(registry)) (stages.get(o.index) ?? stages.set(o.index, new Set()).get(o.index))?.add(o.stage);
  registry.tenants.forEach((t, i) => {
    if (t.retention === undefined) return;
    for (const logical of Object.keys(t.retention)) {
      if (!registry.collections.some((c) => c.name === logical)) {
        problems.push(error(["tenants", i, "retention", logical], `tenant [${t.id}] sets a retention for collection [${logical}], which is not declared (${declared(registry)})`, t.id, true));
      }
    }
    const own = stages.get(i);
    if (own && !own.has("bridge") && !own.has("silo")) {
      problems.push(
        error(
          ["tenants", i, "retention"],
          `tenant [${t.id}] is pool: its documents live in the shared collections, whose single TTL index cannot differ per tenant; set retentionDays on the collection, or place the tenant in bridge or silo`,
          t.id,
          true,
        ),
      );
    }
  });
  return problems;
}
