// What the orchestrator needs from Pulumi, as an interface: the Automation API adapter implements it, tests fake it.

/** A stack config value as the Automation API takes it. */
export interface ConfigValue {
  value: string;
  secret?: boolean;
}

/** The result of one `up` or `preview` of one stack. */
export interface StackOperationResult {
  ok: boolean;
  /** Resource operation counts (`create: 3, same: 12`), when the engine reported them. */
  changes?: Record<string, number>;
  /** Why it failed, first line of the engine's message. */
  error?: string;
}

/** The engine's side of `tenantry up` / `tenantry preview`: one project, many stacks. */
export interface StackWorkspace {
  /** Creates the stack when it does not exist (StackReferences to it then resolve, with no outputs) and sets its config. */
  ensureStack(stack: string, config: Readonly<Record<string, ConfigValue>>): Promise<void>;
  /** The stack's outputs (plain values); empty when it never ran. */
  outputs(stack: string): Promise<Record<string, unknown>>;
  /** The config of the environment's shared stack, copied to its tenant stacks. */
  config(stack: string): Promise<Record<string, ConfigValue>>;
  up(stack: string): Promise<StackOperationResult>;
  preview(stack: string): Promise<StackOperationResult>;
}
