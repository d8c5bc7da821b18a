// The registry's JSON Schema, generated from the zod schema (editors complete and check registry files with it).
import { z } from "zod";
import { Registry } from "./schema";

/** JSON Schema of the registry as written (input side: defaulted fields are optional). */
export function registryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Registry, { io: "input" }) as Record<string, unknown>;
  return { ...schema, title: "Tenantry tenant registry v1" };
}

/** The exact text of `schema/registry.schema.json` (what `tenantry schema` prints). */
export function registryJsonSchemaText(): string {
  return `${JSON.stringify(registryJsonSchema(), null, 2)}\n`;
}
