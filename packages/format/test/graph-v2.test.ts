import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type GraphModel,
  type GraphNodeV2,
  OP_NAMES_V2,
  chainGraphValues,
  checkGraphModel,
  checkModel,
  describeGraphFile,
  readGraphModel,
  readGraphModelInfo,
  readModel,
  runReference,
  toGraphModel,
  writeGraphModel,
  writeModel,
} from "../src/index.js";
import { rng, mlpModel, convModel, randomModel } from "./fixtures.js";
import { GraphBuilder, residualModel } from "./graph-builder.js";
import { thrown } from "./thrown.js";

const bytesOf = (n: number, seed: number) => {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};
const floatsOf = (n: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 4 - 2);
};

describe("version 2 graphs (SPEC.md appendix C)", () => {
  it("round-trips a residual graph through a version 2 file and evaluates it", () => {
    const model = residualModel();
    const bytes = writeGraphModel(model);
    expect(new DataView(bytes.buffer).getUint16(8, true)).toBe(2);
    const back = readGraphModel(bytes);
    expect(back.graph).toEqual(checkGraphModel(model).model.graph);
    expect(writeGraphModel(back)).toEqual(bytes);
    const images = bytesOf(8 * 8 * 3 * 3, 7);
    const out = runReference(back, { image: images }, 3);
    expect(out["logits"]!.shape).toEqual([10]);
    expect(out["logits"]!.data).toHaveLength(30);
    expect(out["class"]!.data).toHaveLength(3);
    // The batch is the samples evaluated one by one.
    for (let b = 0; b < 3; b++) {
      const one = runReference(back, { image: images.subarray(b * 192, (b + 1) * 192) });
      expect(Array.from(one["logits"]!.data)).toEqual(
        Array.from(out["logits"]!.data.subarray(b * 10, b * 10 + 10)),
      );
    }
    const { cost } = checkGraphModel(model);
    expect(cost.binaryMacs).toBe(8 * 8 * 8 * 9 * 8 + 4 * 4 * 8 * 9 * 4 + 4 * 4 * 8 * 9 * 8);
    expect(cost.peakActivationBytes).toBeGreaterThan(0);
  });

  it("reads every version 1 file as the equivalent graph", () => {
    for (const m of [mlpModel(), convModel()]) {
      const v1 = writeModel(m);
      const graph = readGraphModel(v1);
      expect(graph).toEqual(toGraphModel(readModel(v1)));
      expect(readGraphModel(writeGraphModel(graph)).graph).toEqual(graph.graph);
    }
    // A version 2 file is not a version 1 file: readModel names the reader that takes it.
    const e = thrown(() => readModel(writeGraphModel(residualModel())));
    expect(e.code).toBe("UNSUPPORTED_VERSION");
    expect(e.message).toMatch(/readGraphModel/);
  });

  it("converts random version 1 chains into valid graphs that round-trip", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }), fc.nat(1000), (choices, seed) => {
        const m = randomModel(choices, seed);
        const g = toGraphModel(m);
        const back = readGraphModel(writeGraphModel(g));
        expect(back.graph).toEqual(checkGraphModel(g).model.graph);
        const input = m.graph.nodes[0]!;
        if (input.op !== "input") return;
        const n = input.shape.reduce((p, d) => p * d, 1);
        const x = input.dtype === "uint8" ? bytesOf(n, seed) : floatsOf(n, seed);
        const a = runReference(back, { [input.name]: x });
        const b = runReference(g, { [input.name]: x });
        expect(a).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });
  it("gives a converted chain's values as the graph checker infers them, in the same order", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }), fc.nat(1000), (choices, seed) => {
        const { model, values } = checkModel(randomModel(choices, seed));
        const fromChain = chainGraphValues(model.graph, values);
        const inferred = checkGraphModel(toGraphModel(model)).values;
        expect([...fromChain]).toEqual([...inferred]);
      }),
      { numRuns: 60 },
    );
    for (const m of [mlpModel(), convModel()]) {
      const { model, values } = checkModel(m);
      expect([...chainGraphValues(model.graph, values)]).toEqual([
        ...checkGraphModel(toGraphModel(model)).values,
      ]);
    }
    const { model } = checkModel(mlpModel());
    expect(thrown(() => chainGraphValues(model.graph, []))).toMatchObject({ code: "BAD_GRAPH" });
  });
});

