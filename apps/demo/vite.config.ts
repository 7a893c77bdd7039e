import { resolve } from "node:path";
import { defineConfig } from "vite";
import { quicknetModel } from "./quicknet-model.js";

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
  plugins: [quicknetModel()],
  build: {
    target: "es2022",
    // Two pages: draw a digit (index.html), classify a photo (photo.html).
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        photo: resolve(import.meta.dirname, "photo.html"),
      },
    },
    // Models are always separate files (never inlined as data: URLs), fetched and cached by the browser.
    assetsInlineLimit: (file) => (file.endsWith(".onebit") ? false : undefined),
  },
});
