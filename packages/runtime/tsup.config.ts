import { basename, dirname, resolve } from "node:path";
import { type Options, defineConfig } from "tsup";

// Two builds of the same sources, as @onebit/bitops has. dist/*.node.* (the "node" export
// condition) holds everything: version 2 graphs' code (graph-support.ts) part of the entry, so
// `Engine.createSync` plans any model, and the native float glue. dist/* (every other environment:
// browsers and their bundlers) gets stand-ins: graph-loader.browser.ts loads the graph code on
// demand — a chunk of its own that `Engine.create` fetches for version 2 models only — and
// native-glue.browser.ts has no native glue (a browser has no addon). Both builds share one set of
// type declarations. `workers`: the worker protocol and pool, for environment packages; an entry of
// its own so that browser bundles fetch it only when they start workers. Shared code goes to common
// chunks in both formats, so both entries of a build use one RuntimeError class.
const STAND_INS: Record<string, string> = {
  "graph-loader.js": "graph-loader.browser.ts",
  "native-glue.js": "native-glue.browser.ts",
};
const browserStandIns = {
  name: "browser-stand-ins",
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; resolveDir: string }) => { path: string },
    ): void;
  }) {
    build.onResolve({ filter: /[\\/](graph-loader|native-glue)\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, dirname(args.path), STAND_INS[basename(args.path)]!),
    }));
  },
};

const common: Options = {
  format: ["esm", "cjs"],
  splitting: true,
  sourcemap: true,
  clean: false, // package.json's build script empties dist first; the two builds run at once
  target: "es2022",
};

export default defineConfig([
  {
    ...common,
    entry: { index: "src/index.ts", workers: "src/workers.ts" },
    dts: true,
    esbuildPlugins: [browserStandIns],
  },
  { ...common, entry: { "index.node": "src/index.ts", "workers.node": "src/workers.ts" }, dts: false },
]);
