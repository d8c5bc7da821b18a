// Why a plan could not be produced, as the plan library's own classes: callers (the CLI) never import the program's.
import type { Problem } from "@tenantry/core/registry/problems";

/** The environment's stack settings cannot be used (a bad value, or a setting `pulumi up` requires is missing). */
export class PlanSettingsError extends Error {
  override readonly name = "PlanSettingsError";
  constructor(
    /** `key: message` lines, one per unusable setting. */
    readonly problems: readonly string[],
  ) {
    super(`the stack settings cannot be used:\n  ${problems.join("\n  ")}`);
  }
}

/** The program refuses the registry (project limits, naming collisions): every problem, positioned when known. */
export class PlanRefusedError extends Error {
  override readonly name = "PlanRefusedError";
  constructor(readonly problems: readonly Problem[]) {
    super(`the program cannot be built:\n  ${problems.map((p) => `${p.path}  ${p.message}`).join("\n  ")}`);
  }
}

/** The plan holds destructive changes against the previous map and they were not allowed. */
export class DestructiveChangeError extends Error {
  override readonly name = "DestructiveChangeError";
  constructor(readonly count: number) {
    super(
      `refused — ${count} destructive change${count === 1 ? "" : "s"} against the previous connection map (listed above); fix the registry, or pass --allow-destructive if you really mean it`,
    );
  }
}

/** Thrown instead of printing output that holds something that looks like a secret; `paths` name where. */
export class SecretLeakError extends Error {
  override readonly name = "SecretLeakError";
  constructor(readonly paths: readonly string[]) {
    super(`refusing to print: ${paths.length} value(s) look like secrets (${paths.slice(0, 5).join(", ")})`);
  }
}
