import type { JsonObject } from "../json-check.js";
import {
  type NodeBase,
  type OpDef,
  type OpReference,
  channels,
  elementsOf,
  floatData,
  ref,
  requireKind,
  value,
} from "./op.js";

/**
 * An elementwise float op with per-channel float32 parameters (`mul`, `batchNorm`, `prelu`,
 * `rprelu`, `relu`): y = f(x, parameters of x's channel), rounded to float32 once.
 */
export function channelwiseOp<N extends NodeBase>(
  op: N["op"],
  keys: readonly (keyof N & string)[],
  f: (x: number, p: readonly number[], node: N) => number,
  parseExtra: (o: JsonObject, path: string) => object = () => ({}),
): { readonly def: OpDef<N>; readonly reference: OpReference<N> } {
  const def: OpDef<N> = {
    op,
    arity: [1, 1],
    parse: (o, path) =>
      ({ ...Object.fromEntries(keys.map((k) => [k, ref(o, k, path)])), ...parseExtra(o, path) }) as Omit<
        N,
        keyof NodeBase
      >,
    infer(node, [input], tensor, path) {
      const shape = requireKind(input!, path, node.op, ["float32"], [1, 3]);
      for (const k of keys) tensor(node[k] as string, `${path}.${k}`, "float32", [channels(shape)]);
      return value("float32", [...shape], path);
    },
    tensors: (node) => keys.map((k) => node[k] as string),
    cost: (_node, [input]) => ({ comparisons: elementsOf(input!.shape) }),
  };
  const reference: OpReference<N> = (node, [x], tensors) => {
    const params = keys.map((k) => floatData(tensors, node[k] as string));
    const c = channels(x!.shape);
    const data = new Float32Array(x!.data.length);
    const p: number[] = new Array(keys.length);
    for (let i = 0; i < data.length; i++) {
      for (let j = 0; j < params.length; j++) p[j] = params[j]![i % c]!;
      data[i] = Math.fround(f(x!.data[i]!, p, node));
    }
    return { kind: "float32", shape: x!.shape, data };
  };
  return { def, reference };
}
