import { defineProject } from "vitest/config";

// Generous timeouts: CI runs every package's tests at once on two cores, and these bundle the package
// and drive headless Chromium, which take seconds under that load. Nothing here asserts on time.
export default defineProject({
  test: { name: "runtime-web", include: ["test/**/*.test.ts"], testTimeout: 240_000, hookTimeout: 240_000 },
});
