// The float glue's convolution (csrc/glue.c) against a plain float64 reference written here, on the
// shapes its vector tiles split into: groups of 8, 16, 32 and 64 outputs and more (8 pixels × 8
// outputs … one pixel × 64), remainders of fewer than 8 outputs, depthwise multipliers, dense rows,
// padding, strides, dilations and row ranges that end inside a tile. Bit-for-bit: the runtime's
// TypeScript steps sum in float64 in the same order (its tests compare those with the glue too).
import { describe, expect, it } from "vitest";
import { FLOAT_GLUE_KEY, type NativeFloatGlue } from "../src/index.js";
import { mustRun, pick, randomValues, status } from "./support.js";

interface Conv {
  height: number;
  width: number;
  channels: number;
  n: number;
  kh: number;
  kw: number;
  stride: number;
  dilation: number;
  pad: number;
  groups: number;
  batch: number;
  padValue: number;
  bias: boolean;
}

function outSize(size: number, c: Conv, k: number): number {
  return Math.floor((size + 2 * c.pad - c.dilation * (k - 1) - 1) / c.stride) + 1;
}

/** out[r][o] = fround(Σ over (ky, kx, ci) ascending of x·w in float64, + bias), weights [tap][ci][o]. */
function reference(c: Conv, x: Float32Array, wt: Float32Array, bias: Float32Array, r0: number, r1: number) {
  const oh = outSize(c.height, c, c.kh);
  const ow = outSize(c.width, c, c.kw);
  const cin = c.channels / c.groups;
  const per = c.n / c.groups;
  const out = new Float32Array(c.batch * oh * ow * c.n);
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / (oh * ow));
    const oy = Math.floor((r % (oh * ow)) / ow);
    const ox = r % ow;
    for (let o = 0; o < c.n; o++) {
      const q = Math.floor(o / per);
      let sum = 0;
      for (let i = 0; i < c.kh; i++)
        for (let j = 0; j < c.kw; j++)
          for (let ci = 0; ci < cin; ci++) {
            const iy = oy * c.stride - c.pad + i * c.dilation;
            const ix = ox * c.stride - c.pad + j * c.dilation;
            const inside = iy >= 0 && iy < c.height && ix >= 0 && ix < c.width;
            const v = inside
              ? x[((b * c.height + iy) * c.width + ix) * c.channels + q * cin + ci]!
              : c.padValue;
            sum += v * wt[((i * c.kw + j) * cin + ci) * c.n + o]!;
          }
      out[r * c.n + o] = c.bias ? sum + bias[o]! : sum;
    }
  }
  return { out, rows: c.batch * oh * ow, oh, ow };
}

function runGlue(
  glue: NativeFloatGlue,
  c: Conv,
  seed: number,
  r0: number,
  r1: number,
  oh: number,
  ow: number,
) {
  const cin = c.channels / c.groups;
  const xs = c.batch * c.height * c.width * c.channels;
  const x = randomValues(xs, seed);
  const wt = randomValues(c.kh * c.kw * cin * c.n, seed + 1);
  const bias = randomValues(c.n, seed + 2);
  const rows = c.batch * oh * ow;
  // Memory: [x][bias][out], float offsets in bytes.
  const memory = new Float32Array(xs + c.n + rows * c.n);
  memory.set(x, 0);
  memory.set(bias, xs);
  const view = new Uint8Array(memory.buffer);
  const desc = Float64Array.of(
    c.height,
    c.width,
    c.channels,
    c.n,
    c.kh,
    c.kw,
    c.stride,
    c.stride,
    c.dilation,
    c.dilation,
    c.pad,
    c.pad,
    oh,
    ow,
    c.groups,
    r0,
    r1,
    0,
    (xs + c.n) * 4,
    c.bias ? xs * 4 : 0,
    c.padValue,
  );
  glue.floatConv(view, desc, wt);
  return { got: memory.subarray(xs + c.n), x, wt, bias };
}

const glue = (globalThis as Record<symbol, unknown>)[FLOAT_GLUE_KEY] as NativeFloatGlue | undefined;

describe.runIf(glue !== undefined || mustRun)("native float glue convolution", () => {
  it("loads with the addon", () => {
    expect(status.available).toBe(true);
    expect(glue).toBeDefined();
  });

  const shapes: [string, Partial<Conv>][] = [
    ["QuickNet's stem: 3 → 8, stride 2", { channels: 3, n: 8, stride: 2 }],
    ["depthwise × 8 (QuickNet), padded", { channels: 8, n: 64, groups: 8, stride: 2, pad: 1 }],
    ["groups of 16", { channels: 4, n: 32, groups: 2, pad: 1, padValue: 0.5 }],
    ["groups of 32, dilated", { channels: 6, n: 64, groups: 2, dilation: 2, pad: 2 }],
    ["64 + 32 + 16 + 8 + 3 outputs", { channels: 5, n: 123, pad: 1 }],
    ["groups of 72 = 64 + 8", { channels: 4, n: 144, groups: 2 }],
    ["groups of 9 (8 + one in scalar)", { channels: 3, n: 27, groups: 3, pad: 1, padValue: -1.25 }],
    ["1×1, 130 outputs", { channels: 17, n: 130, kh: 1, kw: 1 }],
    ["5×3 kernel, stride 3", { channels: 2, n: 16, kh: 5, kw: 3, stride: 3, pad: 2 }],
    ["one pixel, 200 outputs (a dense layer)", { height: 1, width: 1, channels: 33, n: 200, kh: 1, kw: 1 }],
  ];
  for (const [name, shape] of shapes)
    it(name, () => {
      const c: Conv = {
        height: 9,
        width: 7,
        channels: 3,
        n: 8,
        kh: 3,
        kw: 3,
        stride: 1,
        dilation: 1,
        pad: 0,
        groups: 1,
        batch: 2,
        padValue: 0,
        bias: true,
        ...shape,
      };
      for (let trial = 0; trial < 4; trial++) {
        const seed = 100 * trial + name.length;
        const cc = { ...c, bias: trial % 2 === 0 };
        const oh = outSize(c.height, c, c.kh);
        const ow = outSize(c.width, c, c.kw);
        const rows = c.batch * oh * ow;
        // Whole batch, then ranges that start and end inside a tile.
        const r0 = trial < 2 ? 0 : pick(seed, 0, rows - 1);
        const r1 = trial < 2 ? rows : pick(seed + 7, r0, rows);
        const { got, x, wt, bias } = runGlue(glue!, cc, seed, r0, r1, oh, ow);
        const want = reference(cc, x, wt, bias, r0, r1);
        expect(Array.from(got.subarray(r0 * c.n, r1 * c.n)), `trial ${trial} rows ${r0}–${r1}`).toEqual(
          Array.from(want.out.subarray(r0 * c.n, r1 * c.n)),
        );
      }
    });
});
