import { describe, expect, it } from "vitest";
import { importLceModel, modelCensus, readTflite } from "../src/index.js";
import { quicknetBytes } from "./fixture.js";

const model = readTflite(quicknetBytes);
const graph = importLceModel(model);

describe("QuickNet imported", () => {
  it("counts what Larq's model summary publishes for QuickNet", () => {
    const census = modelCensus(model, graph);
    // Larq summary (fixtures README): 1.243 G binary MACs, 5.03 M float MACs, 9.99 M 1-bit and 0.52 M
    // 32-bit parameters.
    expect(census.binaryMacs / 1e9).toBeCloseTo(1.243, 3);
    expect(census.floatMacs / 1e6).toBeCloseTo(5.03, 2);
    expect(census.binaryParameters / 1e6).toBeCloseTo(9.99, 2);
    expect(census.floatParameters / 1e6).toBeCloseTo(0.52, 2);
    expect(census.operators).toEqual({
      CONV_2D: 1,
      DEPTHWISE_CONV_2D: 1,
      MUL: 4,
      ADD: 17,
      LceBconv2d: 13,
      MAX_POOL_2D: 3,
      CONCATENATION: 3,
      AVERAGE_POOL_2D: 1,
      RESHAPE: 1,
      FULLY_CONNECTED: 1,
      SOFTMAX: 1,
    });
  });

  it("reads the 2020 padding code 1 as SAME with one-padding and the fused ReLU as a clamp at 0", () => {
    const convs = graph.nodes.filter((n) => n.op === "bconv2d");
    expect(convs.length).toBe(13);
    for (const conv of convs) {
      expect(conv.padding).toBe("same");
      expect(conv.padValue).toBe(1);
      expect(conv.output.kind === "float32" && conv.output.clamp[0]).toBe(0);
    }
  });
});
