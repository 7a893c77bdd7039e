import { defineProject } from "vitest/config";

// Generous timeouts: CI runs every package's tests at once on two cores, and some tests start worker
// threads or a cross-compiler. Nothing here asserts on time.
export default defineProject({
  test: { name: "native", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
