import type { OnebitModel, ValueInfo } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { type NodeSpec, encodeModel, type Initializer } from "../onnx/model.js";
import { tensor } from "./onebit-packages.js";

/**
 * The float32 equivalent of a .onebit model: the same layer sequence and sizes with float weights
 * (random: speed does not depend on them), ReLU where the binary model has BatchNorm + sign (folded
 * into the bias), logits where it has scale/bias. Trailing softmax/argmax are left out (both sides
 * are compared on logits). It runs in onnxruntime-node (as an ONNX graph) and on @onebit/tensor.
 */

interface Window {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly outH: number;
  readonly outW: number;
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
}

export type TwinLayer =
  | (Window & {
      readonly kind: "conv";
      readonly o: number;
      readonly relu: boolean;
      /** [kh, kw, c, o] (HWIO). */
      readonly weights: Float32Array;
      readonly bias: Float32Array;
    })
  | (Window & { readonly kind: "pool" })
  | { readonly kind: "flatten" }
  | {
      readonly kind: "dense";
      readonly k: number;
      readonly o: number;
      readonly relu: boolean;
      /** k×o. */
      readonly weights: Float32Array;
      readonly bias: Float32Array;
    };

export interface FloatTwin {
  /** Sample shape: [F] or [H, W, C]. */
  readonly inputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly layers: readonly TwinLayer[];
  /** float32 parameter bytes. */
  readonly bytes: number;
}

