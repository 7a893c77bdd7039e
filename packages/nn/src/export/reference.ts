import { argmaxRows } from "@onebit/tensor";
import { bitPlaneDot, encodeBitPlanes, packSignsMatrix, xnorDot } from "@onebit/bitops";
import {
  type BitTensor,
  bitTensorToMatrix,
  type GraphNode,
  type LayerOutput,
  type OnebitModel,
  type Tensor,
  windowAxis,
} from "@onebit/format";
import { NnError } from "../errors.js";

/** One sample's value between two nodes; bits are held as ±1. */
interface Value {
  kind: "float32" | "uint8" | "bits" | "index";
  shape: number[];
  data: Float32Array;
}

export interface ReferenceResult {
  /** "float32" (logits or probabilities) or "index" (after an argmax node). */
  readonly kind: "float32" | "index";
  /** Values per sample (1 for an index). */
  readonly size: number;
  readonly data: Float32Array;
}

const f = Math.fround;

function tensor(model: OnebitModel, ref: string | undefined, node: string): Tensor {
  const t = ref === undefined ? undefined : model.tensors.get(ref);
  if (!t) throw new NnError("INVALID_ARGUMENT", `node "${node}" refers to a missing tensor "${ref}"`);
  return t;
}

function floatData(
  model: OnebitModel,
  ref: string | undefined,
  node: string,
): Float32Array | Int32Array | Uint8Array {
  const t = tensor(model, ref, node);
  if (t.dtype === "bit" || t.dtype === "int8")
    throw new NnError("INVALID_ARGUMENT", `node "${node}": tensor "${ref}" has dtype ${t.dtype}`);
  return t.data;
}

/** Applies a layer's output rule to the pre-activations z of one sample (channels last). */
function applyOutput(
  model: OnebitModel,
  node: string,
  output: LayerOutput,
  z: Float64Array,
  channels: number,
): Value["data"] {
  const out = new Float32Array(z.length);
  if (output.kind === "bits") {
    const th = floatData(model, output.thresholds, node);
    const flip = output.flip ? floatData(model, output.flip, node) : undefined;
    for (let i = 0; i < z.length; i++) {
      const c = i % channels;
      const bit = flip?.[c] ? z[i]! <= th[c]! : z[i]! >= th[c]!;
      out[i] = bit ? 1 : -1;
    }
  } else if (output.kind === "scaleBias") {
    const scale = floatData(model, output.scale, node);
    const bias = floatData(model, output.bias, node);
    for (let i = 0; i < z.length; i++) out[i] = f(f(z[i]! * scale[i % channels]!) + bias[i % channels]!);
  } else out.set(z);
  return out;
}

/** A uint8 value read by a float layer: x′ = x·scale + offset in float32. */
function asReal(v: Value, norm: { scale: number; offset: number } | undefined): Float32Array {
  if (v.kind !== "uint8" || !norm) return v.data;
  return Float32Array.from(v.data, (x) => f(f(x * norm.scale) + norm.offset));
}

/** Gathers the receptive field of output pixel (oy, ox) into `patch` (HWC order), padding with `pad`. */
function gatherPatch(
  v: Value,
  oy: number,
  ox: number,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padTop: number,
  padLeft: number,
  pad: number,
  patch: Float32Array,
): void {
  const [h, w, c] = v.shape as [number, number, number];
  let k = 0;
  for (let ky = 0; ky < kernel[0]; ky++) {
    const y = oy * stride[0] + ky - padTop;
    for (let kx = 0; kx < kernel[1]; kx++) {
      const x = ox * stride[1] + kx - padLeft;
      const inside = y >= 0 && y < h && x >= 0 && x < w;
      for (let ch = 0; ch < c; ch++) patch[k++] = inside ? v.data[(y * w + x) * c + ch]! : pad;
    }
  }
}

type Dot = (patch: Float32Array, o: number) => number;

