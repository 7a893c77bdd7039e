import { writeModel } from "@onebit/format";
import { Conv2d, Dense, exportModel, GraphModel, Sequential } from "@onebit/nn";
import { describe, expect, it } from "vitest";
import { INPUT_NORMALIZATION } from "../src/data.js";
import { PRESET_NAMES, PRESETS } from "../src/presets.js";

const exportBytes = (name: (typeof PRESET_NAMES)[number], width = 1) =>
  writeModel(
    exportModel(PRESETS[name].build(1, width) as Sequential, {
      inputDtype: "uint8",
      inputNormalization: INPUT_NORMALIZATION,
      firstLayer: "bitPlane",
    }),
  ).length;

describe("presets", () => {
  it("mnist-tiny exports to fewer than 20 000 bytes", () => {
    expect(exportBytes("mnist-tiny")).toBeLessThan(20_000);
  });

  it("build the advertised architectures", () => {
    const widths = (name: (typeof PRESET_NAMES)[number], w = 1) =>
      PRESETS[name]
        .build(1, w)
        .layers.map((l) => (l instanceof Dense ? l.units : l instanceof Conv2d ? l.filters : null))
        .filter((v) => v !== null);
    expect(widths("mnist-mlp")).toEqual([1024, 1024, 1024, 10]);
    expect(widths("mnist-conv")).toEqual([64, 64, 128, 128, 512, 10]);
    expect(widths("mnist-conv", 0.5)).toEqual([32, 32, 64, 64, 512, 10]);
    expect(widths("mnist-tiny")).toEqual([16, 32, 128, 10]);
    expect(PRESETS["mnist-conv"].describe(0.5)).toBe(
      "binary ConvNet 32C3–32C3–MP–64C3–64C3–MP–512FC–10, one-padding",
    );
    expect(PRESETS["mnist-mlp"].describe(2)).toBe("binary MLP 784–3×2048–10");
    expect(widths("fmnist-conv", 0.5)).toEqual(widths("mnist-conv", 0.5));
    expect(PRESETS["fmnist-conv"].dataset).toBe("fashion-mnist");
    expect(PRESETS["fmnist-conv"].build(1, 1)).toBeInstanceOf(Sequential);
  });

  it("the residual presets are graphs of four Bi-Real blocks with a PReLU after each, a float stem and head", () => {
    for (const name of ["fmnist-bireal", "mnist-bireal"] as const) {
      const m = PRESETS[name].build(1, 0.5);
      expect(m).toBeInstanceOf(GraphModel);
      const types = m.layers.map((l) => l.type);
      expect(types.filter((t) => t === "add")).toHaveLength(4);
      expect(types.filter((t) => t === "binaryConv2d")).toHaveLength(4);
      expect(types.filter((t) => t === "prelu")).toHaveLength(4);
      expect(types[0]).toBe("conv2d");
      expect(types).toContain("flatten");
      expect(types.at(-1)).toBe("dense");
      expect(m.outputShape).toEqual([10]);
    }
    expect(PRESETS["fmnist-bireal"].describe(1)).toMatch(/32C3 stem.*64–64–128\/2–128.*7×7×128/);
  });

  it("are deterministic in the seed", () => {
    for (const name of PRESET_NAMES) {
      expect(PRESETS[name].build(5, 0.25).getState()).toEqual(PRESETS[name].build(5, 0.25).getState());
    }
  });
});
