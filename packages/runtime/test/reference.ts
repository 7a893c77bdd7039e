import {
  type BitTensor,
  type GraphNode,
  type LayerOutput,
  type OnebitModel,
  type Tensor,
  unpackBitTensor,
  windowAxis,
} from "@onebit/format";

// A plain, obviously-correct evaluator of a .onebit graph, straight from the SPEC's formulas, one
// sample at a time over JS numbers (±1 values as numbers, no packing). Float parts use the same
// arithmetic contract as the runtime (float64 sums in index order, one float32 rounding), integer
// parts are exact, so the runtime must match it bit for bit.

/** `bytes`: raw 8-bit input values (float layers read them normalized). */
type Value = { shape: number[]; data: number[]; bytes?: boolean };

const f = Math.fround;

function floats(model: OnebitModel, ref: string): Float32Array | Int32Array | Uint8Array {
  return model.tensors.get(ref)!.data as Float32Array;
}

function signs(model: OnebitModel, ref: string): Float32Array {
  return unpackBitTensor(model.tensors.get(ref) as BitTensor);
}

/** Applies a layer's output rule to pre-activation z of channel o. */
function outputOf(model: OnebitModel, out: LayerOutput, z: number, o: number): number {
  if (out.kind === "float32") return z;
  if (out.kind === "scaleBias") return f(f(z * floats(model, out.scale)[o]!) + floats(model, out.bias)[o]!);
  const t = floats(model, out.thresholds)[o]!;
  const flip = out.flip === undefined ? 0 : floats(model, out.flip)[o]!;
  return (flip ? z <= t : z >= t) ? 1 : -1;
}

function conv(
  x: Value,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: "same" | "valid",
  outChannels: number,
  pad: number,
  weight: (o: number, dy: number, dx: number, c: number) => number,
  finish: (acc: number, o: number) => number,
): Value {
  const [h, w, c] = x.shape as [number, number, number];
  const rows = windowAxis(h, kernel[0], stride[0], padding);
  const cols = windowAxis(w, kernel[1], stride[1], padding);
  const data: number[] = [];
  for (let oy = 0; oy < rows.out; oy++) {
    for (let ox = 0; ox < cols.out; ox++) {
      for (let o = 0; o < outChannels; o++) {
        let acc = 0;
        for (let dy = 0; dy < kernel[0]; dy++) {
          for (let dx = 0; dx < kernel[1]; dx++) {
            const iy = oy * stride[0] - rows.padBefore + dy;
            const ix = ox * stride[1] - cols.padBefore + dx;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            for (let ch = 0; ch < c; ch++) {
              const v = inside ? x.data[(iy * w + ix) * c + ch]! : pad;
              acc += weight(o, dy, dx, ch) * v;
            }
          }
        }
        data.push(finish(acc, o));
      }
    }
  }
  return { shape: [rows.out, cols.out, outChannels], data };
}

