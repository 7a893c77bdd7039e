import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { convertLceModel, LARQ_ZOO_PREPROCESSING } from "@onebit/lce";
import { IMAGENET_CLASSES } from "@tensorflow-models/mobilenet/dist/imagenet_classes.js";
import type { Plugin } from "vite";

// The photo page's model: @onebit/lce's QuickNet fixture (Larq Zoo, converted by Larq Compute Engine;
// see packages/lce/test/fixtures/README.md) converted to .onebit when the site is built or served,
// with ImageNet's class names (from @tensorflow-models/mobilenet) and Larq Zoo's preprocessing in its
// metadata — so the site always runs what the converter of this checkout produces.

export const QUICKNET_FILE = "quicknet.onebit";
export const QUICKNET_TFLITE = resolve(
  import.meta.dirname,
  "../../packages/lce/test/fixtures/larq-quicknet.tflite",
);

let converted: Uint8Array | undefined;

/** The converted QuickNet (converted once per process). */
export function quicknetBytes(): Uint8Array {
  converted ??= convertLceModel(readFileSync(QUICKNET_TFLITE), {
    name: "quicknet",
    source: "larq-quicknet.tflite (Larq Zoo QuickNet, converted by Larq Compute Engine)",
    labels: Array.from({ length: 1000 }, (_, i) => IMAGENET_CLASSES[i]!),
    preprocessing: LARQ_ZOO_PREPROCESSING,
  }).bytes;
  return converted;
}

/** Serves quicknet.onebit in `vite dev` and writes it beside the built pages. */
export function quicknetModel(): Plugin {
  return {
    name: "onebit-quicknet-model",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split("?")[0]?.endsWith(`/${QUICKNET_FILE}`)) {
          res.setHeader("Content-Type", "application/octet-stream");
          res.end(quicknetBytes());
        } else next();
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: QUICKNET_FILE, source: quicknetBytes() });
    },
  };
}
