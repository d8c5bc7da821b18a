// Vitest configuration: Node environment, one fork per file so Pulumi mocks never leak between files.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The second reporter sums up the real-server twins and every skip with the server's own reason.
    reporters: ["default", "./tests/support/skip-reporter.mts"],
  },
});
