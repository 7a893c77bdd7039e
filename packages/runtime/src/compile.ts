import type { GraphModel, GraphNodeV2, ValueInfoV2 } from "@onebit/format";
import { RuntimeError } from "./errors.js";
import type { ElementwiseChain } from "./elementwise-fusion.js";
import { loadedGraphSupport, requireGraphSupport } from "./graph-loader.js";
import { Lowering, type Value } from "./lowering.js";
import { CONTROL, layoutMemory } from "./memory-layout.js";
import { CHAIN_LOWERINGS, type LoweringTable } from "./ops/table.js";
import type { OutputBinding, PlanData } from "./plan.js";

// Graph → plan in three passes: lowering (each node, through its op's module in ops/, becomes
// steps over abstract values; weights are prepacked into their kernel layout), layout
// (memory-layout.ts: weights, per-thread scratch, activations placed by liveness), and emission
// (steps with their final pointers). Cost constants live in cost-model.ts.

/** What the engine shows about the plan beyond the steps (for inspection and result shaping). */
export interface CompiledPlan {
  readonly plan: PlanData;
  /** Weight bytes (in their kernel layout) and activation bytes per sample. */
  readonly weightBytes: number;
  readonly activationBytesPerSample: number;
  /** Writes the prepacked weights into a memory made for this plan. */
  fill(memory: WebAssembly.Memory): void;
}

export interface CompileOptions {
  /** Samples per pass (default: as many as fit in 64 MiB of activations, at most 256). */
  readonly capacity?: number;
  /** Per-thread scratch slots to prepare (the number of threads that may run the plan). */
  readonly threadSlots: number;
}

/** The value a run returns and the graph's trailing softmax/argmax nodes that read it (computed from it by the result). */
export interface GraphOutputs {
  readonly scores: string;
  readonly tail: readonly GraphNodeV2[];
}

/**
 * The value a run returns: the first output, or — when it is an `argmax` or `softmax` — the scores
 * they read. Every graph output must be the scores or such a trailing node (UNSUPPORTED_MODEL otherwise).
 */
export function graphOutputs(model: GraphModel): GraphOutputs {
  const { graph } = model;
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  let scores = graph.outputs[0]!;
  for (let i = 0; i < 2; i++) {
    const node = byName.get(scores);
    if (node?.op !== "argmax" && node?.op !== "softmax") break;
    scores = node.inputs[0]!;
  }
  const tail: GraphNodeV2[] = [];
  let softmax: string | undefined;
  for (const n of graph.nodes) {
    if (n.op === "softmax" && n.inputs[0] === scores && softmax === undefined) {
      softmax = n.name;
      tail.push(n);
    } else if (n.op === "argmax" && (n.inputs[0] === scores || n.inputs[0] === softmax)) tail.push(n);
  }
  const known = new Set([scores, ...tail.map((n) => n.name)]);
  const other = graph.outputs.find((o) => !known.has(o));
  if (other !== undefined) {
    throw new RuntimeError(
      "UNSUPPORTED_MODEL",
      `graph output ${JSON.stringify(other)}: a session returns one value (${JSON.stringify(scores)}) and the softmax/argmax of it`,
    );
  }
  if (graph.inputs.length !== 1)
    throw new RuntimeError(
      "UNSUPPORTED_MODEL",
      `the graph has ${graph.inputs.length} inputs; a session runs graphs with one`,
    );
  return { scores, tail };
}

