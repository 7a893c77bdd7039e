import { defineProject } from "vitest/config";

// Generous timeouts: CI runs every package's tests at once on two cores; property tests take several
// seconds under that load. Nothing here asserts on time.
export default defineProject({
  test: { name: "bitops", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
