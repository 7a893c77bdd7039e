import { defineConfig } from "tsup";

export default defineConfig({
  // `index` is browser-safe (no node: imports); `node` adds file helpers for Node.js.
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  // Shared code goes to common chunks in both formats, so both entries use one FormatError class.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
