import { defineConfig } from "vite";

// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which @onebit/runtime-web
// needs to run on several Web Workers; without these headers it runs on one thread.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  // Relative asset URLs: the built site works from any folder of any static host.
  base: "./",
  server: { headers: isolation },
  preview: { headers: isolation },
  build: {
    target: "es2022",
    // Models are always separate files (never inlined as data: URLs), fetched and cached by the browser.
    assetsInlineLimit: (file) => (file.endsWith(".onebit") ? false : undefined),
  },
});
