import { defineConfig } from "tsup";

// ESM only: the package starts Web Workers, and its users bundle it for browsers. The worker's code
// is already in src/worker/worker-source.generated.ts (scripts/build-worker.mjs runs first).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "browser",
});
