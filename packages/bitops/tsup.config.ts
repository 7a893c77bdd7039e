import { basename, dirname, resolve } from "node:path";
import { type Options, defineConfig } from "tsup";

// Two builds of the same sources. dist/index.node.* (the "node" export condition) holds the native
// backend — its registry with its Node.js access (kernels/native-host.ts) and the addon's kernels —
// and every WebAssembly GEMM tile for the tuner. dist/index.* (every other environment: browsers and
// their bundlers) gets stand-ins: no native backend (native-addon.browser.ts,
// native-kernels.browser.ts) and kernel modules with each backend's default tile only
// (kernels-browser.generated.ts), so no Node.js code reaches a browser bundle and a page downloads
// ~3.5 KB (gzipped) less; its SIMD modules are a chunk of their own that `initBitops` loads
// (module-text.browser.ts). Both builds share one set of type declarations.
const STAND_INS: Record<string, string> = {
  "native-addon.js": "native-addon.browser.ts",
  "native-kernels.js": "native-kernels.browser.ts",
  "kernels.generated.js": "kernels-browser.generated.ts",
  "module-text.js": "module-text.browser.ts",
};
const browserStandIns = {
  name: "browser-stand-ins",
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; resolveDir: string }) => { path: string },
    ): void;
  }) {
    build.onResolve(
      { filter: /[\\/](native-addon|native-kernels|kernels\.generated|module-text)\.js$/ },
      (args) => ({
        path: resolve(args.resolveDir, dirname(args.path), STAND_INS[basename(args.path)]!),
      }),
    );
  },
};

const common: Options = {
  format: ["esm", "cjs"],
  sourcemap: true,
  clean: false, // package.json's build script empties dist first; the two builds run at once
  target: "es2022",
};

export default defineConfig([
  { ...common, entry: { index: "src/index.ts" }, dts: true, esbuildPlugins: [browserStandIns] },
  { ...common, entry: { "index.node": "src/index.ts" }, dts: false },
]);
