import { describe, expect, it } from "vitest";
import { Rng } from "@onebit/tensor";
import { mlpModel } from "../src/onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../src/onnx/ort.js";
import {
  type MlpArch,
  binaryMlpBytes,
  binaryMlpReferenceRow,
  binaryMlpRunner,
  floatMlpBytes,
  randomBinaryMlp,
} from "../src/sections/binary-mlp.js";
import {
  floatMlpReferenceRow,
  randomFloatMlp,
  tensorMlpRunner,
  toFloatInput,
} from "../src/sections/float-mlp.js";

// Odd sizes on purpose: K not a multiple of 32 (or of the kernels' 4-word blocks), one class.
const SMALL: MlpArch = { name: "small", inputs: 70, hidden: [40, 33], classes: 5 };
const ONE_CLASS: MlpArch = { name: "tiny", inputs: 1, hidden: [1], classes: 1 };

describe("the benchmark's binary MLP", () => {
  for (const kernels of ["best", "reference"] as const) {
    it(`${kernels} kernels reproduce the bit-by-bit reference exactly`, () => {
      for (const arch of [SMALL, ONE_CLASS]) {
        for (const batch of [1, 3]) {
          const m = randomBinaryMlp(arch, 7 + batch);
          const x = new Rng(batch).bytes(batch * arch.inputs);
          const y = binaryMlpRunner(m, batch, kernels).run(x);
          for (let r = 0; r < batch; r++) {
            expect([...y.subarray(r * arch.classes, (r + 1) * arch.classes)]).toEqual([
              ...binaryMlpReferenceRow(m, x, r),
            ]);
          }
        }
      }
    });
  }

  it("hidden activations are not degenerate (thresholds keep both signs)", () => {
    const m = randomBinaryMlp(SMALL, 3);
    const x = new Rng(5).bytes(8 * SMALL.inputs);
    const y = binaryMlpRunner(m, 8, "reference").run(x);
    expect(new Set(y).size).toBeGreaterThan(5);
  });

  it("counts bytes: packed weights, thresholds, last scale/bias vs float32 parameters", () => {
    const m = randomBinaryMlp(SMALL);
    // 40 rows × 3 words, 33 × 2, 5 × 2 words; 40 + 33 thresholds; 5 + 5 floats.
    expect(binaryMlpBytes(m)).toBe((40 * 3 + 33 * 2 + 5 * 2) * 4 + (40 + 33) * 4 + 10 * 4);
    expect(floatMlpBytes(SMALL)).toBe((70 * 40 + 40 + 40 * 33 + 33 + 33 * 5 + 5) * 4);
  });
});

describe("the float32 equivalent", () => {
  const layers = randomFloatMlp(SMALL, 4);
  const x = toFloatInput(new Rng(9).bytes(3 * SMALL.inputs));

  it("@onebit/tensor's forward pass matches the float64 reference", () => {
    const y = tensorMlpRunner(layers, 3)(x);
    for (let r = 0; r < 3; r++) {
      const want = floatMlpReferenceRow(layers, x, r);
      for (let j = 0; j < SMALL.classes; j++) expect(y[r * SMALL.classes + j]).toBeCloseTo(want[j]!, 4);
    }
  });

  it("the generated ONNX model in onnxruntime-node matches it too", async () => {
    const { ort } = await loadOrt();
    if (!ort) return;
    const session = await createOrtSession(ort, mlpModel(layers), 1);
    const y = await runOrt(ort, session, x, [3, SMALL.inputs]);
    for (let r = 0; r < 3; r++) {
      const want = floatMlpReferenceRow(layers, x, r);
      for (let j = 0; j < SMALL.classes; j++) expect(y[r * SMALL.classes + j]).toBeCloseTo(want[j]!, 4);
    }
    await session.release();
  });
});
