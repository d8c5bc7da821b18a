// Every CLI command, each registered by its own module.
import type { RegisterCommand } from "../shared";
import { registerAdmin } from "./admin";
import { registerAudit } from "./audit";
import { registerCollections } from "./collections";
import { registerExport } from "./export";
import { registerImport } from "./import";
import { registerMap } from "./map";
import { registerMove } from "./move";
import { registerOffboard } from "./offboard";
import { registerOnboard } from "./onboard";
import { registerPlan } from "./plan";
import { registerSchema } from "./schema";
import { registerStacks } from "./stacks";
import { registerTriggers } from "./triggers";
import { registerUp } from "./up";
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
  registerAdmin,
  registerAudit,
  registerUp,
  registerStacks,
  registerMap,
  registerCollections,
];
