import { type Options, defineConfig } from "tsup";

// `index` is browser-safe (no node: imports); `node` adds file helpers for Node.js; `chain` is the
// version 1 subset a runtime loads version 1 files with (see src/chain.ts).
const common: Options = {
  sourcemap: true,
  target: "es2022",
};

export default defineConfig([
  {
    ...common,
    // ESM: one file per source module, as written (unbundled), so that a user's bundler splits this
    // package by module: a page that reads version 1 files keeps the version 2 reader, checker and
    // op table out of its first chunk (bundlers assign whole files to chunks). Both entries import
    // the same errors.js, so they share one FormatError class.
    entry: ["src/**/*.ts"],
    format: ["esm"],
    bundle: false,
    dts: { entry: ["src/index.ts", "src/node.ts", "src/chain.ts"] },
    clean: true,
  },
  {
    ...common,
    // CJS: bundled; shared code goes to a common chunk, so both entries use one FormatError class.
    entry: ["src/index.ts", "src/node.ts", "src/chain.ts"],
    format: ["cjs"],
    splitting: true,
    dts: true,
    clean: false,
  },
]);