/** Builds the plan of a checked graph (`values` from `inferGraphValues`). */
export function compilePlan(
  model: GraphModel,
  values: ReadonlyMap<string, ValueInfoV2>,
  options: CompileOptions,
): CompiledPlan {
  const { graph } = model;
  const threadSlots = Math.max(1, options.threadSlots);
  const input = graph.inputs[0]!;
  const norm = input.normalization ?? { scale: 1, offset: 0 };
  const L = new Lowering(model.tensors, norm, threadSlots);
  const { scores, tail } = graphOutputs(model);
  const skip = new Set(tail.map((n) => n.name));
  const nodes = graph.nodes.filter((n) => !skip.has(n.name));

  // Last node reading each value (the scores: past the end, the engine reads them).
  const lastReader = new Map<string, number>([[scores, nodes.length]]);
  const readers = new Map<string, number>();
  const firstReader = new Map<string, GraphNodeV2>();
  nodes.forEach((node, i) => {
    for (const name of node.inputs) {
      lastReader.set(name, Math.max(lastReader.get(name) ?? -1, i));
      readers.set(name, (readers.get(name) ?? 0) + 1);
      if (!firstReader.has(name)) firstReader.set(name, node);
    }
  });
  /** `sign` nodes a float layer compared in its epilogue: their value is the layer's. */
  const fused = new Set<string>();

  const ids = new Map<string, number>();
  const inElements = input.shape.reduce((p, d) => p * d, 1);
  ids.set(
    input.name,
    L.addValue(
      input.dtype === "float32"
        ? { kind: "float32", sampleBytes: 4 * inElements, elements: inElements }
        : { kind: "uint8", sampleBytes: inElements, elements: inElements },
    ),
  );
  nodes.forEach((node, i) => {
    L.current = i;
    if (fused.has(node.name)) {
      ids.set(node.name, ids.get(node.inputs[0]!)!);
      return;
    }
    // The one fusion: a float layer read only by a `sign` may compare in its epilogue (see floatOutput).
    const reader = firstReader.get(node.name);
    L.fusableSign =
      reader?.op === "sign" && readers.get(node.name) === 1 && node.name !== scores ? reader : undefined;
    L.signFused = false;
    const inputIds = node.inputs.map((name) => ids.get(name)!);
    L.exclusiveInputs = new Set(
      node.inputs
        .filter((name) => readers.get(name) === 1 && name !== scores && name !== input.name)
        .map((name) => ids.get(name)!),
    );
    const lowerings: Partial<LoweringTable> = Object.hasOwn(CHAIN_LOWERINGS, node.op)
      ? CHAIN_LOWERINGS
      : requireGraphSupport(`node ${node.name} (${node.op})`).lowerings;
    const lower = lowerings[node.op] as (...args: Parameters<LoweringTable["add"]>) => number;
    const id = lower(
      L,
      node as never,
      inputIds,
      node.inputs.map((name) => values.get(name)!),
      values.get(node.name)!,
    );
    ids.set(node.name, id);
    if (L.signFused) fused.add(reader!.name);
  });
  L.fusableSign = undefined;
  L.current = nodes.length;
  let out = ids.get(scores)!;
  if (L.value(out).kind === "uint8") out = L.asFloat(out);

  // Lifetimes by node index: a node's output lives until its last reader, temporaries within their node.
  const lifetimes: [number, number][] = L.values.map((_, id) => [L.valueNodes[id]!, L.valueNodes[id]!]);
  for (const [name, id] of ids) {
    const life = lifetimes[id]!;
    life[1] = Math.max(life[1], lastReader.get(name) ?? life[0]);
  }
  lifetimes[out]![1] = nodes.length;
  L.values.forEach((v: Value, id) => {
    if (v.aliasOf === undefined) return;
    const root = lifetimes[v.aliasOf]!;
    root[0] = Math.min(root[0], lifetimes[id]![0]);
    root[1] = Math.max(root[1], lifetimes[id]![1]);
  });

  // Elementwise runs fused into one step each: every value a run touches lives across the whole run.
  // (Only graph ops make such runs: without the graph code there are none.)
  const graphCode = loadedGraphSupport();
  const chains: ElementwiseChain[] = graphCode
    ? graphCode.findElementwiseChains(L.builders, L.values, out)
    : [];
  for (const chain of chains) {
    const from = L.builderNodes[chain.builders[0]!]!;
    const to =
      L.builderNodes[chain.builders[chain.builders.length - (chain.signValue === undefined ? 1 : 2)]!]!;
    for (const id of chain.values) {
      const life = lifetimes[id]!;
      life[0] = Math.min(life[0], from);
      life[1] = Math.max(life[1], to);
    }
    if (chain.signValue !== undefined)
      lifetimes[chain.signValue]![0] = Math.min(lifetimes[chain.signValue]![0], from);
  }

  const skipped = new Set(chains.flatMap((c) => c.skipped));
  const layout = layoutMemory({
    weights: L.weights,
    values: L.values.map((v, id) => (skipped.has(id) ? { ...v, sampleBytes: 0 } : v)),
    lifetimes,
    scratch: L.scratch,
    threadSlots,
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
  });
  const { addresses, weightAt, weightBytes, capacity } = layout;
  const built = L.builders.map((b) => b(addresses));
  const steps = graphCode ? graphCode.fuseChains(built, chains) : built;
  const ov = L.value(out);
  const output: OutputBinding =
    ov.kind === "bits"
      ? { kind: "bits", ptr: addresses.value(out), elements: ov.elements, layout: ov.bits! }
      : ov.kind === "int32"
        ? { kind: "int32", ptr: addresses.value(out), elements: ov.elements }
        : { kind: "float32", ptr: addresses.value(out), elements: ov.elements };
  const plan: PlanData = {
    memoryBytes: layout.memoryBytes,
    capacity,
    threadSlots,
    control: CONTROL,
    input: {
      dtype: input.dtype,
      elements: inElements,
      ptr: addresses.value(ids.get(input.name)!),
      scale: norm.scale,
      offset: norm.offset,
    },
    steps,
    output,
    costPerSample: steps.reduce((sum, s) => sum + s.costPerRow * s.rowsPerSample, 0),
  };
  return {
    plan,
    weightBytes,
    activationBytesPerSample: layout.activationBytesPerSample,
    fill(memory: WebAssembly.Memory): void {
      const bytes = new Uint8Array(memory.buffer);
      L.weights.forEach((w, i) => {
        bytes.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), weightAt[i]!);
      });
    },
  };
}

export { createPlanMemory } from "./memory-layout.js";
