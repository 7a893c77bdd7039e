import { describe, expect, it } from "vitest";
import { TensorError } from "../src/errors.js";
import { Tensor } from "../src/tensor.js";

describe("Tensor", () => {
  it("has row-major strides, zeros of each dtype and bounds-checked get/set", () => {
    const t = Tensor.from([0, 1, 2, 3, 4, 5], [2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(t.size).toBe(6);
    expect(t.dtype).toBe("float32");
    expect(t.get(1, 2)).toBe(5);
    t.set(9, 0, 1);
    expect(t.data[1]).toBe(9);
    expect(Tensor.zeros([2, 2], "int32").data).toBeInstanceOf(Int32Array);
    expect(Tensor.zeros([3], "uint8").dtype).toBe("uint8");
    expect(Tensor.zeros([]).size).toBe(1);
    expect(() => t.get(2, 0)).toThrow(expect.objectContaining({ code: "OUT_OF_BOUNDS" }));
    expect(() => t.get(1)).toThrow(/rank 2/);
  });

  it("reshapes and slices as views sharing data", () => {
    const t = Tensor.from(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [4, 3, 2],
    );
    const r = t.reshape([6, -1]);
    expect(r.shape).toEqual([6, 4]);
    expect(r.data).toBe(t.data);
    const s = t.slice(1, 3);
    expect(s.shape).toEqual([2, 3, 2]);
    expect(s.get(0, 0, 0)).toBe(6);
    s.set(-1, 0, 0, 0);
    expect(t.get(1, 0, 0)).toBe(-1);
    expect(s.data.buffer).toBe(t.data.buffer);
    expect(t.clone().data).not.toBe(t.data);
  });

  it("rejects mismatched shapes with TensorError", () => {
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(TensorError);
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(/needs 4 elements/);
    const t = Tensor.zeros([4, 3]);
    expect(() => t.reshape([5, 2])).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => t.reshape([-1, 5])).toThrow(TensorError);
    expect(() => t.reshape([-1, -1])).toThrow(/one -1/);
    expect(() => t.slice(3, 5)).toThrow(expect.objectContaining({ code: "OUT_OF_BOUNDS" }));
    expect(() => Tensor.zeros([2, 1.5])).toThrow(/shape\[1\]/);
  });
});