function runLayer(
  model: OnebitModel,
  node: GraphNode,
  v: Value,
  norm: { scale: number; offset: number } | undefined,
): Value {
  if (!("weights" in node)) throw new NnError("INVALID_ARGUMENT", `node "${node.name}" has no weights`);
  const w = tensor(model, node.weights, node.name);
  const channels = w.shape[0]!;
  const fanIn = w.shape.slice(1).reduce((a, b) => a * b, 1);
  let dot: Dot;
  if (
    node.op === "binaryDense" ||
    node.op === "binaryConv2d" ||
    node.op === "denseBitPlane" ||
    node.op === "conv2dBitPlane"
  ) {
    // Bit weights are packed along their last axis: a conv kernel [O, kh, kw, C] is O·kh·kw rows of
    // C bits, so a window's dot is the sum over its kh·kw pixels of per-pixel dots.
    const m = bitTensorToMatrix(w as BitTensor);
    const pixels = fanIn / m.cols;
    const cols = m.cols;
    if (node.op === "binaryDense" || node.op === "binaryConv2d") {
      dot = (patch, o) => {
        const x = packSignsMatrix(patch, pixels, cols);
        let s = 0;
        for (let p = 0; p < pixels; p++)
          s += xnorDot(x.data, m.data, cols, p * x.wordsPerRow, (o * pixels + p) * m.wordsPerRow);
        return s;
      };
    } else {
      dot = (patch, o) => {
        const planes = encodeBitPlanes(Uint8Array.from(patch), pixels, cols);
        let s = 0;
        for (let p = 0; p < pixels; p++) s += bitPlaneDot(planes, p, m, o * pixels + p);
        return s;
      };
    }
  } else {
    const wd = w.data as Float32Array;
    const bias =
      "bias" in node && node.bias !== undefined ? floatData(model, node.bias, node.name) : undefined;
    dot = (patch, o) => {
      let s = 0;
      for (let k = 0; k < fanIn; k++) s += wd[o * fanIn + k]! * patch[k]!;
      return bias ? f(f(s) + bias[o]!) : f(s);
    };
  }
  const input: Value =
    node.op === "denseFloat" || node.op === "conv2dFloat" ? { ...v, data: asReal(v, norm) } : v;
  if (node.op === "denseFloat" || node.op === "denseBitPlane" || node.op === "binaryDense") {
    const z = new Float64Array(channels);
    for (let o = 0; o < channels; o++) z[o] = dot(input.data, o);
    return {
      kind: node.output.kind === "bits" ? "bits" : "float32",
      shape: [channels],
      data: applyOutput(model, node.name, node.output, z, channels),
    };
  }
  const [h, wd, c] = input.shape as [number, number, number];
  const ay = windowAxis(h, node.kernel[0], node.stride[0], node.padding);
  const ax = windowAxis(wd, node.kernel[1], node.stride[1], node.padding);
  const pad = node.op === "binaryConv2d" ? 1 : (node.padValue ?? 0);
  const patch = new Float32Array(node.kernel[0] * node.kernel[1] * c);
  const z = new Float64Array(ay.out * ax.out * channels);
  for (let oy = 0; oy < ay.out; oy++) {
    for (let ox = 0; ox < ax.out; ox++) {
      gatherPatch(input, oy, ox, node.kernel, node.stride, ay.padBefore, ax.padBefore, pad, patch);
      for (let o = 0; o < channels; o++) z[(oy * ax.out + ox) * channels + o] = dot(patch, o);
    }
  }
  return {
    kind: node.output.kind === "bits" ? "bits" : "float32",
    shape: [ay.out, ax.out, channels],
    data: applyOutput(model, node.name, node.output, z, channels),
  };
}

