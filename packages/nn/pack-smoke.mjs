// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
import { adam, batchNorm, binaryDense, sequential, sign } from "@onebit/nn";

const model = sequential([binaryDense(8), batchNorm(), sign(), binaryDense(2), batchNorm()], {
  inputShape: [4],
  seed: 1,
});
const x = Float32Array.from({ length: 40 }, (_, i) => ((i * 37) % 11) / 5 - 1);
const y = Array.from({ length: 10 }, (_, i) => i % 2);
const history = await model.fit({ x, y }, { epochs: 2, batchSize: 5, optimizer: adam(), verbose: 0 });
if (history.epochs.length !== 2 || !Number.isFinite(history.epochs[1].loss)) throw new Error("fit failed");
if (model.summary().totals.params1bit !== 4 * 8 + 8 * 2) throw new Error("summary counted wrong");
console.log("@onebit/nn smoke: ok");