describe("graph checks", () => {
  const base = () => residualModel();
  const withNodes = (m: GraphModel, nodes: GraphNodeV2[], outputs = m.graph.outputs): GraphModel => ({
    ...m,
    graph: { ...m.graph, nodes, outputs },
  });

  it("requires the file's order to be topological (no forward references, so no cycles)", () => {
    const m = base();
    const nodes = [...m.graph.nodes];
    [nodes[0], nodes[1]] = [nodes[1]!, nodes[0]!];
    expect(thrown(() => checkGraphModel(withNodes(m, nodes))).message).toMatch(
      /not a graph input or an earlier node/,
    );
    const self = m.graph.nodes.map((n, i) => (i === 2 ? { ...n, inputs: [n.name] } : n)) as GraphNodeV2[];
    expect(thrown(() => checkGraphModel(withNodes(m, self))).code).toBe("BAD_GRAPH");
  });

  it("requires every value to be consumed and unique, and an index to end the graph", () => {
    const m = base();
    const dead = [...m.graph.nodes, { op: "relu", name: "unused", inputs: ["stem"] }] as GraphNodeV2[];
    expect(thrown(() => checkGraphModel(withNodes(m, dead))).message).toMatch(/"unused" is neither consumed/);
    const dup = [...m.graph.nodes, { op: "relu", name: "stem", inputs: ["stem"] }] as GraphNodeV2[];
    expect(thrown(() => checkGraphModel(withNodes(m, dup))).message).toMatch(/duplicate value name/);
    const afterIndex = [...m.graph.nodes, { op: "flatten", name: "f", inputs: ["class"] }] as GraphNodeV2[];
    expect(thrown(() => checkGraphModel(withNodes(m, afterIndex, ["logits", "f"]))).message).toMatch(/index/);
  });

  it("names bad attributes, unknown ops, arity and shape mismatches", () => {
    const m = base();
    const edit = (i: number, patch: object) =>
      withNodes(m, m.graph.nodes.map((n, k) => (k === i ? { ...n, ...patch } : n)) as GraphNodeV2[]);
    expect(thrown(() => checkGraphModel(edit(0, { op: "conv3d" }))).message).toMatch(/expected one of/);
    expect(thrown(() => checkGraphModel(edit(2, { groups: 3 }))).message).toMatch(/groups/);
    expect(thrown(() => checkGraphModel(edit(2, { dilation: [0, 1] }))).message).toMatch(/dilation/);
    expect(thrown(() => checkGraphModel(edit(2, { padValue: 2 }))).message).toMatch(/padValue/);
    expect(thrown(() => checkGraphModel(edit(4, { inputs: ["bn1"] }))).message).toMatch(/at least 2 inputs/);
    expect(thrown(() => checkGraphModel(edit(4, { inputs: ["bn1", "gap"] }))).code).toBe("BAD_GRAPH");
    expect(OP_NAMES_V2).toContain("bconv2d");
  });
});

/** One op on a random input, evaluated by the reference. */
function evaluate(
  build: (g: GraphBuilder) => string,
  input: { dtype: "float32" | "uint8"; shape: number[] },
  x: Float32Array | Uint8Array,
  seed = 3,
) {
  const g = new GraphBuilder([{ name: "x", ...input }], seed);
  const out = build(g);
  return runReference(g.build([out]), { x })[out]!;
}

