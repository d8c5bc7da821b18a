// Smoke test of the installed tarballs (run from the scratch app by scripts/pack-smoke.sh): the resolver and the
// memory backend on the dev connection map — every tenant writes and reads its own documents and nobody else's.
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { createResolver, MalformedContextError } = require("@tenantry/resolver");
const { memoryConnector } = require("@tenantry/testing");

async function main() {
  const document = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const map = document.connectionMap ?? document;
  const resolver = createResolver({ map, connector: memoryConnector() });
  const tenants = Object.keys(map.tenants);
  assert.ok(tenants.length >= 2, "the dev map has tenants");
  for (const tenantId of tenants) await resolver.forTenant({ tenantId }).collection("orders").insertOne({ total: tenantId.length });
  for (const tenantId of tenants) {
    const docs = await resolver.forTenant({ tenantId }).collection("orders").find({}).toArray();
    assert.deepEqual(docs.map((d) => d.tenant_id), [tenantId]);
  }
  assert.throws(() => resolver.forTenant({ tenantId: "" }), MalformedContextError);
  await resolver.close();
  console.log(`smoke: ${tenants.length} tenants isolated (${tenants.map((t) => `${t}=${map.tenants[t].stage}`).join(", ")})`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
