// Bounded concurrency with an extra bound per key (e.g. per AWS region): runs tasks as slots free up, in order.

export interface LimitedTask<T> {
  /** Tasks with the same key share `perKey` slots (undefined: only the global bound applies). */
  key?: string | undefined;
  run: () => Promise<T>;
}

/** Runs every task, at most `limit` at once and at most `perKey` at once per key; results in the tasks' order. */
export async function runLimited<T>(tasks: readonly LimitedTask<T>[], limit: number, perKey: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  const waiting = tasks.map((task, index) => ({ task, index }));
  const byKey = new Map<string, number>();
  let running = 0;
  return new Promise<T[]>((resolve, reject) => {
    const pump = () => {
      if (waiting.length === 0 && running === 0) return resolve(results);
      for (let i = 0; i < waiting.length && running < limit; ) {
        const { task, index } = waiting[i]!;
        if (task.key !== undefined && (byKey.get(task.key) ?? 0) >= perKey) {
          i += 1;
          continue;
        }
        waiting.splice(i, 1);
        running += 1;
        if (task.key !== undefined) byKey.set(task.key, (byKey.get(task.key) ?? 0) + 1);
        task.run().then(
          (value) => {
            results[index] = value;
            running -= 1;
            if (task.key !== undefined) byKey.set(task.key, (byKey.get(task.key) ?? 1) - 1);
            pump();
          },
          reject,
        );
      }
    };
    pump();
  });
}
