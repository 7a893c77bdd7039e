import { describe, expect, it } from "vitest";
import { LceError, readTflite } from "../src/index.js";
import { BuiltinOptionsType, Field, TensorType } from "../src/schema.js";
import { buildTflite, type ModelSpec } from "./build-tflite.js";
import { quicknetBytes } from "./fixture.js";

const addModel: ModelSpec = {
  tensors: [{ shape: [1, 2, 2, 3] }, { shape: [3], data: Float32Array.of(1, 2, 3) }, { shape: [1, 2, 2, 3] }],
  ops: [
    {
      op: "ADD",
      inputs: [0, 1],
      outputs: [2],
      options: { type: BuiltinOptionsType.AddOptions, fields: [[Field.AddOptions.activation, "int8", 1]] },
    },
  ],
  inputs: [0],
  outputs: [2],
};

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof LceError) return error.code;
    throw error;
  }
  return "OK";
}

describe("readTflite on the QuickNet fixture", () => {
  const model = readTflite(quicknetBytes);
  it("reads the main subgraph: tensors, operators, inputs and outputs", () => {
    expect(model.version).toBe(3);
    expect(model.tensors.length).toBe(101);
    expect(model.operators.length).toBe(46);
    const input = model.tensors[model.inputs[0]!]!;
    expect(input.shape).toEqual([1, 224, 224, 3]);
    expect(input.type).toBe(TensorType.FLOAT32);
    expect(model.tensors[model.outputs[0]!]!.shape).toEqual([1, 1000]);
  });
  it("names builtin and custom operators and decodes their options", () => {
    const names = model.operators.map((op) => op.name);
    expect(names[0]).toBe("CONV_2D");
    expect(names.filter((n) => n === "LceBconv2d").length).toBe(13);
    expect(names.at(-1)).toBe("SOFTMAX");
    const conv = model.operators[0]!;
    expect(conv.builtinOptions).toMatchObject({ stride_w: 2, stride_h: 2, padding: 0 });
    const dw = model.operators[1]!;
    expect(dw.builtinOptions).toMatchObject({ depth_multiplier: 8, fused_activation_function: 1 });
    const bconv = model.operators.find((op) => op.name === "LceBconv2d")!;
    expect(bconv.customOptions).not.toBeNull();
    expect(bconv.inputs.at(-1)).toBe(-1);
  });
  it("gives constant tensors their data as views with the size their shape needs", () => {
    const fc = model.operators.find((op) => op.name === "FULLY_CONNECTED")!;
    const weights = model.tensors[fc.inputs[1]!]!;
    expect(weights.shape).toEqual([1000, 512]);
    expect(weights.data!.length).toBe(1000 * 512 * 4);
    expect(weights.data!.buffer).toBe(quicknetBytes.buffer); // a view, not a copy
  });
});

describe("readTflite on files built by the tests", () => {
  it("round-trips a small model", () => {
    const model = readTflite(buildTflite(addModel));
    expect(model.operators[0]!.name).toBe("ADD");
    expect(model.operators[0]!.builtinOptions).toEqual({ fused_activation_function: 1 });
    expect(model.tensors[1]!.data).toEqual(new Uint8Array(Float32Array.of(1, 2, 3).buffer));
  });
  it("rejects a file without the TFL3 identifier", () => {
    const bytes = buildTflite(addModel);
    bytes[4] = 0x58;
    expect(codeOf(() => readTflite(bytes))).toBe("BAD_MAGIC");
    expect(codeOf(() => readTflite(new Uint8Array(3)))).toBe("TRUNCATED");
  });
  it("rejects other schema versions", () => {
    expect(codeOf(() => readTflite(buildTflite({ ...addModel, version: 2 })))).toBe("UNSUPPORTED_MODEL");
  });
  it("rejects a buffer whose size disagrees with the tensor's shape", () => {
    const spec: ModelSpec = {
      ...addModel,
      tensors: [addModel.tensors[0]!, { shape: [4], data: Float32Array.of(1, 2, 3) }, addModel.tensors[2]!],
    };
    const error = (() => {
      try {
        readTflite(buildTflite(spec));
      } catch (e) {
        return e as LceError;
      }
    })();
    expect(error?.code).toBe("BAD_MODEL");
    expect(error?.message).toMatch(/tensors\[1\].*12 bytes.*needs 16/);
  });
  it("rejects operator inputs outside the tensor table", () => {
    const spec: ModelSpec = { ...addModel, ops: [{ ...addModel.ops[0]!, inputs: [0, 7] }] };
    expect(codeOf(() => readTflite(buildTflite(spec)))).toBe("BAD_MODEL");
  });
  it("rejects negative (dynamic) dimensions", () => {
    const spec: ModelSpec = {
      ...addModel,
      tensors: [{ shape: [-1, 2, 2, 3] }, ...addModel.tensors.slice(1)],
    };
    expect(codeOf(() => readTflite(buildTflite(spec)))).toBe("BAD_MODEL");
  });
  it("applies the limits and names the option that raises each", () => {
    const bytes = buildTflite(addModel);
    expect(() => readTflite(bytes, { maxTensors: 2 })).toThrow(/maxTensors/);
    expect(codeOf(() => readTflite(bytes, { maxTensors: 2 }))).toBe("TOO_LARGE");
    expect(() => readTflite(bytes, { maxElements: 5 })).toThrow(/maxElements/);
    expect(() => readTflite(bytes, { maxRank: 3 })).toThrow(/maxRank/);
    expect(() => readTflite(bytes, { maxFileBytes: 10 })).toThrow(/maxFileBytes/);
    expect(codeOf(() => readTflite(bytes))).toBe("OK");
  });
  it("rejects a non-Uint8Array argument", () => {
    expect(codeOf(() => readTflite("model" as unknown as Uint8Array))).toBe("INVALID_ARGUMENT");
  });
});
