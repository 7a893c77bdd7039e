import { Rng } from "@onebit/tensor";
import { conv2dBackward } from "@onebit/tensor";
import { describe, expect, it } from "vitest";
import {
  binaryConv2d,
  binaryDense,
  conv2d,
  dense,
  magnitudeAwareSign,
  NnError,
  QuantizedLayer,
  sign,
  weightClip,
} from "../src/index.js";
import { buildLayer } from "./helpers.js";

const sgn = (v: number) => (v >= 0 ? 1 : -1);
const ste = (v: number) => (Math.abs(v) <= 1 ? 1 : 0);

describe("binaryDense", () => {
  it("initializes latent weights U(−1, 1), exposes ±1 weights separately, clips with weightClip(1)", () => {
    const layer = buildLayer(binaryDense(16), [40], 3);
    const w = layer.latentWeights;
    expect(w.length).toBe(640);
    expect(w.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(new Set(w).size).toBeGreaterThan(600);
    expect(Array.from(layer.binaryWeights())).toEqual(Array.from(w, sgn));
    expect(layer.kernel.kind).toBe("binary");
    expect(layer.kernel.constraint?.name).toBe("weightClip(1)");
    expect(layer.bias).toBeUndefined();
  });

  it("forward is q(x)·sign(W); backward is the STE pseudo-gradient by definition", () => {
    const rng = new Rng(2);
    const batch = 3;
    const k = 37;
    const n = 5;
    const layer = buildLayer(binaryDense(n, { inputQuantizer: "steSign" }), [k], 9);
    // Push some latent weights outside [−1, 1] so the STE mask matters for them too.
    layer.latentWeights[0] = 1.5;
    layer.latentWeights[7] = -3;
    const x = rng.uniformArray(batch * k, -2, 2);
    const g = rng.uniformArray(batch * n, -1, 1);
    const y = layer.forward(x, batch, { training: true });
    const w = layer.latentWeights;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += sgn(x[b * k + i]!) * sgn(w[i * n + j]!);
        expect(y[b * n + j]).toBe(s);
      }
    }
    const gx = layer.backward(g, batch, true)!;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let b = 0; b < batch; b++) s += sgn(x[b * k + i]!) * g[b * n + j]!;
        expect(layer.kernel.grad[i * n + j]).toBeCloseTo(s * ste(w[i * n + j]!), 5);
      }
    }
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < k; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += g[b * n + j]! * sgn(w[i * n + j]!);
        expect(gx[b * k + i]).toBeCloseTo(s * ste(x[b * k + i]!), 5);
      }
    }
    expect(layer.kernel.grad[0]).toBe(0);
    expect(layer.kernel.grad[7]).toBe(0);
  });

  it("magnitudeAwareSign kernels scale each unit by mean |W| over its inputs", () => {
    const layer = buildLayer(binaryDense(3, { kernelQuantizer: magnitudeAwareSign() }), [4], 1);
    const w = layer.latentWeights;
    const x = Float32Array.of(1, 1, 1, 1);
    const y = layer.forward(x, 1, { training: false });
    for (let j = 0; j < 3; j++) {
      let alpha = 0;
      let s = 0;
      for (let i = 0; i < 4; i++) {
        alpha += Math.abs(w[i * 3 + j]!) / 4;
        s += sgn(w[i * 3 + j]!);
      }
      expect(y[j]).toBeCloseTo(alpha * s, 5);
    }
  });

  it("rejects wrong input sizes and non-flat inputs with NnError codes", () => {
    const layer = buildLayer(binaryDense(2), [3], 1);
    expect(() => layer.forward(new Float32Array(7), 2, { training: false })).toThrowError(
      expect.objectContaining({ code: "SHAPE_MISMATCH" }),
    );
    expect(() => buildLayer(binaryDense(2), [3, 3, 1], 1)).toThrowError(/flatten/);
    expect(() => binaryDense(0)).toThrowError(NnError);
    expect(() => weightClip(-1)).toThrowError(NnError);
  });
});

