// Every CLI command, each registered by its own module.
import type { RegisterCommand } from "../shared";
import { registerExport } from "./export";
import { registerImport } from "./import";
import { registerMove } from "./move";
import { registerOffboard } from "./offboard";
import { registerOnboard } from "./onboard";
import { registerPlan } from "./plan";
import { registerSchema } from "./schema";
import { registerTriggers } from "./triggers";
import { registerValidate } from "./validate";

export const commands: RegisterCommand[] = [
  registerValidate,
  registerSchema,
  registerTriggers,
  registerPlan,
  registerOnboard,
  registerOffboard,
  registerMove,
  registerExport,
  registerImport,
];
