import type { Rng } from "@onebit/tensor";
import { NnError } from "../errors.js";
import { QuantizerActivation } from "../layers/activations.js";
import { QuantizedLayer } from "../layers/quantized-layer.js";
import type { Layer } from "../layers/layer.js";
import { MergeLayer } from "../layers/merge-layer.js";
import { buildContext, checkUniqueNames, Model, modelSeed } from "../model-base.js";
import { isPlainSign } from "../quantizers.js";
import { Scratch, type Shape } from "../shape.js";
import { SymbolicTensor } from "./symbolic.js";

export interface GraphModelOptions {
  /** The graph's input, from `input(shape)`. */
  inputs: SymbolicTensor;
  /** The value the model outputs (the logits), computed from `inputs` by applied layers. */
  outputs: SymbolicTensor;
  /** Seeds weight initialization (and, unless `fit` gets its own, shuffling and dropout). Default 0. */
  seed?: number;
  name?: string;
}

/** One value of the built graph: the input (no layer) or a layer over earlier nodes. */
interface Node {
  readonly layer: Layer | undefined;
  /** Indices of the nodes read, all smaller than this node's. */
  readonly inputs: readonly number[];
  readonly shape: Shape;
  /** Whether backward must reach this node: it or a node it reads from has parameters. */
  readonly needsGrad: boolean;
  /** The output bits for the summary (1 after a sign). */
  readonly bits: number;
}

/**
 * A model over a directed acyclic graph of layers (Keras's functional API): a value may feed several
 * layers (residual shortcuts), and their gradients add up at that value in backward. Everything else —
 * `compile`, `fit`, `evaluate`, `predict`, `summary`, checkpoints — is the same as for `Sequential`.
 */
export class GraphModel extends Model {
  readonly name: string;
  readonly layers: readonly Layer[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly seed: number;
  private readonly nodes: readonly Node[];
  private readonly values: Float32Array[] = [];
  private readonly gradients: Scratch[] = [];

  constructor(options: GraphModelOptions) {
    super();
    const { inputs, outputs } = options ?? {};
    if (!(inputs instanceof SymbolicTensor) || inputs.layer !== undefined) {
      throw new NnError("INVALID_ARGUMENT", "model inputs must be the value input(shape) returned");
    }
    if (!(outputs instanceof SymbolicTensor)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        "model outputs must be a value computed from the inputs by applied layers",
      );
    }
    this.seed = modelSeed(options.seed);
    this.name = options.name ?? "model";
    // Depth-first post-order from the output: every node after the nodes it reads.
    const order: SymbolicTensor[] = [];
    const index = new Map<SymbolicTensor, number>();
    const visiting = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor) => {
      if (index.has(t)) return;
      if (visiting.has(t)) throw new NnError("INVALID_ARGUMENT", `the graph has a cycle through "${t.name}"`);
      visiting.add(t);
      if (t.layer === undefined && t !== inputs) {
        throw new NnError(
          "INVALID_ARGUMENT",
          `the outputs depend on input "${t.name}", which is not the model's input (one input per model)`,
        );
      }
      for (const i of t.inputs) visit(i);
      visiting.delete(t);
      index.set(t, order.length);
      order.push(t);
    };
    visit(outputs);
    if (!index.has(inputs))
      throw new NnError("INVALID_ARGUMENT", "the outputs do not depend on the model's input");
    this.inputShape = [...inputs.inputShape!];
    const layers = order.flatMap((t) => (t.layer ? [t.layer] : []));
    const ctx = buildContext(this.seed, layers);
    const nodes: Node[] = [];
    for (const t of order) {
      const ins = t.inputs.map((i) => index.get(i)!);
      const layer = t.layer;
      if (!layer) {
        nodes.push({ layer, inputs: [], shape: this.inputShape, needsGrad: false, bits: 32 });
        continue;
      }
      const shapes = ins.map((i) => nodes[i]!.shape);
      const shape =
        layer instanceof MergeLayer ? layer.buildMerge(shapes, ctx) : layer.build(shapes[0]!, ctx);
      const needsGrad = layer.params().length > 0 || ins.some((i) => nodes[i]!.needsGrad);
      const inBits = Math.max(...ins.map((i) => nodes[i]!.bits));
      nodes.push({ layer, inputs: ins, shape, needsGrad, bits: layer.outputBits(inBits) });
      const source = nodes[ins[0]!]!.layer;
      if (
        layer instanceof QuantizedLayer &&
        source instanceof QuantizerActivation &&
        isPlainSign(source.quantizer)
      ) {
        layer.inputsAreSigns();
      }
    }
    checkUniqueNames(layers);
    this.layers = layers;
    this.nodes = nodes;
    this.outputShape = nodes[nodes.length - 1]!.shape;
    for (let i = 0; i < nodes.length; i++) this.gradients.push(new Scratch());
  }

  forward(x: Float32Array, batch: number, training = false, rng?: Rng): Float32Array {
    this.checkModelInput(x, batch);
    const ctx = rng ? { training, rng } : { training };
    const values = this.values;
    this.nodes.forEach((node, i) => {
      const layer = node.layer;
      if (!layer) values[i] = x;
      else if (layer instanceof MergeLayer) {
        values[i] = layer.forwardMany(
          node.inputs.map((j) => values[j]!),
          batch,
          ctx,
        );
      } else values[i] = layer.forward(values[node.inputs[0]!]!, batch, ctx);
    });
    return values[this.nodes.length - 1]!;
  }

  backward(gradOut: Float32Array, batch: number): void {
    const last = this.nodes.length - 1;
    // Per node: whether a gradient arrived yet this pass (the first is copied, later ones added).
    const arrived = new Array<boolean>(this.nodes.length).fill(false);
    const grads: Float32Array[] = [];
    grads[last] = gradOut;
    arrived[last] = true;
    const accumulate = (j: number, g: Float32Array) => {
      const acc = this.gradients[j]!.get(g.length);
      if (!arrived[j]) acc.set(g);
      else for (let k = 0; k < acc.length; k++) acc[k]! += g[k]!;
      arrived[j] = true;
      grads[j] = acc;
    };
    for (let i = last; i >= 0; i--) {
      const node = this.nodes[i]!;
      const layer = node.layer;
      if (!layer || !node.needsGrad || !arrived[i]) continue;
      const need = node.inputs.map((j) => this.nodes[j]!.needsGrad);
      if (layer instanceof MergeLayer) {
        layer.backwardMany(grads[i]!, batch, need).forEach((g, k) => {
          if (g) accumulate(node.inputs[k]!, g);
        });
      } else {
        const g = layer.backward(grads[i]!, batch, need[0]!);
        if (g) accumulate(node.inputs[0]!, g);
      }
    }
  }

  topology(): ReadonlyArray<{ readonly layer: Layer | undefined; readonly inputs: readonly number[] }> {
    return this.nodes;
  }

  layerInputBits(): number[] {
    return this.nodes.flatMap((n) =>
      n.layer ? [Math.max(...n.inputs.map((j) => this.nodes[j]!.bits))] : [],
    );
  }
}

/**
 * A model from a graph of applied layers (Keras's functional API):
 *
 * ```ts
 * const x = input([28, 28, 1]);
 * const stem = conv2d(16, 3, { padding: "same" }).apply(x);
 * const h = binaryConv2d(16, 3, { padding: "same" }).apply(sign().apply(stem));
 * const y = add().apply(stem, batchNorm().apply(h));
 * const net = model({ inputs: x, outputs: dense(10).apply(flatten().apply(y)) });
 * ```
 */
export function model(options: GraphModelOptions): GraphModel {
  return new GraphModel(options);
}
