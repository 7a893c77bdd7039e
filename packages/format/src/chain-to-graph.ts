import type { Graph, GraphNode, LayerOutput, OpName, ValueInfo } from "./graph.js";
import type { GraphV2 } from "./graph-v2.js";
import { fail } from "./json-check.js";
import type { BinaryOutput } from "./ops/binary-output.js";
import type { ValueInfoV2 } from "./ops/op.js";
import type { GraphNodeV2 } from "./ops/table.js";

// A version 1 chain as the version 2 graph that computes the same function (SPEC.md C.6), and its
// values. A module of its own, apart from the version 2 reader and checker: a runtime that loads
// version 1 files runs them as graphs without the op table, so bundlers leave that out of its
// first chunk.

function binaryOutput(o: LayerOutput): BinaryOutput {
  if (o.kind === "bits")
    return o.flip
      ? { kind: "bits", thresholds: o.thresholds, flip: o.flip }
      : { kind: "bits", thresholds: o.thresholds };
  if (o.kind === "scaleBias") return { kind: "float32", multiplier: o.scale, bias: o.bias };
  throw new Error("integer layers have no plain float32 output");
}

type Converter = (node: GraphNode, input: string) => GraphNodeV2[];

/** A float layer, followed by `sign` when its output is bits (its value is renamed `<name>/z`). */
function floatLayer(
  node: GraphNode & { output: LayerOutput },
  input: string,
  body: { readonly op: string } & Record<string, unknown>,
): GraphNodeV2[] {
  const o = node.output;
  if (o.kind !== "bits") return [{ name: node.name, inputs: [input], ...body } as unknown as GraphNodeV2];
  const z = `${node.name}/z`;
  return [
    { name: z, inputs: [input], ...body } as unknown as GraphNodeV2,
    {
      op: "sign",
      name: node.name,
      inputs: [z],
      thresholds: o.thresholds,
      ...(o.flip ? { flip: o.flip } : {}),
    },
  ];
}

const ONE = [1, 1] as const;

/** How each version 1 op becomes version 2 nodes (SPEC.md C.6): one entry per op. */
const FROM_V1: { readonly [K in Exclude<OpName, "input">]: Converter } = {
  denseFloat: (n, x) => {
    const d = n as Extract<GraphNode, { op: "denseFloat" }>;
    return floatLayer(d, x, { op: "dense", weights: d.weights, ...(d.bias ? { bias: d.bias } : {}) });
  },
  conv2dFloat: (n, x) => {
    const c = n as Extract<GraphNode, { op: "conv2dFloat" }>;
    return floatLayer(c, x, {
      op: "conv2d",
      weights: c.weights,
      ...(c.bias ? { bias: c.bias } : {}),
      kernel: c.kernel,
      stride: c.stride,
      dilation: ONE,
      groups: 1,
      padding: c.padding,
      padValue: c.padValue ?? 0,
    });
  },
  denseBitPlane: (n, x) => {
    const d = n as Extract<GraphNode, { op: "denseBitPlane" }>;
    return [
      { op: "bitPlaneDense", name: d.name, inputs: [x], weights: d.weights, output: binaryOutput(d.output) },
    ];
  },
  conv2dBitPlane: (n, x) => {
    const c = n as Extract<GraphNode, { op: "conv2dBitPlane" }>;
    return [
      {
        op: "bitPlaneConv2d",
        name: c.name,
        inputs: [x],
        weights: c.weights,
        kernel: c.kernel,
        stride: c.stride,
        padding: c.padding,
        padValue: c.padValue ?? 0,
        output: binaryOutput(c.output),
      },
    ];
  },
  binaryDense: (n, x) => {
    const d = n as Extract<GraphNode, { op: "binaryDense" }>;
    return [{ op: "bdense", name: d.name, inputs: [x], weights: d.weights, output: binaryOutput(d.output) }];
  },
  binaryConv2d: (n, x) => {
    const c = n as Extract<GraphNode, { op: "binaryConv2d" }>;
    return [
      {
        op: "bconv2d",
        name: c.name,
        inputs: [x],
        weights: c.weights,
        kernel: c.kernel,
        stride: c.stride,
        dilation: ONE,
        groups: 1,
        padding: c.padding,
        padValue: 1,
        output: binaryOutput(c.output),
      },
    ];
  },
  maxPool2d: (n, x) => {
    const p = n as Extract<GraphNode, { op: "maxPool2d" }>;
    return [
      {
        op: "maxPool2d",
        name: p.name,
        inputs: [x],
        kernel: p.kernel,
        stride: p.stride,
        padding: p.padding,
        ...(p.minMask ? { minMask: p.minMask } : {}),
      },
    ];
  },
  flatten: (n, x) => [{ op: "flatten", name: n.name, inputs: [x] }],
  softmax: (n, x) => [{ op: "softmax", name: n.name, inputs: [x] }],
  argmax: (n, x) => [{ op: "argmax", name: n.name, inputs: [x] }],
};

/** A checked version 1 chain as the version 2 graph that computes the same function (SPEC.md C.6). */
export function chainToGraph(chain: Graph): GraphV2 {
  const [input, ...rest] = chain.nodes;
  if (input?.op !== "input")
    fail("BAD_GRAPH", "graph.nodes[0]", "a version 1 graph starts with its input node");
  const nodes: GraphNodeV2[] = [];
  let last = input.name;
  for (const node of rest) {
    const converted = FROM_V1[node.op as Exclude<OpName, "input">](node, last);
    nodes.push(...converted);
    last = node.name;
  }
  return {
    inputs: [
      {
        name: input.name,
        dtype: input.dtype,
        shape: input.shape,
        ...(input.normalization ? { normalization: input.normalization } : {}),
      },
    ],
    outputs: [last],
    nodes,
  };
}

/**
 * The kind and shape of every value of `chainToGraph(chain)`, from the chain's checked value infos
 * (`inferValueInfos`): what `inferGraphValues` finds for the converted graph, in the same order,
 * without the version 2 op table. A float layer with a bits output adds its float32 `<name>/z`.
 */
export function chainGraphValues(chain: Graph, values: readonly ValueInfo[]): Map<string, ValueInfoV2> {
  const graphValues = new Map<string, ValueInfoV2>();
  chain.nodes.forEach((node, i) => {
    const info = values[i];
    if (!info) fail("BAD_GRAPH", `graph.nodes[${i}]`, "no value info for this node");
    const split = (node.op === "denseFloat" || node.op === "conv2dFloat") && node.output.kind === "bits";
    if (split) graphValues.set(`${node.name}/z`, { kind: "float32", shape: [...info.shape] });
    graphValues.set(node.name, { kind: info.kind, shape: [...info.shape] });
  });
  return graphValues;
}
