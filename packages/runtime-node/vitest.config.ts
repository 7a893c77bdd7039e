import { defineProject } from "vitest/config";

// Generous timeouts: CI runs every package's tests at once on two cores, and these start worker threads
// and CLI processes, which take seconds under that load. Nothing here asserts on time.
export default defineProject({
  test: { name: "runtime-node", include: ["test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 },
});