function evalNode(model: OnebitModel, node: GraphNode, x: Value): Value {
  const input = model.graph.nodes[0]!;
  const norm = input.op === "input" && input.normalization ? input.normalization : { scale: 1, offset: 0 };
  const asFloat = (v: Value): Value =>
    v.bytes ? { shape: v.shape, data: v.data.map((b) => f(f(b * norm.scale) + norm.offset)) } : v;
  switch (node.op) {
    case "input":
      throw new Error("second input");
    case "denseFloat": {
      const xf = asFloat(x);
      const w = floats(model, node.weights);
      const k = xf.data.length;
      const n = w.length / k;
      const bias = node.bias === undefined ? undefined : floats(model, node.bias);
      const data: number[] = [];
      for (let o = 0; o < n; o++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += w[o * k + i]! * xf.data[i]!;
        if (bias) acc += bias[o]!;
        data.push(outputOf(model, node.output, f(acc), o));
      }
      return { shape: [n], data };
    }
    case "conv2dFloat": {
      const xf = asFloat(x);
      const t = model.tensors.get(node.weights) as Tensor;
      const [o, kh, kw, c] = t.shape as [number, number, number, number];
      const w = t.data as Float32Array;
      const bias = node.bias === undefined ? undefined : floats(model, node.bias);
      return conv(
        xf,
        node.kernel,
        node.stride,
        node.padding,
        o,
        node.padValue ?? 0,
        (oo, dy, dx, ch) => w[((oo * kh + dy) * kw + dx) * c + ch]!,
        (acc, oo) => outputOf(model, node.output, f(bias ? acc + bias[oo]! : acc), oo),
      );
    }
    case "denseBitPlane":
    case "binaryDense": {
      const w = signs(model, node.weights);
      const k = x.data.length;
      const n = w.length / k;
      const data: number[] = [];
      for (let o = 0; o < n; o++) {
        let z = 0;
        for (let i = 0; i < k; i++) z += w[o * k + i]! * x.data[i]!;
        data.push(outputOf(model, node.output, z, o));
      }
      return { shape: [n], data };
    }
    case "conv2dBitPlane":
    case "binaryConv2d": {
      const t = model.tensors.get(node.weights) as BitTensor;
      const [o, kh, kw, c] = t.shape as [number, number, number, number];
      const w = unpackBitTensor(t);
      const pad = node.op === "binaryConv2d" ? 1 : (node.padValue ?? 0);
      return conv(
        x,
        node.kernel,
        node.stride,
        node.padding,
        o,
        pad,
        (oo, dy, dx, ch) => w[((oo * kh + dy) * kw + dx) * c + ch]!,
        (acc, oo) => outputOf(model, node.output, acc, oo),
      );
    }
    case "maxPool2d": {
      const [h, w, c] = x.shape as [number, number, number];
      const rows = windowAxis(h, node.kernel[0], node.stride[0], node.padding);
      const cols = windowAxis(w, node.kernel[1], node.stride[1], node.padding);
      const minMask = node.minMask === undefined ? undefined : signs(model, node.minMask);
      const data: number[] = [];
      for (let oy = 0; oy < rows.out; oy++) {
        for (let ox = 0; ox < cols.out; ox++) {
          for (let ch = 0; ch < c; ch++) {
            const useMin = minMask !== undefined && minMask[ch] === 1;
            let acc = useMin ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
            for (let dy = 0; dy < node.kernel[0]; dy++) {
              for (let dx = 0; dx < node.kernel[1]; dx++) {
                const iy = oy * node.stride[0] - rows.padBefore + dy;
                const ix = ox * node.stride[1] - cols.padBefore + dx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const v = x.data[(iy * w + ix) * c + ch]!;
                acc = useMin ? Math.min(acc, v) : Math.max(acc, v);
              }
            }
            data.push(acc);
          }
        }
      }
      return { shape: [rows.out, cols.out, c], data };
    }
    case "flatten":
      return { ...x, shape: [x.data.length] };
    case "softmax": {
      const max = Math.max(...x.data);
      const sum = x.data.reduce((s, v) => s + Math.exp(v - max), 0);
      return { shape: x.shape, data: x.data.map((v) => f(Math.exp(v - max) / sum)) };
    }
    case "argmax": {
      let best = 0;
      for (let i = 1; i < x.data.length; i++) if (x.data[i]! > x.data[best]!) best = i;
      return { shape: [], data: [best] };
    }
  }
}

/** Every node's value for one sample (`sample` = the raw input values, before normalization). */
export function evaluateReference(model: OnebitModel, sample: ArrayLike<number>): Value[] {
  const input = model.graph.nodes[0]!;
  if (input.op !== "input") throw new Error("no input node");
  const norm = input.normalization ?? { scale: 1, offset: 0 };
  const data = Array.from(sample, (v) =>
    input.dtype === "float32" ? f(f(v * norm.scale) + norm.offset) : v,
  );
  const raw: Value = { shape: [...input.shape], data, bytes: input.dtype === "uint8" };
  const values: Value[] = [raw];
  for (let i = 1; i < model.graph.nodes.length; i++) {
    values.push(evalNode(model, model.graph.nodes[i]!, values[i - 1]!));
  }
  return values;
}
