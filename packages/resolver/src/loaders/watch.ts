// Keeps a resolver's map fresh: re-reads it on an interval and calls `reload` when it changed. A failed read or an
// invalid map keeps the last good map and is reported through `onError`, never swallowed.
import type { ConnectionMap } from "@tenantry/contract/connection-map/schema";

export interface WatchMapOptions {
  /** How often the map is re-read. @default 60000 (one minute) */
  intervalMs?: number;
  /** Called with every failed read or refused reload; the resolver keeps serving the last good map. */
  onError: (error: unknown) => void;
  /** Called after a changed map was swapped in. */
  onReload?: (map: ConnectionMap) => void;
}

export interface MapWatch {
  /** Reads now (waits for a read in progress); resolves true when a changed map was swapped in. */
  refresh(): Promise<boolean>;
  /** Stops the interval; a read in progress finishes. */
  stop(): void;
}

/** Starts watching; the first read happens after one interval (the resolver already has a map). */
export function watchMap(resolver: { reload(map: unknown): void }, load: () => Promise<ConnectionMap>, options: WatchMapOptions): MapWatch {
  const intervalMs = options.intervalMs ?? 60_000;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`watchMap intervalMs must be a positive number, got ${intervalMs}`);
  let last: string | undefined;
  let running: Promise<boolean> | undefined;
  let stopped = false;
  const once = async (): Promise<boolean> => {
    try {
      const map = await load();
      const text = JSON.stringify(map);
      if (text === last) return false;
      resolver.reload(map);
      last = text;
      options.onReload?.(map);
      return true;
    } catch (error) {
      options.onError(error);
      return false;
    }
  };
  const refresh = (): Promise<boolean> => (running ??= once().finally(() => (running = undefined)));
  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, intervalMs);
  // Never keeps the process alive on its own (SIGTERM → resolver.close() → exit).
  timer.unref();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
