import type { GraphNode, LceGraph } from "./graph.js";
import type { TfliteModel } from "./read-tflite.js";

/** What an imported model holds and costs. */
export interface ModelCensus {
  /** TFLite operators by name (builtin or custom code), in order of first appearance. */
  readonly operators: Readonly<Record<string, number>>;
  /** Graph nodes by op. */
  readonly nodes: Readonly<Record<string, number>>;
  /** ±1 weights of binary convolutions. */
  readonly binaryParameters: number;
  /** 32-bit constants: float weights, biases, multipliers, BatchNorm scales and offsets, thresholds. */
  readonly floatParameters: number;
  /** ±1 × ±1 multiply-accumulates per image. */
  readonly binaryMacs: number;
  /** float32 multiply-accumulates per image (convolutions and dense layers). */
  readonly floatMacs: number;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function nodeCost(
  node: GraphNode,
  outputElements: number,
): { bin: number; flt: number; binMacs: number; fltMacs: number } {
  switch (node.op) {
    case "bconv2d": {
      const [, kh, kw, c] = node.weightsShape;
      const transform =
        node.output.kind === "float32" ? 2 * node.output.multiplier.length : node.output.thresholds.length;
      return { bin: node.weights.length, flt: transform, binMacs: outputElements * kh * kw * c, fltMacs: 0 };
    }
    case "conv2d": {
      const [, kh, kw, c] = node.weightsShape;
      return {
        bin: 0,
        flt: node.weights.length + (node.bias?.length ?? 0),
        binMacs: 0,
        fltMacs: outputElements * kh * kw * c,
      };
    }
    case "depthwiseConv2d": {
      const [kh, kw] = node.weightsShape;
      return {
        bin: 0,
        flt: node.weights.length + (node.bias?.length ?? 0),
        binMacs: 0,
        fltMacs: outputElements * kh * kw,
      };
    }
    case "dense":
      return {
        bin: 0,
        flt: node.weights.length + (node.bias?.length ?? 0),
        binMacs: 0,
        fltMacs: node.weights.length,
      };
    case "batchNorm":
      return { bin: 0, flt: node.scale.length + node.offset.length, binMacs: 0, fltMacs: 0 };
    case "mul":
      return { bin: 0, flt: node.scale.length, binMacs: 0, fltMacs: 0 };
    case "prelu":
      return { bin: 0, flt: node.alpha.length, binMacs: 0, fltMacs: 0 };
    default:
      return { bin: 0, flt: 0, binMacs: 0, fltMacs: 0 };
  }
}

/** Counts operators, parameters by precision and multiply-accumulates of an imported model. */
export function modelCensus(model: TfliteModel, graph: LceGraph): ModelCensus {
  const operators: Record<string, number> = {};
  for (const op of model.operators) operators[op.name] = (operators[op.name] ?? 0) + 1;
  const nodes: Record<string, number> = {};
  let binaryParameters = 0;
  let floatParameters = 0;
  let binaryMacs = 0;
  let floatMacs = 0;
  for (const node of graph.nodes) {
    nodes[node.op] = (nodes[node.op] ?? 0) + 1;
    const cost = nodeCost(node, product(graph.values.get(node.name)!.shape));
    binaryParameters += cost.bin;
    floatParameters += cost.flt;
    binaryMacs += cost.binMacs;
    floatMacs += cost.fltMacs;
  }
  return { operators, nodes, binaryParameters, floatParameters, binaryMacs, floatMacs };
}
