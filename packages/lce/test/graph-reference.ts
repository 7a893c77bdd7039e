import type { GraphNode, LceGraph } from "../src/graph.js";
import { padBefore } from "../src/import-context.js";

// A plain reference run of the importer's graph in onebit's conventions (+1 ↔ bit 1, dot thresholds,
// [H, W, C] without batch). The tests compare it with the independent .tflite interpreter: agreement
// shows that the import (weight bits flipped, thresholds rewritten, padding decoded, MUL + ADD folded)
// preserves what the file computes. When @onebit/format's v2 reference interpreter exists, the same
// comparison runs against it through the written .onebit file.

export type RefValue =
  | { readonly kind: "float32"; readonly shape: readonly number[]; readonly data: Float32Array }
  | {
      readonly kind: "bits";
      readonly shape: readonly number[];
      readonly bits: Uint32Array;
      readonly words: number;
    };

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

function pack(
  signs: ArrayLike<number>,
  rows: number,
  channels: number,
): { bits: Uint32Array; words: number } {
  const words = Math.ceil(channels / 32);
  const bits = new Uint32Array(rows * words);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < channels; c++)
      if (signs[r * channels + c]! > 0) bits[r * words + (c >> 5)]! |= 1 << (c & 31);
  return { bits, words };
}

function unpack(value: Extract<RefValue, { kind: "bits" }>): Float32Array {
  const C = value.shape.at(-1)!;
  const rows = size(value.shape) / C;
  const out = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++)
      out[r * C + c] = (value.bits[r * value.words + (c >> 5)]! >>> (c & 31)) & 1 ? 1 : -1;
  return out;
}

/** Runs `graph` on one input; returns every value by name. */
export function runGraphReference(graph: LceGraph, input: Float32Array): Map<string, RefValue> {
  const values = new Map<string, RefValue>();
  values.set(graph.inputs[0]!.name, { kind: "float32", shape: graph.inputs[0]!.shape, data: input });
  for (const node of graph.nodes)
    values.set(node.name, step(node, values, graph.values.get(node.name)!.shape));
  return values;
}

function floatIn(values: Map<string, RefValue>, name: string): Extract<RefValue, { kind: "float32" }> {
  const v = values.get(name)!;
  if (v.kind !== "float32") throw new Error(`${name} is not float`);
  return v;
}

