// A ConvNet training step gives the same bytes on one thread and on several: the native GEMM bands,
// the threaded im2col/col2im and every other pass must not change a sum's order with the count
// (the trainer promises it; apps/train's --threads only changes speed).
import { Rng } from "@onebit/tensor";
import { disableThreads, enableThreads } from "@onebit/tensor/node";
import { afterAll, describe, expect, it } from "vitest";
import {
  adam,
  batchNorm,
  binaryConv2d,
  binaryDense,
  conv2d,
  flatten,
  maxPool2d,
  sequential,
} from "../src/index.js";

afterAll(() => disableThreads());

/** mnist-conv's layer kinds at 28×28, big enough that products and im2col/col2im split among threads. */
function convNet() {
  return sequential(
    [
      conv2d(16, 3, { padding: "same" }),
      batchNorm(),
      binaryConv2d(32, 3, { padding: "same", inputQuantizer: "steSign" }),
      batchNorm(),
      maxPool2d(),
      binaryConv2d(32, 3, { padding: "same", inputQuantizer: "steSign" }),
      batchNorm(),
      maxPool2d(),
      flatten(),
      binaryDense(64, { inputQuantizer: "steSign" }),
      batchNorm(),
      binaryDense(10, { inputQuantizer: "steSign" }),
      batchNorm(),
    ],
    { inputShape: [28, 28, 1], seed: 5 },
  );
}

function train(threads: number): Record<string, Float32Array> {
  enableThreads(threads);
  const model = convNet();
  const batch = 40;
  const rng = new Rng(3);
  const x = rng.uniformArray(batch * 28 * 28, -1, 1);
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  const optimizer = adam({ learningRate: 0.01 });
  for (let step = 0; step < 2; step++) model.trainStep(x, labels, batch, optimizer, new Rng(step));
  return model.getState();
}

describe("a ConvNet training step across thread counts", () => {
  it("gives the same weights and statistics bit for bit on 1, 2 and 3 threads", () => {
    const one = train(1);
    for (const threads of [2, 3]) {
      const many = train(threads);
      expect(Object.keys(many)).toEqual(Object.keys(one));
      for (const [name, values] of Object.entries(one)) {
        const got = many[name]!;
        expect(
          Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(
            Buffer.from(values.buffer, values.byteOffset, values.byteLength),
          ),
          `${name} on ${threads} threads`,
        ).toBe(true);
      }
    }
  });
});
