import { defineProject } from "vitest/config";

// Generous limits: the tests start ONNX Runtime sessions, worker pools and child processes, and CI
// machines are shared (no test asserts a duration).
export default defineProject({
  test: { name: "bench", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
