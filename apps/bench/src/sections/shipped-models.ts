import { getBackendInfo, type KernelBackend } from "@onebit/bitops";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type OnebitModel, type ValueInfo, checkModel, readModel } from "@onebit/format";
import { runReference } from "@onebit/nn";
import { Rng } from "@onebit/tensor";
import type { CaseSpec, CheckResult } from "../harness/types.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import { checkLength } from "./checks.js";
import {
  type FloatTwin,
  floatTwinOf,
  tensorTwinRunner,
  tensorTwinUnsupported,
  twinOnnx,
  twinReferenceRow,
} from "./float-twin.js";
import { tensorTooSlowForQuick } from "./onebit-packages.js";
import { type ShippedGraph, shippedGraph } from "./shipped-graphs.js";
import { engineRunner, runtimeImpl, sessionRunner } from "./runtime-runners.js";

/**
 * The models shipped in the repository's models/ folder (trained by apps/train), each run from its
 * .onebit file by @onebit/runtime and compared with its float32 twin (same layers and sizes) in
 * onnxruntime-node and on @onebit/tensor.
 */
export interface ShippedModel {
  readonly file: string;
  readonly name: string;
  readonly fileBytes: Uint8Array;
  readonly model: OnebitModel;
  /** The graph without a trailing softmax/argmax: what both sides are compared on. */
  readonly logitsModel: OnebitModel;
  readonly values: readonly ValueInfo[];
  readonly twin: FloatTwin;
  /** Bytes of the model's tensors (packed weights, thresholds, float parts). */
  readonly tensorBytes: number;
}

/** Reads and validates a .onebit file and builds its float32 twin. */
export function modelFromFile(file: string, fileBytes: Uint8Array): ShippedModel {
  const model = readModel(fileBytes);
  const { values } = checkModel(model);
  const nodes = model.graph.nodes;
  let cut = nodes.length;
  while (cut > 1 && (nodes[cut - 1]!.op === "softmax" || nodes[cut - 1]!.op === "argmax")) cut--;
  let tensorBytes = 0;
  for (const t of model.tensors.values()) tensorBytes += t.data.byteLength;
  return {
    file,
    name: model.metadata.name || path.basename(file).replace(/\.onebit$/, ""),
    fileBytes,
    model,
    logitsModel: { ...model, graph: { nodes: nodes.slice(0, cut) } },
    values,
    twin: floatTwinOf(model, values),
    tensorBytes,
  };
}

/**
 * The version 1 chains in models/ (version 2 graphs are listed in `graphs`: the residual section
 * times them), with a note for each file that cannot be benchmarked.
 */
