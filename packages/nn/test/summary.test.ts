import { describe, expect, it } from "vitest";
import { batchNorm, binaryConv2d, dense, flatten, maxPool2d, sequential, sign } from "../src/index.js";

describe("summary", () => {
  it("counts 1-bit/32-bit parameters, memory and MACs per layer and in total", () => {
    const model = sequential(
      [
        binaryConv2d(4, 3),
        batchNorm(),
        maxPool2d(),
        binaryConv2d(2, 2, { inputQuantizer: "steSign" }),
        flatten(),
        sign(),
        dense(3),
      ],
      { inputShape: [6, 6, 1], name: "tiny" },
    );
    const s = model.summary();
    expect(
      s.layers.map((l) => [
        l.name,
        l.inputPrecision,
        l.outputShape,
        l.params1bit,
        l.params32bit,
        l.macs1bit,
        l.macs32bit,
      ]),
    ).toEqual([
      ["binary_conv2d_1", 32, [4, 4, 4], 36, 0, 0, 576],
      ["batch_norm_1", null, [4, 4, 4], 0, 16, 0, 0],
      ["max_pool2d_1", null, [2, 2, 4], 0, 0, 0, 0],
      ["binary_conv2d_2", 1, [1, 1, 2], 32, 0, 32, 0],
      ["flatten_1", null, [2], 0, 0, 0, 0],
      ["sign_1", null, [2], 0, 0, 0, 0],
      ["dense_1", 1, [3], 0, 9, 0, 6],
    ]);
    expect(s.layers[0]!.memoryBytes).toBe(4.5);
    expect(s.totals).toEqual({
      params1bit: 68,
      params32bit: 25,
      params: 93,
      binarizedBytes: 108.5,
      float32Bytes: 372,
      compressionRatio: 372 / 108.5,
      macs1bit: 32,
      macs32bit: 582,
      binaryMacShare: 32 / 614,
    });
    const text = s.toString();
    expect(text).toContain("binary_conv2d_2 (binaryConv2d)");
    expect(text).toMatch(/Compression ratio of memory\s+3\.43/);
    expect(text).toMatch(/Ratio of MACs that are binarized\s+0\.0521/);
  });
});
