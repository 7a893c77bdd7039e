import { defineConfig } from "tsup";

// ESM only, Node.js only: the addon is loaded with createRequire.
export default defineConfig({
  entry: ["src/index.ts", "src/register.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