describe("op references agree with independent formulations", () => {
  it("bconv2d: one-padding equals an explicit +1 pad and a 'valid' window; zero padding equals a float conv of ±1 with 0 padding", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const [h, w, c, o] = [3 + (seed % 4), 2 + (seed % 5), 1 + ((seed * 3) % 40), 1 + (seed % 7)];
      const k = 1 + (seed % 3);
      const x = floatsOf(h * w * c, seed);
      const common = (g: GraphBuilder, padding: "same" | "valid", input: string, padValue: 0 | 1) =>
        g.add({
          op: "bconv2d",
          name: "y",
          inputs: [input],
          weights: g.t.bits("w", [o, k, k, c]),
          kernel: [k, k],
          stride: [1, 1],
          dilation: [1, 1],
          groups: 1,
          padding,
          padValue,
          output: { kind: "int32" },
        });
      const sameOne = evaluate(
        (g) => common(g, "same", g.add({ op: "quantize", name: "q", inputs: ["x"] }), 1),
        { dtype: "float32", shape: [h, w, c] },
        x,
      );
      const before = Math.floor((k - 1) / 2);
      const explicit = evaluate(
        (g) => {
          const q = g.add({ op: "quantize", name: "q", inputs: ["x"] });
          const p = g.add({
            op: "pad",
            name: "p",
            inputs: [q],
            pads: [before, k - 1 - before, before, k - 1 - before],
            value: 1,
          });
          return common(g, "valid", p, 1);
        },
        { dtype: "float32", shape: [h, w, c] },
        x,
      );
      expect(Array.from(sameOne.data)).toEqual(Array.from(explicit.data));
      const zero = evaluate(
        (g) => common(g, "same", g.add({ op: "quantize", name: "q", inputs: ["x"] }), 0),
        { dtype: "float32", shape: [h, w, c] },
        x,
      );
      const float = evaluate(
        (g) => {
          const q = g.add({
            op: "dequantize",
            name: "d",
            inputs: [g.add({ op: "quantize", name: "q", inputs: ["x"] })],
          });
          // The same ±1 weights as floats (the builder's seeded draw gives the same signs).
          g.t.bits("w", [o, k, k, c]);
          const bits = g.t.tensors.get("w")!;
          const wf = new Float32Array(o * k * k * c);
          for (let r = 0; r < o * k * k; r++)
            for (let i = 0; i < c; i++)
              wf[r * c + i] =
                (bits.data[
                  r * (bits as { layout: { wordsPerRow: number } }).layout.wordsPerRow + (i >>> 5)
                ]! >>>
                  (i & 31)) &
                1
                  ? 1
                  : -1;
          g.t.tensors.set("wf", { dtype: "float32", shape: [o, k, k, c], data: wf });
          return g.add({
            op: "conv2d",
            name: "y",
            inputs: [q],
            weights: "wf",
            kernel: [k, k],
            stride: [1, 1],
            dilation: [1, 1],
            groups: 1,
            padding: "same",
            padValue: 0,
          });
        },
        { dtype: "float32", shape: [h, w, c] },
        x,
      );
      expect(Array.from(zero.data)).toEqual(Array.from(float.data));
    }
  });

  it("depthwiseConv2d is conv2d with one group per channel; globalAvgPool is a whole-image avgPool", () => {
    const x = floatsOf(5 * 4 * 3, 9);
    const shape = { dtype: "float32" as const, shape: [5, 4, 3] };
    const dw = evaluate(
      (g) =>
        g.add({
          op: "depthwiseConv2d",
          name: "y",
          inputs: ["x"],
          weights: g.t.float("w", [6, 3, 3, 1]),
          kernel: [3, 3],
          stride: [2, 1],
          dilation: [1, 2],
          padding: "same",
          padValue: 0.5,
        }),
      shape,
      x,
    );
    const grouped = evaluate(
      (g) =>
        g.add({
          op: "conv2d",
          name: "y",
          inputs: ["x"],
          weights: g.t.float("w", [6, 3, 3, 1]),
          kernel: [3, 3],
          stride: [2, 1],
          dilation: [1, 2],
          groups: 3,
          padding: "same",
          padValue: 0.5,
        }),
      shape,
      x,
    );
    expect(dw).toEqual(grouped);
    const gap = evaluate((g) => g.add({ op: "globalAvgPool", name: "y", inputs: ["x"] }), shape, x);
    const avg = evaluate(
      (g) =>
        g.add({
          op: "flatten",
          name: "y",
          inputs: [
            g.add({
              op: "avgPool2d",
              name: "a",
              inputs: ["x"],
              kernel: [5, 4],
              stride: [1, 1],
              padding: "valid",
            }),
          ],
        }),
      shape,
      x,
    );
    expect(Array.from(gap.data)).toEqual(Array.from(avg.data));
  });

  it("sign with thresholds and flips, rprelu, concat and reshape follow their formulas", () => {
    const x = floatsOf(2 * 2 * 3, 11);
    const shape = { dtype: "float32" as const, shape: [2, 2, 3] };
    const g = new GraphBuilder([{ name: "x", ...shape }], 5);
    g.t.tensors.set("t", {
      dtype: "float32",
      shape: [3],
      data: Float32Array.of(0, 0.5, Number.POSITIVE_INFINITY),
    });
    g.t.tensors.set("f", { dtype: "uint8", shape: [3], data: Uint8Array.of(0, 1, 1) });
    g.add({ op: "sign", name: "s", inputs: ["x"], thresholds: "t", flip: "f" });
    const s = runReference(g.build(["s"]), { x })["s"]!;
    expect(Array.from(s.data)).toEqual(Array.from(x, (v, i) => ([v >= 0, v <= 0.5, true][i % 3] ? 1 : -1)));
    const r = evaluate(
      (b) => {
        for (const [n, v] of [
          ["g", 0.25],
          ["a", 0.5],
          ["z", -1],
        ] as const)
          b.t.tensors.set(n, { dtype: "float32", shape: [3], data: new Float32Array(3).fill(v) });
        return b.add({ op: "rprelu", name: "y", inputs: ["x"], shiftIn: "g", alpha: "a", shiftOut: "z" });
      },
      shape,
      x,
    );
    expect(Array.from(r.data)).toEqual(
      Array.from(x, (v) =>
        Math.fround((v - 0.25 >= 0 ? Math.fround(v - 0.25) : Math.fround(0.5 * Math.fround(v - 0.25))) - 1),
      ),
    );
    const cat = evaluate(
      (b) =>
        b.add({
          op: "reshape",
          name: "y",
          inputs: [b.add({ op: "concat", name: "c", inputs: ["x", "x"] })],
          shape: [24],
        }),
      shape,
      x,
    );
    expect(Array.from(cat.data)).toEqual(
      Array.from({ length: 24 }, (_, i) => x[Math.floor(i / 6) * 3 + ((i % 6) % 3)]!),
    );
  });
});

