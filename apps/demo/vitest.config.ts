import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "demo",
    include: ["test/**/*.test.ts"],
    // The end-to-end tests build the site and drive a browser: minutes, not milliseconds, on 2 busy cores.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
