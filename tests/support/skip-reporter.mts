// Vitest reporter: after a run, how many real-server twins ran, passed, failed, and each skip with the server's reason.
import type { Reporter, TestModule, Vitest } from "vitest/node";

/** Twins are the tests under a describe named like `backendCases`' real-server case (tests/support/backends.ts). */
const TWIN = /real MongoDB/;
/** Skip notes written by `serverSkips` / feature probes (tests/support/server.ts). */
const GAP = /^server lacks it/;

export default class ServerSkipReporter implements Reporter {
  #vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.#vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    const reasons = new Map<string, string[]>();
    let twins = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        const note = result.state === "skipped" ? result.note : undefined;
        if (note && GAP.test(note)) reasons.set(note, [...(reasons.get(note) ?? []), `${module.moduleId.replace(/^.*\/tests\//, "tests/")} > ${test.fullName}`]);
        if (!TWIN.test(test.fullName)) continue;
        twins++;
        counts[result.state]++;
      }
    }
    if (twins === 0 && reasons.size === 0) return;
    const log = (line: string): void => (this.#vitest ? this.#vitest.logger.log(line) : undefined);
    const share = twins === 0 ? 0 : Math.round((1000 * counts.passed) / twins) / 10;
    log("");
    if (counts.passed + counts.failed === 0) log(`Real-server twins: ${twins}, none ran (set MONGODB_URI, or run scripts/test-server.sh run -- npm test)`);
    else log(`Real-server twins: ${twins} (${counts.passed} passed = ${share} %, ${counts.failed} failed, ${counts.skipped} skipped)`);
    for (const [note, tests] of reasons) {
      log(`  skipped ${tests.length}× — ${note}`);
      for (const name of tests.slice(0, 3)) log(`      ${name}`);
      if (tests.length > 3) log(`      … and ${tests.length - 3} more`);
    }
  }
}