export async function findShippedModels(
  root: string,
): Promise<{ models: ShippedModel[]; graphs: ShippedGraph[]; notes: string[] }> {
  const dir = path.join(root, "models");
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".onebit")).sort();
  } catch {
    return {
      models: [],
      graphs: [],
      notes: ["shipped models: none yet (no models/ folder at the repository root)"],
    };
  }
  if (names.length === 0)
    return { models: [], graphs: [], notes: ["shipped models: models/ holds no .onebit file yet"] };
  const models: ShippedModel[] = [];
  const graphs: ShippedGraph[] = [];
  const notes: string[] = [];
  for (const n of names) {
    try {
      const bytes = new Uint8Array(await readFile(path.join(dir, n)));
      const graph = shippedGraph(`models/${n}`, bytes);
      if (graph) graphs.push(graph);
      else models.push(modelFromFile(`models/${n}`, bytes));
    } catch (e) {
      notes.push(`models/${n}: cannot benchmark (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return { models, graphs, notes };
}

function checkedRows(batch: number): number[] {
  return batch === 1 ? [0] : [0, batch - 1];
}

export interface Inputs {
  /** What the .onebit model takes (bytes for uint8 models). */
  readonly raw: Uint8Array | Float32Array;
  /** What the float twin takes: the same values as floats in [0, 1]. */
  readonly float: Float32Array;
}

/** A batch of inputs in the form the .onebit model takes. */
export function shippedInputs(m: ShippedModel, batch: number): Uint8Array | Float32Array {
  return inputsFor(m, batch).raw;
}

export function inputsFor(m: ShippedModel, batch: number): Inputs {
  const input = m.model.graph.nodes[0]!;
  const rng = new Rng(batch * 31 + m.twin.inputSize);
  const n = batch * m.twin.inputSize;
  if (input.op === "input" && input.dtype === "uint8") {
    const raw = rng.bytes(n);
    return { raw, float: Float32Array.from(raw, (v) => v / 255) };
  }
  const float = rng.uniformArray(n, 0, 1);
  return { raw: float, float };
}

export function checkTwin(
  y: Float32Array,
  m: ShippedModel,
  batch: number,
  x: Float32Array,
  what: string,
): CheckResult {
  const shape = checkLength(y, batch * m.twin.outputSize, what);
  if (!shape.ok) return shape;
  for (const r of checkedRows(batch)) {
    const want = twinReferenceRow(m.twin, x, r);
    for (let j = 0; j < m.twin.outputSize; j++) {
      const got = y[r * m.twin.outputSize + j]!;
      if (Math.abs(got - want[j]!) > 1e-3 * (1 + Math.abs(want[j]!))) {
        return {
          ok: false,
          reason: `${what}: output [${r}][${j}] = ${got}, expected ${want[j]!.toPrecision(7)}`,
        };
      }
    }
  }
  return { ok: true };
}

/** The .onebit file through the runtime (Engine on 1 thread, runtime-node's session on more), gated by nn's reference. */
function shippedRuntimeCase(
  m: ShippedModel,
  batch: number,
  threads: number,
  backend?: KernelBackend,
): CaseSpec<Float32Array> {
  const viaSession = threads > 1;
  return {
    section: "models",
    group: `${m.name} batch ${batch}`,
    impl: runtimeImpl(threads, backend),
    label: viaSession
      ? `onebit binary (@onebit/runtime-node InferenceSession, ${threads} threads)`
      : `onebit binary (@onebit/runtime Engine on ${backend ?? getBackendInfo().backend}, ${m.file})`,
    precision: "binary",
    threads,
    work: { count: batch, unit: "sample" },
    bytes: m.tensorBytes,
    async setup() {
      const x = inputsFor(m, batch).raw;
      const runner = viaSession
        ? await sessionRunner(m.fileBytes, batch, threads)
        : engineRunner(m.fileBytes, batch, backend);
      return {
        run: () => runner.run(x),
        check: (y: Float32Array): CheckResult => {
          const classes = y.length / batch;
          for (const r of checkedRows(batch)) {
            const sample = x.subarray(r * m.twin.inputSize, (r + 1) * m.twin.inputSize);
            const want = runReference(m.logitsModel, sample, 1).data;
            if (want.length !== classes) {
              return {
                ok: false,
                reason: `runtime: ${classes} outputs per sample, the reference has ${want.length}`,
              };
            }
            for (let j = 0; j < classes; j++) {
              const got = y[r * classes + j]!;
              // Integer parts are exact; float first/last layers agree within float32 rounding.
              if (Math.abs(got - want[j]!) > 1e-4 * Math.max(1, Math.abs(want[j]!))) {
                return { ok: false, reason: `runtime: logit [${r}][${j}] = ${got}, reference ${want[j]}` };
              }
            }
          }
          return { ok: true };
        },
        dispose: () => runner.dispose(),
      };
    },
  };
}

/**
 * ORT twin rows on `threads` (first = baseline), the @onebit/tensor twin, the runtime on each of
 * `runtimeThreads` (auto backend), and on one thread on each of `otherBackends`.
 */
export function shippedModelCases(
  m: ShippedModel,
  batch: number,
  threads: number[],
  quick: boolean,
  notes: string[],
  runtimeThreads: number[] = [1],
  otherBackends: readonly KernelBackend[] = [],
): CaseSpec[] {
  const group = `${m.name} batch ${batch}`;
  const work = { count: batch, unit: "sample" } as const;
  const cases: CaseSpec[] = threads.map(
    (t, i): CaseSpec<Float32Array> => ({
      section: "models",
      group,
      impl: `ort-${t}t`,
      label: `onnxruntime-node float32 twin, ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: i === 0,
      work,
      bytes: m.twin.bytes,
      async setup() {
        const { ort, reason } = await loadOrt();
        if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
        const x = inputsFor(m, batch).float;
        const session = await createOrtSession(ort, twinOnnx(m.twin), t);
        return {
          run: () => runOrt(ort, session, x, [batch, ...m.twin.inputShape]),
          check: (y) => checkTwin(y, m, batch, x, "ORT twin"),
          dispose: () => session.release(),
        };
      },
    }),
  );
  const unsupported = tensorTwinUnsupported(m.twin);
  const flop = 2 * batch * (m.twin.bytes / 4);
  if (unsupported) notes.push(`${group}: onebit float32 twin left out (${unsupported})`);
  else if (tensorTooSlowForQuick(quick, flop))
    notes.push(`${group}: onebit float32 twin left out of --quick`);
  else {
    cases.push({
      section: "models",
      group,
      impl: "onebit-float",
      label: "onebit float32 twin (@onebit/tensor)",
      precision: "float32",
      threads: 1,
      work,
      bytes: m.twin.bytes,
      setup() {
        const x = inputsFor(m, batch).float;
        const run = tensorTwinRunner(m.twin, batch);
        return {
          run: () => run(x),
          check: (y: Float32Array) => checkTwin(y, m, batch, x, "onebit float twin"),
        };
      },
    } satisfies CaseSpec<Float32Array>);
  }
  for (const t of runtimeThreads) cases.push(shippedRuntimeCase(m, batch, t));
  for (const b of otherBackends) cases.push(shippedRuntimeCase(m, batch, 1, b));
  return cases;
}