function maxPool(model: OnebitModel, node: Extract<GraphNode, { op: "maxPool2d" }>, v: Value): Value {
  const [h, w, c] = v.shape as [number, number, number];
  const ay = windowAxis(h, node.kernel[0], node.stride[0], node.padding);
  const ax = windowAxis(w, node.kernel[1], node.stride[1], node.padding);
  const mask = node.minMask
    ? bitTensorToMatrix(tensor(model, node.minMask, node.name) as BitTensor)
    : undefined;
  const out = new Float32Array(ay.out * ax.out * c);
  for (let oy = 0; oy < ay.out; oy++)
    for (let ox = 0; ox < ax.out; ox++)
      for (let ch = 0; ch < c; ch++) {
        const useMin = mask ? ((mask.data[ch >>> 5]! >>> (ch & 31)) & 1) === 1 : false;
        let best = useMin ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        for (let ky = 0; ky < node.kernel[0]; ky++)
          for (let kx = 0; kx < node.kernel[1]; kx++) {
            const y = oy * node.stride[0] + ky - ay.padBefore;
            const x = ox * node.stride[1] + kx - ax.padBefore;
            if (y < 0 || y >= h || x < 0 || x >= w) continue;
            const val = v.data[(y * w + x) * c + ch]!;
            best = useMin ? Math.min(best, val) : Math.max(best, val);
          }
        out[(oy * ax.out + ox) * c + ch] = best;
      }
  return { kind: v.kind, shape: [ay.out, ax.out, c], data: out };
}

/**
 * Runs an exported graph on a batch with plain TypeScript and @onebit/bitops' reference kernels
 * (XNOR-popcount, bit planes), one sample at a time: slow, obviously faithful to SPEC.md, and used
 * to check that an export computes what the trained model computes.
 */
export function runReference(
  model: OnebitModel,
  input: Float32Array | Uint8Array,
  batch: number,
): ReferenceResult {
  const nodes = model.graph.nodes;
  const first = nodes[0];
  if (first?.op !== "input")
    throw new NnError("INVALID_ARGUMENT", "the graph does not start with an input node");
  const sampleSize = first.shape.reduce((a, b) => a * b, 1);
  if (input.length !== batch * sampleSize) {
    throw new NnError(
      "SHAPE_MISMATCH",
      `runReference: input holds ${input.length} values, expected ${batch} × ${sampleSize}`,
    );
  }
  const norm = first.normalization;
  let size = 0;
  let kind: "float32" | "index" = "float32";
  const results: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const raw = input.subarray(b * sampleSize, (b + 1) * sampleSize);
    let v: Value =
      first.dtype === "uint8"
        ? { kind: "uint8", shape: [...first.shape], data: Float32Array.from(raw) }
        : {
            kind: "float32",
            shape: [...first.shape],
            data: Float32Array.from(raw, (x) => (norm ? f(f(x * norm.scale) + norm.offset) : x)),
          };
    for (const node of nodes.slice(1)) {
      switch (node.op) {
        case "flatten":
          v = { ...v, shape: [v.data.length] };
          break;
        case "maxPool2d":
          v = maxPool(model, node, v);
          break;
        case "softmax": {
          const max = Math.max(...v.data);
          const e = Array.from(v.data, (x) => Math.exp(x - max));
          const s = e.reduce((a, c) => a + c, 0);
          v = { ...v, data: Float32Array.from(e, (x) => x / s) };
          break;
        }
        case "argmax": {
          v = { kind: "index", shape: [], data: Float32Array.from(argmaxRows(v.data, 1, v.data.length)) };
          break;
        }
        case "input":
          throw new NnError("INVALID_ARGUMENT", `a second input node "${node.name}"`);
        default:
          v = runLayer(model, node, v, norm);
      }
    }
    if (v.kind === "bits" || v.kind === "uint8")
      throw new NnError("INVALID_ARGUMENT", "the graph ends in bits, not logits");
    kind = v.kind === "index" ? "index" : "float32";
    size = v.data.length;
    results.push(v.data);
  }
  const data = new Float32Array(batch * size);
  for (let b = 0; b < batch; b++) data.set(results[b]!, b * size);
  return { kind, size, data };
}