function step(node: GraphNode, values: Map<string, RefValue>, shape: readonly number[]): RefValue {
  const float = (data: Float32Array): RefValue => ({ kind: "float32", shape, data });
  switch (node.op) {
    case "quantize": {
      const x = floatIn(values, node.inputs[0]!);
      const C = shape.at(-1)!;
      const signs = Array.from(x.data, (v) => (v < 0 ? -1 : 1));
      return { kind: "bits", shape, ...pack(signs, size(shape) / C, C) };
    }
    case "dequantize": {
      const x = values.get(node.inputs[0]!)!;
      if (x.kind !== "bits") throw new Error("dequantize of float");
      return float(unpack(x));
    }
    case "bconv2d": {
      const x = values.get(node.inputs[0]!)!;
      if (x.kind !== "bits") throw new Error("bconv2d reads bits");
      const [H, W] = x.shape as [number, number, number];
      const [O, kh, kw, Cg] = node.weightsShape;
      const [Ho, Wo] = shape as [number, number, number];
      const gWords = Math.ceil(Cg / 32);
      const w = pack(node.weights, O * kh * kw, Cg).bits;
      const top = padBefore(H, kh, node.stride[0], node.dilation[0], node.padding);
      const left = padBefore(W, kw, node.stride[1], node.dilation[1], node.padding);
      const onesWord = (k: number) => (k === gWords - 1 && Cg % 32 ? (1 << (Cg % 32)) - 1 : -1) >>> 0;
      const outPerGroup = O / node.groups;
      const out = node.output.kind === "float32" ? new Float32Array(Ho * Wo * O) : null;
      const signs = node.output.kind === "bits" ? new Int8Array(Ho * Wo * O) : null;
      for (let y = 0; y < Ho; y++)
        for (let xx = 0; xx < Wo; xx++)
          for (let o = 0; o < O; o++) {
            const g = Math.floor(o / outPerGroup);
            let dot = 0;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * node.stride[0] - top + i * node.dilation[0];
                const ix = xx * node.stride[1] - left + j * node.dilation[1];
                const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                if (!inside && node.padValue === 0) continue;
                let mismatches = 0;
                for (let k = 0; k < gWords; k++) {
                  const a = inside ? x.bits[(iy * W + ix) * x.words + g * gWords + k]! : onesWord(k);
                  mismatches += popcount((a ^ w[((o * kh + i) * kw + j) * gWords + k]!) >>> 0);
                }
                dot += Cg - 2 * mismatches;
              }
            const p = (y * Wo + xx) * O + o;
            if (node.output.kind === "float32") {
              const d = Math.min(node.output.clamp[1], Math.max(node.output.clamp[0], dot));
              out![p] = Math.fround(Math.fround(d * node.output.multiplier[o]!) + node.output.bias[o]!);
            } else signs![p] = dot >= node.output.thresholds[o]! ? 1 : -1;
          }
      return out ? float(out) : { kind: "bits", shape, ...pack(signs!, Ho * Wo, O) };
    }
    case "conv2d":
    case "depthwiseConv2d": {
      const x = floatIn(values, node.inputs[0]!);
      const [H, W, C] = x.shape as [number, number, number];
      const dw = node.op === "depthwiseConv2d";
      const kh = dw ? node.weightsShape[0] : node.weightsShape[1];
      const kw = dw ? node.weightsShape[1] : node.weightsShape[2];
      const [Ho, Wo, O] = shape as [number, number, number];
      const top = padBefore(H, kh, node.stride[0], node.dilation[0], node.padding);
      const left = padBefore(W, kw, node.stride[1], node.dilation[1], node.padding);
      const m = dw ? node.multiplier : 1;
      const out = new Float32Array(Ho * Wo * O);
      for (let y = 0; y < Ho; y++)
        for (let xx = 0; xx < Wo; xx++)
          for (let o = 0; o < O; o++) {
            let acc = node.bias ? node.bias[o]! : 0;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * node.stride[0] - top + i * node.dilation[0];
                const ix = xx * node.stride[1] - left + j * node.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                if (dw)
                  acc += x.data[(iy * W + ix) * C + Math.floor(o / m)]! * node.weights[(i * kw + j) * O + o]!;
                else
                  for (let c = 0; c < C; c++)
                    acc += x.data[(iy * W + ix) * C + c]! * node.weights[((o * kh + i) * kw + j) * C + c]!;
              }
            out[(y * Wo + xx) * O + o] = acc;
          }
      return float(out);
    }
    case "dense": {
      const x = floatIn(values, node.inputs[0]!);
      const [O, I] = node.weightsShape;
      const out = new Float32Array(O);
      for (let o = 0; o < O; o++) {
        let acc = node.bias ? node.bias[o]! : 0;
        for (let i = 0; i < I; i++) acc += x.data[i]! * node.weights[o * I + i]!;
        out[o] = acc;
      }
      return float(out);
    }
    case "add": {
      const a = floatIn(values, node.inputs[0]!).data;
      const b = floatIn(values, node.inputs[1]!).data;
      return float(a.map((v, i) => v + b[i]!));
    }
    case "mul":
    case "batchNorm": {
      const x = floatIn(values, node.inputs[0]!).data;
      const C = node.scale.length;
      const offset = node.op === "batchNorm" ? node.offset : null;
      return float(
        x.map((v, i) => Math.fround(Math.fround(v * node.scale[i % C]!) + (offset ? offset[i % C]! : 0))),
      );
    }
    case "relu":
      return float(
        floatIn(values, node.inputs[0]!).data.map((v) => Math.min(node.max, Math.max(node.min, v))),
      );
    case "prelu": {
      const C = node.alpha.length;
      return float(
        floatIn(values, node.inputs[0]!).data.map((v, i) => (v >= 0 ? v : v * node.alpha[i % C]!)),
      );
    }
    case "maxPool2d":
    case "avgPool2d": {
      const x = values.get(node.inputs[0]!)!;
      const data = x.kind === "bits" ? unpack(x) : x.data;
      const [H, W, C] = x.shape as [number, number, number];
      const [Ho, Wo] = shape as [number, number, number];
      const top = padBefore(H, node.kernel[0], node.stride[0], 1, node.padding);
      const left = padBefore(W, node.kernel[1], node.stride[1], 1, node.padding);
      const out = new Float32Array(Ho * Wo * C);
      for (let y = 0; y < Ho; y++)
        for (let xx = 0; xx < Wo; xx++)
          for (let c = 0; c < C; c++) {
            let acc = node.op === "maxPool2d" ? Number.NEGATIVE_INFINITY : 0;
            let n = 0;
            for (let i = 0; i < node.kernel[0]; i++)
              for (let j = 0; j < node.kernel[1]; j++) {
                const iy = y * node.stride[0] - top + i;
                const ix = xx * node.stride[1] - left + j;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const v = data[(iy * W + ix) * C + c]!;
                acc = node.op === "maxPool2d" ? Math.max(acc, v) : acc + v;
                n++;
              }
            out[(y * Wo + xx) * C + c] = node.op === "maxPool2d" ? acc : acc / n;
          }
      return x.kind === "bits" ? { kind: "bits", shape, ...pack(out, Ho * Wo, C) } : float(out);
    }
    case "globalAvgPool": {
      const x = floatIn(values, node.inputs[0]!);
      const C = x.shape[2]!;
      const n = size(x.shape) / C;
      const out = new Float32Array(C);
      for (let p = 0; p < n; p++) for (let c = 0; c < C; c++) out[c]! += x.data[p * C + c]!;
      return float(out.map((v) => v / n));
    }
    case "concat": {
      const parts = node.inputs.map((name) => floatIn(values, name));
      const C = shape.at(-1)!;
      const rows = size(shape) / C;
      const out = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++) {
        let at = 0;
        for (const part of parts) {
          const pc = part.shape.at(-1)!;
          out.set(part.data.subarray(r * pc, (r + 1) * pc), r * C + at);
          at += pc;
        }
      }
      return float(out);
    }
    case "pad": {
      const x = floatIn(values, node.inputs[0]!);
      const [H, W, C] = x.shape as [number, number, number];
      const Wo = shape[1]!;
      const out = new Float32Array(size(shape));
      for (let y = 0; y < H; y++)
        out.set(x.data.subarray(y * W * C, (y + 1) * W * C), ((y + node.pads[0]) * Wo + node.pads[2]) * C);
      return float(out);
    }
    case "reshape":
      return float(floatIn(values, node.inputs[0]!).data);
    case "softmax": {
      const x = floatIn(values, node.inputs[0]!).data;
      const max = Math.max(...x);
      const e = Array.from(x, (v) => Math.exp((v - max) * node.beta));
      const sum = e.reduce((a, b) => a + b, 0);
      return float(Float32Array.from(e, (v) => v / sum));
    }
  }
}
