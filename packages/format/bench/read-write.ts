// Throughput of writeModel / readModel / CRC-32 on the BNN paper's MNIST MLP (784–4096–4096–4096–10,
// all weights binary, ~4.7 MB). Run: pnpm exec tsx packages/format/bench/read-write.ts
import { crc32, type GraphNode, type OnebitModel, readModel, type Tensor, writeModel } from "../src/index.js";

function paperMlp(): OnebitModel {
  const tensors = new Map<string, Tensor>();
  const nodes: GraphNode[] = [{ op: "input", name: "image", dtype: "uint8", shape: [784] }];
  const widths = [784, 4096, 4096, 4096, 10];
  let seed = 1;
  const word = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  for (let l = 1; l < widths.length; l++) {
    const [k, o] = [widths[l - 1]!, widths[l]!];
    const name = `fc${l}`;
    const wordsPerRow = Math.ceil(k / 32);
    const tail = k % 32 === 0 ? 0xffffffff : (1 << (k % 32)) - 1;
    const data = new Uint32Array(o * wordsPerRow);
    for (let i = 0; i < data.length; i++)
      data[i] = (i % wordsPerRow === wordsPerRow - 1 ? word() & tail : word()) >>> 0;
    tensors.set(`${name}.w`, {
      dtype: "bit",
      shape: [o, k],
      layout: { rows: o, cols: k, wordsPerRow },
      data,
    });
    const last = l === widths.length - 1;
    if (last) {
      tensors.set(`${name}.s`, { dtype: "float32", shape: [o], data: new Float32Array(o).fill(1) });
      tensors.set(`${name}.b`, { dtype: "float32", shape: [o], data: new Float32Array(o) });
    } else {
      tensors.set(`${name}.t`, { dtype: "int32", shape: [o], data: new Int32Array(o) });
      tensors.set(`${name}.f`, { dtype: "uint8", shape: [o], data: new Uint8Array(o) });
    }
    nodes.push({
      op: l === 1 ? "denseBitPlane" : "binaryDense",
      name,
      weights: `${name}.w`,
      output: last
        ? { kind: "scaleBias", scale: `${name}.s`, bias: `${name}.b` }
        : { kind: "bits", thresholds: `${name}.t`, flip: `${name}.f` },
    });
  }
  return { graph: { nodes }, tensors, metadata: { name: "bnn-paper-mlp" } };
}

function median(f: () => void, runs = 21): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[runs >> 1]!;
}

const model = paperMlp();
const bytes = writeModel(model);
const params = 784 * 4096 + 4096 * 4096 * 2 + 4096 * 10;
const mb = bytes.length / 1e6;
console.log(
  `file ${bytes.length} B; float32 weights ${4 * params} B; ${((4 * params) / bytes.length).toFixed(2)}× smaller`,
);
for (const [label, f] of [
  ["writeModel", () => writeModel(model)],
  ["readModel (views, CRC)", () => readModel(bytes)],
  ["readModel (views, no CRC)", () => readModel(bytes, { verifyChecksum: false })],
  ["readModel (copies, CRC)", () => readModel(bytes, { copy: true })],
  ["crc32", () => crc32(bytes)],
] as const) {
  const ms = median(f);
  console.log(`${label.padEnd(28)} median ${ms.toFixed(2)} ms  (${(mb / (ms / 1000)).toFixed(0)} MB/s)`);
}
