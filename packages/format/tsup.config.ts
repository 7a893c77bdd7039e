import { defineConfig } from "tsup";

export default defineConfig({
  // `index` is browser-safe (no node: imports); `node` adds file helpers for Node.js.
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