describe("readGraphModelInfo", () => {
  it("describes files of both versions as graphs, with values and cost, without reading tensors", () => {
    const v2 = writeGraphModel(residualModel());
    const info = readGraphModelInfo(v2);
    expect(info.version).toEqual({ major: 2, minor: 0 });
    expect(info.values.get("logits")).toEqual({ kind: "float32", shape: [10] });
    expect(info.cost).toEqual(checkGraphModel(residualModel()).cost);
    expect(info.metadata.labels).toHaveLength(10);
    const v1 = readGraphModelInfo(writeModel(convModel()));
    expect(v1.version.major).toBe(1);
    expect(v1.graph).toEqual(toGraphModel(convModel()).graph);
    // A damaged tensor section does not matter: only the header is read.
    expect(thrown(() => readGraphModelInfo(v2.subarray(0, v2.length - 8))).code).toBe("TRUNCATED");
  });
});

describe("describeGraphFile", () => {
  it("prints every node with its inputs, output and parameters, for both versions", () => {
    const text = describeGraphFile(readGraphModelInfo(writeGraphModel(residualModel())));
    expect(text).toMatch(/\.onebit 2\.0/);
    expect(text).toMatch(/res1\s+add\s+\(bn1, stem\) → float32 \[8×8×8\]/);
    expect(text).toMatch(
      /b2\s+bconv2d\s+\(q2\) → float32 \[4×4×8\] 288 1-bit 16 32-bit .*groups=2 padValue=0/,
    );
    expect(text).toMatch(/outputs: logits, class/);
    const v1 = describeGraphFile(readGraphModelInfo(writeModel(mlpModel())));
    expect(v1).toMatch(/bitPlaneDense/);
  });
});
