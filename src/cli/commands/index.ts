// Every CLI command, each registered by its own module.
import type { Command } from "commander";
import type { Io } from "../io";
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

/** Adds one command to the program; the action reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, io: Io, setExit: (code: number) => void) => void;

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