function axisPads(n: number, k: number, s: number, out: number, padding: "same" | "valid"): [number, number] {
  if (padding === "valid") return [0, 0];
  const total = Math.max((out - 1) * s + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function window(
  input: ValueInfo,
  output: ValueInfo,
  kernel: readonly number[],
  stride: readonly number[],
  padding: "same" | "valid",
): Window {
  const [h, w, c] = input.shape as [number, number, number];
  const [outH, outW] = output.shape as [number, number];
  const [kh, kw] = kernel as [number, number];
  const [sh, sw] = stride as [number, number];
  const [top, bottom] = axisPads(h, kh, sh, outH, padding);
  const [left, right] = axisPads(w, kw, sw, outW, padding);
  return { kh, kw, sh, sw, h, w, c, outH, outW, pads: [top, left, bottom, right] };
}

/** Builds the twin from a validated model and its value infos (`checkModel(model).values`). */
export function floatTwinOf(model: OnebitModel, values: readonly ValueInfo[], seed = 11): FloatTwin {
  const rng = new Rng(seed);
  const nodes = model.graph.nodes;
  const first = nodes[0];
  if (first?.op !== "input") throw new Error("float twin: the graph does not start with an input node");
  const layers: TwinLayer[] = [];
  let params = 0;
  let outputSize = first.shape.reduce((a, b) => a * b, 1);
  for (let i = 1; i < nodes.length; i++) {
    const node = nodes[i]!;
    const input = values[i - 1]!;
    const output = values[i]!;
    if (node.op === "softmax" || node.op === "argmax") break;
    outputSize = output.shape.reduce((a, b) => a * b, 1);
    switch (node.op) {
      case "denseFloat":
      case "denseBitPlane":
      case "binaryDense": {
        const k = input.shape.reduce((a, b) => a * b, 1);
        const o = output.shape[0]!;
        const limit = Math.sqrt(6 / k);
        layers.push({
          kind: "dense",
          k,
          o,
          relu: node.output.kind === "bits",
          weights: rng.uniformArray(k * o, -limit, limit),
          bias: rng.uniformArray(o, -0.1, 0.1),
        });
        params += k * o + o;
        break;
      }
      case "conv2dFloat":
      case "conv2dBitPlane":
      case "binaryConv2d": {
        const win = window(input, output, node.kernel, node.stride, node.padding);
        const o = output.shape[2]!;
        const fanIn = win.kh * win.kw * win.c;
        const limit = Math.sqrt(6 / fanIn);
        layers.push({
          ...win,
          kind: "conv",
          o,
          relu: node.output.kind === "bits",
          weights: rng.uniformArray(fanIn * o, -limit, limit),
          bias: rng.uniformArray(o, -0.1, 0.1),
        });
        params += fanIn * o + o;
        break;
      }
      case "maxPool2d":
        layers.push({ ...window(input, output, node.kernel, node.stride, node.padding), kind: "pool" });
        break;
      case "flatten":
        layers.push({ kind: "flatten" });
        break;
      default:
        throw new Error(`float twin: no float32 equivalent for op ${(node as { op: string }).op}`);
    }
  }
  return {
    inputShape: [...first.shape],
    inputSize: first.shape.reduce((a, b) => a * b, 1),
    outputSize,
    layers,
    bytes: params * 4,
  };
}

function hwioToOihw(wt: Float32Array, kh: number, kw: number, c: number, o: number): Float32Array {
  const out = new Float32Array(wt.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++)
        for (let f = 0; f < o; f++)
          out[((f * c + ch) * kh + y) * kw + x] = wt[((y * kw + x) * c + ch) * o + f]!;
  return out;
}

/**
 * The twin as an ONNX graph taking NHWC input like the .onebit model: it transposes to NCHW for
 * Conv/MaxPool and back before Flatten, so its logits equal @onebit/tensor's NHWC evaluation.
 */
export function twinOnnx(t: FloatTwin): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: Initializer[] = [];
  let cur = "x";
  let n = 0;
  const next = () => `v${n++}`;
  let nchw = false;
  const add = (op: string, inputs: string[], attributes?: NodeSpec["attributes"]) => {
    const out = next();
    nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    cur = out;
  };
  t.layers.forEach((l, i) => {
    if ((l.kind === "conv" || l.kind === "pool") && !nchw) {
      add("Transpose", [cur], { perm: [0, 3, 1, 2] });
      nchw = true;
    }
    if (l.kind === "conv") {
      initializers.push({
        name: `w${i}`,
        dims: [l.o, l.c, l.kh, l.kw],
        data: hwioToOihw(l.weights, l.kh, l.kw, l.c, l.o),
      });
      initializers.push({ name: `b${i}`, dims: [l.o], data: l.bias });
      add("Conv", [cur, `w${i}`, `b${i}`], {
        kernel_shape: [l.kh, l.kw],
        strides: [l.sh, l.sw],
        pads: [...l.pads],
      });
      if (l.relu) add("Relu", [cur]);
    } else if (l.kind === "pool") {
      add("MaxPool", [cur], { kernel_shape: [l.kh, l.kw], strides: [l.sh, l.sw], pads: [...l.pads] });
    } else if (l.kind === "flatten") {
      if (nchw) {
        add("Transpose", [cur], { perm: [0, 2, 3, 1] });
        nchw = false;
      }
      add("Flatten", [cur], { axis: 1 });
    } else {
      initializers.push({ name: `w${i}`, dims: [l.k, l.o], data: l.weights });
      initializers.push({ name: `b${i}`, dims: [l.o], data: l.bias });
      add("Gemm", [cur, `w${i}`, `b${i}`]);
      if (l.relu) add("Relu", [cur]);
    }
  });
  nodes[nodes.length - 1] = { ...nodes[nodes.length - 1]!, outputs: ["y"] };
  return encodeModel({
    name: "float_twin",
    inputs: [{ name: "x", shape: ["batch", ...t.inputShape] }],
    outputs: [{ name: "y", shape: ["batch", t.outputSize] }],
    initializers,
    nodes,
  });
}

/** Why @onebit/tensor cannot run this twin, if it cannot (its max-pool has no padding). */
export function tensorTwinUnsupported(t: FloatTwin): string | undefined {
  const padded = t.layers.find((l) => l.kind === "pool" && l.pads.some((p) => p > 0));
  return padded ? "@onebit/tensor maxPool2d has no 'same' padding" : undefined;
}

/** The twin on @onebit/tensor (NHWC), buffers allocated once for `batch`. */
export function tensorTwinRunner(t: FloatTwin, batch: number): (x: Float32Array) => Float32Array {
  const buffers = t.layers.map((l) =>
    l.kind === "conv"
      ? new Float32Array(batch * l.outH * l.outW * l.o)
      : l.kind === "dense"
        ? new Float32Array(batch * l.o)
        : undefined,
  );
  return (x) => {
    let h = x;
    t.layers.forEach((l, i) => {
      if (l.kind === "conv") {
        const out = buffers[i]!;
        tensor.conv2d(
          h,
          l.weights,
          {
            batch,
            inH: l.h,
            inW: l.w,
            inC: l.c,
            outC: l.o,
            kernelH: l.kh,
            kernelW: l.kw,
            strideH: l.sh,
            strideW: l.sw,
            padding: l.pads.some((p) => p > 0) ? "same" : "valid",
          },
          out,
        );
        tensor.addBias(out, batch * l.outH * l.outW, l.o, l.bias);
        if (l.relu) tensor.clip(out, 0, Number.POSITIVE_INFINITY);
        h = out;
      } else if (l.kind === "pool") {
        h = tensor.maxPool2d(h, {
          batch,
          inH: l.h,
          inW: l.w,
          channels: l.c,
          poolH: l.kh,
          poolW: l.kw,
          strideH: l.sh,
          strideW: l.sw,
        }).output;
      } else if (l.kind === "dense") {
        const z = buffers[i]!;
        tensor.gemm(h, l.weights, z, batch, l.o, l.k);
        tensor.addBias(z, batch, l.o, l.bias);
        if (l.relu) tensor.clip(z, 0, Number.POSITIVE_INFINITY);
        h = z;
      }
    });
    return h;
  };
}

/** One sample through the twin in float64, straight from the definitions (zero padding, pools skip it). */
export function twinReferenceRow(t: FloatTwin, x: Float32Array, row: number): Float64Array {
  let h = Float64Array.from(x.subarray(row * t.inputSize, (row + 1) * t.inputSize));
  for (const l of t.layers) {
    if (l.kind === "conv") {
      const out = new Float64Array(l.outH * l.outW * l.o);
      for (let oy = 0; oy < l.outH; oy++)
        for (let ox = 0; ox < l.outW; ox++)
          for (let f = 0; f < l.o; f++) {
            let s = l.bias[f]!;
            for (let ky = 0; ky < l.kh; ky++) {
              const iy = oy * l.sh + ky - l.pads[0];
              if (iy < 0 || iy >= l.h) continue;
              for (let kx = 0; kx < l.kw; kx++) {
                const ix = ox * l.sw + kx - l.pads[1];
                if (ix < 0 || ix >= l.w) continue;
                for (let c = 0; c < l.c; c++)
                  s += h[(iy * l.w + ix) * l.c + c]! * l.weights[((ky * l.kw + kx) * l.c + c) * l.o + f]!;
              }
            }
            out[(oy * l.outW + ox) * l.o + f] = l.relu ? Math.max(0, s) : s;
          }
      h = out;
    } else if (l.kind === "pool") {
      const out = new Float64Array(l.outH * l.outW * l.c);
      for (let oy = 0; oy < l.outH; oy++)
        for (let ox = 0; ox < l.outW; ox++)
          for (let c = 0; c < l.c; c++) {
            let best = Number.NEGATIVE_INFINITY;
            for (let ky = 0; ky < l.kh; ky++)
              for (let kx = 0; kx < l.kw; kx++) {
                const iy = oy * l.sh + ky - l.pads[0];
                const ix = ox * l.sw + kx - l.pads[1];
                if (iy >= 0 && iy < l.h && ix >= 0 && ix < l.w)
                  best = Math.max(best, h[(iy * l.w + ix) * l.c + c]!);
              }
            out[(oy * l.outW + ox) * l.c + c] = best;
          }
      h = out;
    } else if (l.kind === "dense") {
      const out = new Float64Array(l.o);
      for (let j = 0; j < l.o; j++) out[j] = l.bias[j]!;
      for (let k = 0; k < l.k; k++) {
        const v = h[k]!;
        if (v === 0) continue;
        for (let j = 0; j < l.o; j++) out[j]! += v * l.weights[k * l.o + j]!;
      }
      if (l.relu) for (let j = 0; j < l.o; j++) out[j] = Math.max(0, out[j]!);
      h = out;
    }
  }
  return h;
}
