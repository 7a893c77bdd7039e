import { defineConfig } from "tsup";

// ESM only: worker_threads loads dist/worker.js next to dist/index.js; dist/cli.js is the `onebit` bin.
export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts", "src/worker.js"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
});
