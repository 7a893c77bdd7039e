import { defineProject } from "vitest/config";

// Generous timeouts: CI runs every package's tests at once on two cores, and the float interpreter
// runs the whole QuickNet graph. Nothing here asserts on time.
export default defineProject({
  test: { name: "lce", include: ["test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 },
});