describe("binaryConv2d", () => {
  it("uses one-padding in 'same' mode and sign(W); backward is conv2dBackward through the STE", () => {
    const rng = new Rng(4);
    const layer = buildLayer(
      binaryConv2d(3, 3, { padding: "same", inputQuantizer: "steSign" }),
      [5, 4, 2],
      2,
    );
    expect(layer.padValue).toBe(1);
    expect(layer.outputShape).toEqual([5, 4, 3]);
    const batch = 2;
    const x = rng.uniformArray(batch * 40, -1.5, 1.5);
    const y = layer.forward(x, batch, { training: true });
    // Direct convolution over ±1 with padded positions = +1.
    const w = layer.latentWeights;
    const at = (b: number, yy: number, xx: number, c: number) =>
      yy < 0 || yy >= 5 || xx < 0 || xx >= 4 ? 1 : sgn(x[((b * 5 + yy) * 4 + xx) * 2 + c]!);
    for (let b = 0; b < batch; b++)
      for (let oy = 0; oy < 5; oy++)
        for (let ox = 0; ox < 4; ox++)
          for (let f = 0; f < 3; f++) {
            let s = 0;
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++)
                for (let c = 0; c < 2; c++)
                  s += at(b, oy + ky - 1, ox + kx - 1, c) * sgn(w[((ky * 3 + kx) * 2 + c) * 3 + f]!);
            expect(y[((b * 5 + oy) * 4 + ox) * 3 + f]).toBe(s);
          }
    const g = rng.uniformArray(y.length, -1, 1);
    const gx = layer.backward(g, batch, true)!;
    const xq = Float32Array.from(x, sgn);
    const wq = Float32Array.from(w, sgn);
    const ref = conv2dBackward(xq, wq, g, {
      batch,
      inH: 5,
      inW: 4,
      inC: 2,
      outC: 3,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "same",
      padValue: 1,
    });
    ref.gradWeights.forEach((v, i) => {
      expect(layer.kernel.grad[i]).toBeCloseTo(v * ste(w[i]!), 5);
    });
    ref.gradInput.forEach((v, i) => {
      expect(gx[i]).toBeCloseTo(v * ste(x[i]!), 5);
    });
  });

  it("rejects kernels that do not fit and non-image inputs", () => {
    expect(() => buildLayer(binaryConv2d(2, 5), [3, 3, 1], 1)).toThrowError(
      expect.objectContaining({ code: "SHAPE_MISMATCH" }),
    );
    expect(() => buildLayer(binaryConv2d(2, 3), [30], 1)).toThrowError(/NHWC/);
    expect(() => binaryConv2d(2, 3, { padding: "full" as "same" })).toThrowError(NnError);
  });
});

describe("QuantizedLayer (the base of Dense and Conv2d)", () => {
  it("gives both the same quantizer, constraint, bias and initialization rules", () => {
    const d = buildLayer(binaryDense(4), [9], 1);
    const c = buildLayer(binaryConv2d(4, 3), [3, 3, 1], 1);
    for (const l of [d, c]) {
      expect(l).toBeInstanceOf(QuantizedLayer);
      expect(l.kernelQuantizer?.name).toBe("steSign");
      expect(l.kernelConstraint?.name).toBe("weightClip(1)");
      expect(l.bias).toBeUndefined();
      expect(l.channels).toBe(4);
    }
    // Same generator state, same fan-in and kernel size: the same latent weights, row-major with channels last.
    expect(Array.from(c.latentWeights)).toEqual(Array.from(d.latentWeights));
    const real = [buildLayer(dense(4), [9], 1), buildLayer(conv2d(4, 3), [3, 3, 1], 1)];
    for (const l of real) {
      expect(l.kernelQuantizer).toBeUndefined();
      expect(l.kernel.kind).toBe("real");
      expect(l.bias?.value.length).toBe(4);
    }
    expect(d.cost(1)).toMatchObject({ params1bit: 36, macs1bit: 36 });
    expect(c.cost(1)).toMatchObject({ params1bit: 36, macs1bit: 36 });
  });
});

describe("sign activation", () => {
  it("outputs ±1 and passes gradients where |x| ≤ 1", () => {
    const layer = buildLayer(sign(), [4], 1);
    const y = layer.forward(Float32Array.of(-2, -0.5, 0, 3), 1, { training: true });
    expect(Array.from(y)).toEqual([-1, -1, 1, 1]);
    expect(Array.from(layer.backward(Float32Array.of(1, 2, 3, 4), 1, true)!)).toEqual([0, 2, 3, 0]);
  });
});
