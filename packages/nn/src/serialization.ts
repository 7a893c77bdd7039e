import { type Constraint, weightClip } from "./constraints.js";
import { NnError } from "./errors.js";
import { input } from "./graph/symbolic.js";
import { model as graphModel } from "./graph/graph-model.js";
import { HardTanh, QuantizerActivation } from "./layers/activations.js";
import { Add } from "./layers/add.js";
import { BatchNorm } from "./layers/batch-norm.js";
import { PReLU, ReLU, RPReLU, RSign, Scale } from "./layers/channelwise.js";
import { Concat } from "./layers/concat.js";
import { Conv2d } from "./layers/conv2d.js";
import { Dense } from "./layers/dense.js";
import { DepthwiseConv2d } from "./layers/depthwise-conv2d.js";
import { Dropout } from "./layers/dropout.js";
import { Flatten } from "./layers/flatten.js";
import type { Layer } from "./layers/layer.js";
import { MaxPool2d } from "./layers/max-pool2d.js";
import { AvgPool2d, GlobalAvgPool2d } from "./layers/pooling.js";
import type { Model } from "./model-base.js";
import { Sequential, sequential } from "./model.js";
import { approxSign, magnitudeAwareSign, type Quantizer, steSign, swishSign } from "./quantizers.js";
import type { Shape } from "./shape.js";
import type { SymbolicTensor } from "./graph/symbolic.js";

