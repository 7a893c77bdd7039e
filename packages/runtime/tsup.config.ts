import { defineConfig } from "tsup";

export default defineConfig({
  // `workers`: the worker protocol and pool, for environment packages; an entry of its own so that
  // browser bundles fetch it only when they start workers. Shared code goes to common chunks in both
  // formats, so both entries use one RuntimeError class.
  entry: ["src/index.ts", "src/workers.ts"],
  format: ["esm", "cjs"],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
