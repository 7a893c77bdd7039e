import { toObject } from "flatbuffers/js/flexbuffers.js";
import type { TfliteModel, TfliteOperator, TfliteTensor } from "../src/read-tflite.js";

// An independent, plain interpreter of a TFLite graph with LCE custom ops, written from the TFLite and
// LCE definitions (TFLITE.md) and used only by the tests: it works on the raw tensors as the file stores
// them — NHWC with the batch axis, LCE's bit packing (bit 1 = −1, accum = popcount(x XOR w)) — and shares
// no code with the importer beyond the reader. Float arithmetic in float64 accumulators.

type Data = Float32Array | Int32Array;
interface Value {
  shape: number[];
  data: Data;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

function constant(tensor: TfliteTensor): Value {
  const bytes = new Uint8Array(tensor.data!); // copy: aligned
  const data = tensor.type === 2 ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
  return { shape: [...tensor.shape], data };
}

function windowGeometry(inSize: number, k: number, s: number, d: number, same: boolean) {
  const eff = (k - 1) * d + 1;
  const out = same ? Math.ceil(inSize / s) : Math.floor((inSize - eff) / s) + 1;
  const pad = same ? Math.floor(Math.max(0, (out - 1) * s + eff - inSize) / 2) : 0;
  return { out, pad };
}

function activate(x: number, code: number): number {
  if (code === 1) return Math.max(0, x);
  if (code === 2) return Math.min(1, Math.max(-1, x));
  if (code === 3) return Math.min(6, Math.max(0, x));
  if (code !== 0) throw new Error(`activation ${code}`);
  return x;
}

/** Runs `model` on one input; returns every tensor's value by index. */
export function interpretTflite(model: TfliteModel, input: Float32Array): Map<number, Value> {
  const values = new Map<number, Value>();
  for (const t of model.tensors) if (t.data) values.set(t.index, constant(t));
  values.set(model.inputs[0]!, { shape: [...model.tensors[model.inputs[0]!]!.shape], data: input });
  // LCE changed its custom-option enums in the same release that introduced LceQuantize/LceDequantize;
  // files with those ops use the schema's Padding (0 SAME, 1 VALID), older ones TfLitePadding (1, 2).
  const newEnums = model.operators.some((op) => op.name === "LceQuantize" || op.name === "LceDequantize");
  const isSame = (p: number) => (newEnums ? p === 0 : p === 1);
  for (const op of model.operators) {
    const get = (i: number) => values.get(op.inputs[i]!)!;
    const outTensor = model.tensors[op.outputs[0]!]!;
    const result = run(op, get, outTensor, isSame);
    values.set(outTensor.index, result);
  }
  return values;
}

function run(
  op: TfliteOperator,
  get: (i: number) => Value,
  outTensor: TfliteTensor,
  isSame: (p: number) => boolean,
): Value {
  const o = (op.builtinOptions ?? {}) as Record<string, number>;
  const custom = op.customOptions
    ? (toObject(new Uint8Array(op.customOptions).buffer) as Record<string, number>)
    : ({} as Record<string, number>);
  const outShape = [...outTensor.shape];
  switch (op.name) {
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D": {
      const x = get(0);
      const f = get(1);
      const bias = op.inputs[2]! >= 0 ? get(2).data : null;
      const [, H, W, C] = x.shape as [number, number, number, number];
      const depthwise = op.name === "DEPTHWISE_CONV_2D";
      const [O, kh, kw] = depthwise
        ? [f.shape[3]!, f.shape[1]!, f.shape[2]!]
        : [f.shape[0]!, f.shape[1]!, f.shape[2]!];
      const gh = windowGeometry(H, kh, o.stride_h!, o.dilation_h_factor!, o.padding === 0);
      const gw = windowGeometry(W, kw, o.stride_w!, o.dilation_w_factor!, o.padding === 0);
      const out = new Float32Array(gh.out * gw.out * O);
      const m = O / C;
      for (let y = 0; y < gh.out; y++)
        for (let xx = 0; xx < gw.out; xx++)
          for (let oc = 0; oc < O; oc++) {
            let acc = bias ? bias[oc]! : 0;
            for (let i = 0; i < kh; i++) {
              const iy = y * o.stride_h! - gh.pad + i * o.dilation_h_factor!;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < kw; j++) {
                const ix = xx * o.stride_w! - gw.pad + j * o.dilation_w_factor!;
                if (ix < 0 || ix >= W) continue;
                const base = (iy * W + ix) * C;
                if (depthwise) acc += x.data[base + Math.floor(oc / m)]! * f.data[(i * kw + j) * O + oc]!;
                else
                  for (let c = 0; c < C; c++)
                    acc += x.data[base + c]! * f.data[((oc * kh + i) * kw + j) * C + c]!;
              }
            }
            out[(y * gw.out + xx) * O + oc] = activate(acc, o.fused_activation_function!);
          }
      return { shape: outShape, data: out };
    }
    case "LceBconv2d": {
      const x = get(0);
      const f = get(1);
      const [, H, W] = x.shape as [number, number, number, number];
      const Cin = custom.channels_in!;
      const [O, kh, kw, words] = f.shape as [number, number, number, number];
      const groups = Math.ceil(Cin / 32) / words;
      const perGroup = Cin / groups;
      // Pack the input the LCE way when it arrives as float (older files binarize inside the op).
      const inWords = Math.ceil(Cin / 32);
      let packed: Int32Array;
      if (x.data instanceof Float32Array) {
        packed = new Int32Array(H * W * inWords);
        for (let p = 0; p < H * W; p++)
          for (let c = 0; c < Cin; c++)
            if (x.data[p * Cin + c]! < 0) packed[p * inWords + (c >> 5)]! |= 1 << (c & 31);
      } else packed = x.data;
      const same = isSame(custom.padding!);
      const sh = custom.stride_height!;
      const sw = custom.stride_width!;
      const dh = custom.dilation_height_factor ?? 1;
      const dw = custom.dilation_width_factor ?? 1;
      const gh = windowGeometry(H, kh, sh, dh, same);
      const gw = windowGeometry(W, kw, sw, dw, same);
      const K = kh * kw * perGroup;
      const padOne = (custom.pad_values ?? 0) === 1;
      const bitsOut = outTensor.type === 2;
      const outWords = Math.ceil(O / 32);
      const out = bitsOut
        ? new Int32Array(gh.out * gw.out * outWords)
        : new Float32Array(gh.out * gw.out * O);
      const mult = bitsOut ? null : get(2).data;
      const bias = bitsOut ? null : get(3).data;
      const thresholds = bitsOut ? get(4).data : null;
      const act = custom.fused_activation_function ?? 0;
      const lo = act === 1 ? 0 : act === 2 ? -1 : act === 3 ? 0 : -K;
      const hi = act === 2 ? 1 : act === 3 ? 6 : K;
      const outPerGroup = O / groups;
      for (let y = 0; y < gh.out; y++)
        for (let xx = 0; xx < gw.out; xx++)
          for (let oc = 0; oc < O; oc++) {
            const g = Math.floor(oc / outPerGroup);
            let accum = 0;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - gh.pad + i * dh;
                const ix = xx * sw - gw.pad + j * dw;
                const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                if (!inside && !padOne) {
                  accum += perGroup >> 1; // zero padding: the dot's 'zero point'
                  continue;
                }
                for (let w = 0; w < words; w++) {
                  const a = inside ? packed[(iy * W + ix) * inWords + g * words + w]! : 0;
                  accum += popcount((a ^ f.data[((oc * kh + i) * kw + j) * words + w]!) >>> 0);
                }
              }
            const p = y * gw.out + xx;
            if (bitsOut) {
              if (accum > thresholds![oc]!) (out as Int32Array)[p * outWords + (oc >> 5)]! |= 1 << (oc & 31);
            } else {
              const dot = Math.min(hi, Math.max(lo, K - 2 * accum));
              out[p * O + oc] = Math.fround(Math.fround(dot * mult![oc]!) + bias![oc]!);
            }
          }
      return { shape: outShape, data: out };
    }
    case "LceQuantize": {
      const x = get(0);
      const C = x.shape.at(-1)!;
      const words = Math.ceil(C / 32);
      const rows = size(x.shape) / C;
      const out = new Int32Array(rows * words);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < C; c++) if (x.data[r * C + c]! < 0) out[r * words + (c >> 5)]! |= 1 << (c & 31);
      return { shape: outShape, data: out };
    }
    case "LceDequantize": {
      const x = get(0);
      const C = outShape.at(-1)!;
      const words = x.shape.at(-1)!;
      const rows = size(outShape) / C;
      const out = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < C; c++)
          out[r * C + c] = (x.data[r * words + (c >> 5)]! >>> (c & 31)) & 1 ? -1 : 1;
      return { shape: outShape, data: out };
    }
    case "LceBMaxPool2d":
    case "MAX_POOL_2D":
    case "AVERAGE_POOL_2D": {
      const x = get(0);
      const [, H, W, C] = x.shape as [number, number, number, number];
      const lce = op.name === "LceBMaxPool2d";
      const fh = lce ? custom.filter_height! : o.filter_height!;
      const fw = lce ? custom.filter_width! : o.filter_width!;
      const sh = lce ? custom.stride_height! : o.stride_h!;
      const sw = lce ? custom.stride_width! : o.stride_w!;
      const same = lce ? isSame(custom.padding!) : o.padding === 0;
      const gh = windowGeometry(H, fh, sh, 1, same);
      const gw = windowGeometry(W, fw, sw, 1, same);
      const out = lce ? new Int32Array(gh.out * gw.out * C) : new Float32Array(gh.out * gw.out * C);
      for (let y = 0; y < gh.out; y++)
        for (let xx = 0; xx < gw.out; xx++)
          for (let c = 0; c < C; c++) {
            let acc = lce ? -1 : op.name === "MAX_POOL_2D" ? Number.NEGATIVE_INFINITY : 0;
            let n = 0;
            for (let i = 0; i < fh; i++)
              for (let j = 0; j < fw; j++) {
                const iy = y * sh - gh.pad + i;
                const ix = xx * sw - gw.pad + j;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const v = x.data[(iy * W + ix) * C + c]!;
                if (lce) acc &= v;
                else if (op.name === "MAX_POOL_2D") acc = Math.max(acc, v);
                else acc += v;
                n++;
              }
            out[(y * gw.out + xx) * C + c] = op.name === "AVERAGE_POOL_2D" ? acc / n : acc;
          }
      return { shape: outShape, data: out };
    }
    case "MEAN": {
      const x = get(0);
      const [, H, W, C] = x.shape as [number, number, number, number];
      const out = new Float32Array(C);
      for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[c]! += x.data[p * C + c]!;
      for (let c = 0; c < C; c++) out[c] = out[c]! / (H * W);
      return { shape: outShape, data: out };
    }
    case "ADD":
    case "MUL": {
      const a = get(0);
      const b = get(1);
      const n = Math.max(a.data.length, b.data.length);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = a.data[i % a.data.length]!;
        const v = b.data[i % b.data.length]!;
        out[i] = activate(op.name === "ADD" ? u + v : u * v, o.fused_activation_function ?? 0);
      }
      return { shape: outShape, data: out };
    }
    case "RELU":
      return { shape: outShape, data: get(0).data.map((v) => Math.max(0, v)) as Float32Array };
    case "PRELU": {
      const x = get(0);
      const alpha = get(1).data;
      return {
        shape: outShape,
        data: x.data.map((v, i) => (v >= 0 ? v : v * alpha[i % alpha.length]!)) as Float32Array,
      };
    }
    case "FULLY_CONNECTED": {
      const x = get(0);
      const w = get(1);
      const bias = op.inputs[2]! >= 0 ? get(2).data : null;
      const [O, I] = w.shape as [number, number];
      const out = new Float32Array(O);
      for (let r = 0; r < O; r++) {
        let acc = bias ? bias[r]! : 0;
        for (let i = 0; i < I; i++) acc += x.data[i]! * w.data[r * I + i]!;
        out[r] = activate(acc, o.fused_activation_function ?? 0);
      }
      return { shape: outShape, data: out };
    }
    case "SOFTMAX": {
      const x = get(0).data;
      const beta = o.beta ?? 1;
      const max = Math.max(...x);
      const e = Array.from(x, (v) => Math.exp((v - max) * beta));
      const sum = e.reduce((a, b) => a + b, 0);
      return { shape: outShape, data: Float32Array.from(e, (v) => v / sum) };
    }
    case "RESHAPE":
      return { shape: outShape, data: get(0).data };
    case "PAD": {
      const x = get(0);
      const p = get(1).data;
      const [, H, W, C] = x.shape as [number, number, number, number];
      const Wo = W + p[4]! + p[5]!;
      const out = new Float32Array(size(outShape));
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++)
          for (let c = 0; c < C; c++)
            out[((y + p[2]!) * Wo + xx + p[4]!) * C + c] = x.data[(y * W + xx) * C + c]!;
      return { shape: outShape, data: out };
    }
    case "CONCATENATION": {
      const parts = op.inputs.map((_, i) => get(i));
      const C = outShape.at(-1)!;
      const rows = size(outShape) / C;
      const out = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++) {
        let offset = 0;
        for (const part of parts) {
          const pc = part.shape.at(-1)!;
          for (let c = 0; c < pc; c++) out[r * C + offset + c] = part.data[r * pc + c]!;
          offset += pc;
        }
      }
      return { shape: outShape, data: out };
    }
    default:
      throw new Error(`the test interpreter does not implement ${op.name}`);
  }
}