/** One layer of a saved architecture: its factory type, name and settings (JSON). */
export interface LayerSpec {
  readonly type: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * A model's architecture as JSON: `sequential` layers, or a graph whose node 0 is the input and
 * whose other nodes apply a layer to earlier nodes (the last is the output).
 */
export interface ModelSpec {
  readonly format: "onebit-nn-model/1";
  readonly kind: "sequential" | "graph";
  readonly name: string;
  readonly seed: number;
  readonly inputShape: Shape;
  readonly nodes: ReadonlyArray<{ readonly layer: LayerSpec; readonly inputs: readonly number[] }>;
}

const QUANTIZERS: Record<string, (arg?: number) => Quantizer> = {
  steSign: (c) => steSign(c),
  approxSign: () => approxSign(),
  swishSign: (b) => swishSign(b),
  magnitudeAwareSign: (c) => magnitudeAwareSign(c),
};

function named(what: string, name: string): { fn: string; arg: number | undefined } {
  const m = /^(\w+)(?:\((-?[\d.]+(?:e-?\d+)?)\))?$/.exec(name);
  if (!m) throw new NnError("INVALID_ARGUMENT", `${what} "${name}" cannot be saved or read by name`);
  return { fn: m[1]!, arg: m[2] === undefined ? undefined : Number(m[2]) };
}

function quantizerName(q: Quantizer | undefined): string | null {
  if (!q) return null;
  const { fn } = named("quantizer", q.name);
  if (!QUANTIZERS[fn])
    throw new NnError(
      "INVALID_ARGUMENT",
      `quantizer "${q.name}" is not one of ${Object.keys(QUANTIZERS).join(", ")}`,
    );
  return q.name;
}

function quantizerFrom(name: unknown): Quantizer | null {
  if (name === null || name === undefined) return null;
  const { fn, arg } = named("quantizer", String(name));
  const make = QUANTIZERS[fn];
  if (!make) throw new NnError("STATE_MISMATCH", `unknown quantizer "${String(name)}" in a saved model`);
  return make(arg);
}

function constraintFrom(name: unknown): Constraint | null {
  if (name === null || name === undefined) return null;
  const { fn, arg } = named("constraint", String(name));
  if (fn !== "weightClip")
    throw new NnError("STATE_MISMATCH", `unknown constraint "${String(name)}" in a saved model`);
  return weightClip(arg);
}

function kernelConfig(l: Dense | Conv2d | DepthwiseConv2d): Record<string, unknown> {
  const c = l.kernelConstraint;
  if (c && named("constraint", c.name).fn !== "weightClip") {
    throw new NnError("INVALID_ARGUMENT", `constraint "${c.name}" of "${l.name}" cannot be saved by name`);
  }
  return {
    useBias: l.useBias,
    inputQuantizer: quantizerName(l.inputQuantizer),
    kernelQuantizer: quantizerName(l.kernelQuantizer),
    kernelConstraint: c ? c.name : null,
  };
}

/** A layer's factory type, name and settings. */
export function layerSpec(l: Layer): LayerSpec {
  const spec = (config: Record<string, unknown> = {}): LayerSpec => ({ type: l.type, name: l.name, config });
  if (l instanceof Dense) return spec({ units: l.units, xnorForward: l.xnorForward, ...kernelConfig(l) });
  if (l instanceof Conv2d) {
    return spec({
      filters: l.filters,
      kernelSize: l.kernelSize,
      strides: l.strides,
      padding: l.padding,
      padValue: l.padValue,
      ...kernelConfig(l),
    });
  }
  if (l instanceof DepthwiseConv2d) {
    return spec({
      kernelSize: l.kernelSize,
      strides: l.strides,
      padding: l.padding,
      padValue: l.padValue,
      ...kernelConfig(l),
    });
  }
  if (l instanceof BatchNorm)
    return spec({ momentum: l.momentum, epsilon: l.epsilon, scale: l.scale, center: l.center });
  if (l instanceof MaxPool2d || l instanceof AvgPool2d)
    return spec({ poolSize: l.poolSize, strides: l.strides });
  if (l instanceof Dropout) return spec({ rate: l.rate });
  if (l instanceof QuantizerActivation) return spec({ quantizer: quantizerName(l.quantizer) });
  const plain = [Flatten, HardTanh, GlobalAvgPool2d, ReLU, PReLU, RPReLU, RSign, Scale, Add, Concat];
  if (plain.some((C) => l instanceof C)) return spec();
  throw new NnError(
    "INVALID_ARGUMENT",
    `layer "${l.name}" (${l.type}) cannot be saved: no spec for its type`,
  );
}

/** A fresh (unbuilt) layer from its spec. */
export function layerFromSpec(s: LayerSpec): Layer {
  // The layer constructors check every value (a saved file is untrusted input).
  // biome-ignore lint/suspicious/noExplicitAny: settings of any layer type, checked where they are used
  const c = (s?.config ?? {}) as Record<string, any>;
  const name = s.name;
  const kernel = {
    name,
    useBias: c.useBias,
    inputQuantizer: quantizerFrom(c.inputQuantizer),
    kernelQuantizer: quantizerFrom(c.kernelQuantizer),
    kernelConstraint: constraintFrom(c.kernelConstraint),
  };
  const window = { strides: c.strides, padding: c.padding, padValue: c.padValue };
  switch (s.type) {
    case "dense":
    case "binaryDense":
      return new Dense(s.type, c.units, { ...kernel, xnorForward: c.xnorForward });
    case "conv2d":
    case "binaryConv2d":
      return new Conv2d(s.type, c.filters, c.kernelSize, { ...kernel, ...window });
    case "depthwiseConv2d":
      return new DepthwiseConv2d(c.kernelSize, { ...kernel, ...window });
    case "batchNorm":
      return new BatchNorm({
        name,
        momentum: c.momentum,
        epsilon: c.epsilon,
        scale: c.scale,
        center: c.center,
      });
    case "maxPool2d":
      return new MaxPool2d({ name, poolSize: c.poolSize, strides: c.strides });
    case "avgPool2d":
      return new AvgPool2d({ name, poolSize: c.poolSize, strides: c.strides });
    case "dropout":
      return new Dropout(c.rate, name);
    case "sign":
      return new QuantizerActivation(quantizerFrom(c.quantizer) ?? steSign(), name);
  }
  const plain: Record<string, new (name?: string) => Layer> = {
    flatten: Flatten,
    hardTanh: HardTanh,
    globalAvgPool2d: GlobalAvgPool2d,
    relu: ReLU,
    prelu: PReLU,
    rprelu: RPReLU,
    rsign: RSign,
    scale: Scale,
    add: Add,
    concat: Concat,
  };
  const C = plain[s.type];
  if (!C)
    throw new NnError("STATE_MISMATCH", `unknown layer type ${JSON.stringify(s?.type)} in a saved model`);
  return new C(name);
}

/** The architecture of a model as JSON-ready data. */
export function modelSpec(m: Model): ModelSpec {
  const nodes = m
    .topology()
    .slice(1)
    .map(({ layer, inputs }) => ({ layer: layerSpec(layer!), inputs: [...inputs] }));
  return {
    format: "onebit-nn-model/1",
    kind: m instanceof Sequential ? "sequential" : "graph",
    name: m.name,
    seed: m.seed,
    inputShape: [...m.inputShape],
    nodes,
  };
}

/** Builds a fresh model (initialized from its seed) from `modelSpec` output. */
export function modelFromSpec(spec: ModelSpec): Model {
  if (spec?.format !== "onebit-nn-model/1") {
    throw new NnError(
      "STATE_MISMATCH",
      `not an @onebit/nn model architecture (format ${JSON.stringify(spec?.format)})`,
    );
  }
  if (!Array.isArray(spec.nodes))
    throw new NnError("STATE_MISMATCH", "the saved architecture has no node list");
  const layers = spec.nodes.map((n) => layerFromSpec(n.layer));
  if (spec.kind === "sequential")
    return sequential(layers, { inputShape: spec.inputShape, seed: spec.seed, name: spec.name });
  if (spec.kind !== "graph")
    throw new NnError("STATE_MISMATCH", `unknown model kind ${JSON.stringify(spec.kind)}`);
  const values: SymbolicTensor[] = [input(spec.inputShape)];
  spec.nodes.forEach((n, i) => {
    const ins = (Array.isArray(n.inputs) ? n.inputs : []).map((j: number) => {
      if (!Number.isInteger(j) || j < 0 || j > i)
        throw new NnError("STATE_MISMATCH", `node ${i + 1} reads node ${j}, which is not earlier`);
      return values[j]!;
    });
    values.push(layers[i]!.apply(...ins));
  });
  return graphModel({
    inputs: values[0]!,
    outputs: values[values.length - 1]!,
    seed: spec.seed,
    name: spec.name,
  });
}
