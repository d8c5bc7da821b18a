// ControlStore in process memory: for tests, and for a single-process deployment where the app writes overrides itself.
import { StaleOverrideRevisionError } from "@tenantry/contract/control/types";
import type { TenantOverride, WritableControlStore } from "@tenantry/contract/control/types";

/** A ControlStore held in memory; `revision` guards writes: a lower revision than the stored one is refused. */
export function memoryControlStore(initial: readonly TenantOverride[] = []): WritableControlStore {
  const overrides = new Map<string, TenantOverride>();
  for (const o of initial) overrides.set(o.tenantId, { ...o });
  return {
    async readAll() {
      await Promise.resolve();
      // Copies: a caller mutating what it read must not change the store.
      return new Map([...overrides].map(([id, o]) => [id, { ...o }]));
    },
    async write(override) {
      await Promise.resolve();
      const current = overrides.get(override.tenantId);
      // An equal revision is accepted so a retried write is idempotent.
      if (current && current.revision > override.revision) {
        throw new StaleOverrideRevisionError(override.tenantId, override.revision, current.revision);
      }
      overrides.set(override.tenantId, { ...override });
    },
    async remove(tenantId) {
      await Promise.resolve();
      overrides.delete(tenantId);
    },
  };
}
