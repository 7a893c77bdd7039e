// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { adam, batchNorm, binaryDense, exportModel, sequential, sign, verifyExport } from "@onebit/nn";
import { loadCheckpoint, saveCheckpoint } from "@onebit/nn/node";
import { Rng } from "@onebit/tensor";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const model = sequential([binaryDense(8), batchNorm(), sign(), binaryDense(2), batchNorm()], {
  inputShape: [4],
  seed: 1,
});
const x = Float32Array.from({ length: 40 }, (_, i) => ((i * 37) % 11) / 5 - 1);
const y = Array.from({ length: 10 }, (_, i) => i % 2);
const history = await model.fit({ x, y }, { epochs: 2, batchSize: 5, optimizer: adam(), verbose: 0 });
if (history.epochs.length !== 2 || !Number.isFinite(history.epochs[1].loss)) throw new Error("fit failed");
if (model.summary().totals.params1bit !== 4 * 8 + 8 * 2) throw new Error("summary counted wrong");
if (verifyExport(model, exportModel(model), x).mismatches.length !== 0) throw new Error("export disagrees");
const dir = mkdtempSync(join(tmpdir(), "nn-smoke-"));
try {
  await saveCheckpoint(join(dir, "c.safetensors"), model, adam(), 2, new Rng(1));
  const other = sequential([binaryDense(8), batchNorm(), sign(), binaryDense(2), batchNorm()], {
    inputShape: [4],
  });
  if ((await loadCheckpoint(join(dir, "c.safetensors"), other)).epoch !== 2)
    throw new Error("checkpoint lost");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("@onebit/nn smoke: ok");
