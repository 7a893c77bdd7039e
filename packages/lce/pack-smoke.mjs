// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { LceError, readTflite } from "@onebit/lce";

let code = "";
try {
  readTflite(new Uint8Array(16));
} catch (error) {
  if (!(error instanceof LceError)) throw error;
  code = error.code;
}
if (code !== "BAD_MAGIC") throw new Error(`expected BAD_MAGIC for 16 zero bytes, got ${code}`);
console.log("@onebit/lce smoke: ok");
