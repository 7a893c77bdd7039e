import { describe, expect, it } from "vitest";
import { conv3x3Model, matmulModel, mlpModel } from "../src/onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../src/onnx/ort.js";
import { ProtoWriter } from "../src/onnx/proto-writer.js";

const { ort } = await loadOrt();

describe("protobuf encoding", () => {
  it("writes varints, lengths, strings and floats as the protobuf spec's examples", () => {
    // The spec's example: field 1 = 150 → 08 96 01.
    expect([...new ProtoWriter().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    // field 2 = "testing" → 12 07 74 65 73 74 69 6e 67
    expect([...new ProtoWriter().string(2, "testing").finish()]).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
    // Negative int64: ten bytes of two's complement.
    expect([...new ProtoWriter().int(1, -1).finish()]).toEqual([0x08, ...Array(9).fill(0xff), 0x01]);
    // float 1.0 (field 2, wire type 5) → 15 00 00 80 3f
    expect([...new ProtoWriter().float(2, 1).finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    // Field numbers above 15 take a two-byte tag: field 20 varint → a0 01.
    expect([...new ProtoWriter().int(20, 2).finish()]).toEqual([0xa0, 0x01, 0x02]);
    const inner = new ProtoWriter().int(1, 3);
    expect([...new ProtoWriter().message(3, inner).finish()]).toEqual([0x1a, 0x02, 0x08, 0x03]);
  });

  it("refuses non-integers in integer fields", () => {
    expect(() => new ProtoWriter().int(1, 1.5)).toThrow(/not an integer/);
  });

  it("checks initializer sizes against their dims", () => {
    expect(() => matmulModel(2, 3, new Float32Array(5))).toThrow(/dims 2×3 need 6 values, got 5/);
  });
});

describe.skipIf(!ort)("generated ONNX models run in onnxruntime-node with the right answers", () => {
  it("MatMul with a symbolic batch dimension", async () => {
    const b = Float32Array.of(1, 2, 3, 4, 5, 6); // 2×3
    const s = await createOrtSession(ort!, matmulModel(2, 3, b), 1);
    expect([...(await runOrt(ort!, s, Float32Array.of(1, 2, -1, 0.5), [2, 2]))]).toEqual([
      9, 12, 15, 1, 0.5, 0,
    ]);
    await s.release();
  });

  it("Gemm + bias + ReLU layers", async () => {
    const s = await createOrtSession(
      ort!,
      mlpModel([
        {
          inFeatures: 2,
          outFeatures: 3,
          weights: Float32Array.of(1, 2, 3, 4, 5, 6),
          bias: Float32Array.of(0, -100, 1),
        },
        { inFeatures: 3, outFeatures: 1, weights: Float32Array.of(1, 1, 1), bias: Float32Array.of(0.5) },
      ]),
      2,
    );
    // relu(9, 12 − 100, 16) · 1 + 0.5 = 25.5; zeros → relu(0, −100, 1) + 0.5 = 1.5
    expect([...(await runOrt(ort!, s, Float32Array.of(1, 2, 0, 0), [2, 2]))]).toEqual([25.5, 1.5]);
    await s.release();
  });

  it("3×3 'same' Conv with zero padding (NCHW)", async () => {
    const s = await createOrtSession(ort!, conv3x3Model(1, 1, 3, new Float32Array(9).fill(1)), 1);
    const y = await runOrt(ort!, s, new Float32Array(9).fill(1), [1, 1, 3, 3]);
    expect([...y]).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    await s.release();
  });
});
