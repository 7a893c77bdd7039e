import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type OnebitModel, readModel, readModelInfo, type Tensor, writeModel } from "../src/index.js";
import { convModel, mlpModel, modelArbitrary } from "./fixtures.js";

function plainTensor(t: Tensor) {
  return { ...t, shape: [...t.shape], data: Array.from(t.data) };
}

function expectSameModel(actual: OnebitModel, expected: OnebitModel) {
  expect(actual.graph).toEqual(expected.graph);
  expect(actual.metadata).toEqual(expected.metadata);
  expect([...actual.tensors.keys()]).toEqual([...expected.tensors.keys()]);
  for (const [name, t] of expected.tensors) {
    const got = actual.tensors.get(name)!;
    expect(got.data.constructor).toBe(t.data.constructor);
    expect(plainTensor(got)).toEqual(plainTensor(t));
  }
}

describe("writeModel / readModel round trip", () => {
  it.each([
    ["binary MLP", mlpModel()],
    ["ConvNet", convModel()],
  ])("%s comes back identical, and re-writing gives the same bytes", (_, model) => {
    const bytes = writeModel(model);
    const back = readModel(bytes);
    expectSameModel(back, model);
    expect(writeModel(back)).toEqual(bytes);
  });

  it("random graphs and tensors round-trip (property)", () => {
    fc.assert(
      fc.property(modelArbitrary, (model) => {
        const bytes = writeModel(model);
        const back = readModel(bytes);
        expectSameModel(back, model);
        expect(writeModel(back)).toEqual(bytes);
        expect(readModel(bytes, { copy: true }).graph).toEqual(model.graph);
      }),
      { numRuns: 150 },
    );
  });

  it("lays the file out as SPEC.md §1 says", () => {
    const bytes = writeModel(mlpModel());
    const view = new DataView(bytes.buffer);
    expect([...bytes.subarray(0, 8)]).toEqual([0x4f, 0x4e, 0x45, 0x42, 0x49, 0x54, 0, 0]);
    expect(view.getUint16(8, true)).toBe(1);
    expect(view.getUint16(10, true)).toBe(0);
    expect(view.getUint32(16, true)).toBe(bytes.length);
    const info = readModelInfo(bytes);
    expect(info.dataStart % 64).toBe(0);
    expect(info.dataStart).toBe(Math.ceil((32 + info.headerLength) / 64) * 64);
    for (const t of info.tensors) expect((info.dataStart + t.offset) % 64).toBe(0);
    expect(info.values.at(-1)).toEqual({ kind: "index", shape: [] });
    expect(info.values[1]).toEqual({ kind: "bits", shape: [64] });
  });

  it("views tensors in place when the buffer is aligned, copies when asked or when misaligned", () => {
    const bytes = writeModel(mlpModel());
    const viewed = readModel(bytes).tensors.get("fc2.weights")!;
    expect(viewed.data.buffer).toBe(bytes.buffer);
    expect(readModel(bytes, { copy: true }).tensors.get("fc2.weights")!.data.buffer).not.toBe(bytes.buffer);
    // The same file at an odd offset of a bigger buffer: still readable, 4-byte tensors copied.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const model = readModel(shifted.subarray(1));
    expect(model.tensors.get("fc2.weights")!.data.buffer).not.toBe(shifted.buffer);
    expectSameModel(model, readModel(bytes));
  });

  it("skips the checksum only when told to", () => {
    const bytes = writeModel(convModel());
    bytes[bytes.length - 1]! ^= 0xff;
    expect(() => readModel(bytes)).toThrow(expect.objectContaining({ code: "CHECKSUM_MISMATCH" }));
    expect(readModel(bytes, { verifyChecksum: false }).metadata.name).toBe("conv-test");
  });
});
