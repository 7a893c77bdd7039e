import { defineProject } from "vitest/config";

// These tests start worker threads and CLI processes; on a busy 2-core machine that takes seconds.
export default defineProject({
  test: { name: "runtime-node", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
