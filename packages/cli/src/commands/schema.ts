// `tenantry schema`: prints the registry's JSON Schema (the committed schema/registry.schema.json is this output).
import type { Command } from "commander";
import { EXIT, type Io } from "../io";
import { registryJsonSchemaText } from "@tenantry/core/registry/json-schema";
import type { RegisterCommand } from "../shared";

export function printSchema(io: Io): number {
  io.stdout(registryJsonSchemaText());
  return EXIT.ok;
}

export const registerSchema: RegisterCommand = (program: Command, io: Io, setExit) => {
  program
    .command("schema")
    .description("Print the JSON Schema of the tenant registry (for editors: yaml-language-server $schema)")
    .action(() => {
      setExit(printSchema(io));
    });
};
