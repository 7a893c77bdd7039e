import { getBackendInfo, type KernelBackend } from "@onebit/bitops";
import { comparedBackends } from "../harness/native.js";
import { cached } from "../harness/cached.js";
import { loadTensorNode, withTensorThreads } from "./tensor-threads.js";
import { Rng } from "@onebit/tensor";
import type { BenchContext, CaseSpec, CheckResult, Section, SectionPlan } from "../harness/types.js";
import { mlpModel } from "../onnx/model.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import {
  type BinaryMlp,
  MLP_3X1024,
  MLP_3X4096,
  type MlpArch,
  binaryMlpBytes,
  binaryMlpRunner,
  binaryMlpReferenceRow,
  floatMlpBytes,
  randomBinaryMlp,
} from "./binary-mlp.js";
import { checkLength } from "./checks.js";
import { randomConvNetFile } from "./random-convnet.js";
import { findShippedModels, modelFromFile, shippedInputs, shippedModelCases } from "./shipped-models.js";
import { fileURLToPath } from "node:url";
import { binaryMlpFileBytes } from "./onebit-model.js";
import {
  type LayerProfile,
  engineRunner,
  runtimeImpl,
  loadRuntimeNode,
  profileModel,
  sessionRunner,
} from "./runtime-runners.js";
import { floatMlpReferenceRow, randomFloatMlp, tensorMlpRunner, toFloatInput } from "./float-mlp.js";
import { bitops, tensorBackendName, tensorTooSlowForQuick } from "./onebit-packages.js";

/** Batch 1 latency and batch 256 throughput; --full adds batch 64. */
export const QUICK_MODEL_BATCHES = [1, 256] as const;
export const FULL_MODEL_BATCHES = [1, 64, 256] as const;

// Models are built once per architecture and shared by every case that runs them.
const binaryModels = new Map<string, BinaryMlp>();
const floatModels = new Map<string, ReturnType<typeof randomFloatMlp>>();
const onnxBytes = new Map<string, Uint8Array>();

export function binaryModel(arch: MlpArch): BinaryMlp {
  return cached(binaryModels, arch.name, () => randomBinaryMlp(arch));
}

export function floatModel(arch: MlpArch): ReturnType<typeof randomFloatMlp> {
  return cached(floatModels, arch.name, () => randomFloatMlp(arch));
}

export function onnxModel(arch: MlpArch): Uint8Array {
  return cached(onnxBytes, arch.name, () => mlpModel(floatModel(arch)));
}

export function inputs(arch: MlpArch, batch: number): Uint8Array {
  return new Rng(batch * 1009 + arch.inputs).bytes(batch * arch.inputs);
}

/** Rows checked against the reference: the first and the last of the batch. */
function checkedRows(batch: number): number[] {
  return batch === 1 ? [0] : [0, batch - 1];
}

export function checkFloatLogits(
  y: Float32Array,
  arch: MlpArch,
  batch: number,
  reference: (row: number) => Float64Array,
  what: string,
): CheckResult {
  const shape = checkLength(y, batch * arch.classes, what);
  if (!shape.ok) return shape;
  for (const r of checkedRows(batch)) {
    const want = reference(r);
    for (let j = 0; j < arch.classes; j++) {
      const got = y[r * arch.classes + j]!;
      if (Math.abs(got - want[j]!) > 1e-3 * (1 + Math.abs(want[j]!))) {
        return {
          ok: false,
          reason: `${what}: logit [${r}][${j}] = ${got}, expected ${want[j]!.toPrecision(7)}`,
        };
      }
    }
  }
  return { ok: true };
}

function group(arch: MlpArch, batch: number): string {
  return `${arch.name} batch ${batch}`;
}

function ortCases(arch: MlpArch, batch: number, threads: number[]): CaseSpec[] {
  return threads.map(
    (t, i): CaseSpec<Float32Array> => ({
      section: "models",
      group: group(arch, batch),
      impl: `ort-${t}t`,
      label: `onnxruntime-node float32, ${t} thread${t === 1 ? "" : "s"}`,
      precision: "float32",
      threads: t,
      baseline: i === 0,
      work: { count: batch, unit: "sample" },
      bytes: floatMlpBytes(arch),
      async setup() {
        const { ort, reason } = await loadOrt();
        if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
        const x = toFloatInput(inputs(arch, batch));
        const layers = floatModel(arch);
        const session = await createOrtSession(ort, onnxModel(arch), t);
        return {
          run: () => runOrt(ort, session, x, [batch, arch.inputs]),
          check: (y) =>
            checkFloatLogits(y, arch, batch, (r) => floatMlpReferenceRow(layers, x, r), "ORT MLP"),
          dispose: () => session.release(),
        };
      },
    }),
  );
}

function tensorCase(arch: MlpArch, batch: number): CaseSpec<Float32Array> {
  return {
    section: "models",
    group: group(arch, batch),
    impl: "onebit-float",
    label: `onebit float32 (@onebit/tensor gemm, ${tensorBackendName()})`,
    precision: "float32",
    threads: 1,
    work: { count: batch, unit: "sample" },
    bytes: floatMlpBytes(arch),
    setup() {
      const x = toFloatInput(inputs(arch, batch));
      const layers = floatModel(arch);
      const run = tensorMlpRunner(layers, batch);
      return {
        run: () => run(x),
        check: (y) =>
          checkFloatLogits(y, arch, batch, (r) => floatMlpReferenceRow(layers, x, r), "onebit float MLP"),
      };
    },
  };
}

function binaryCase(arch: MlpArch, batch: number): CaseSpec<Float32Array> {
  const kernels = `fused kernels, ${bitops.getBackendInfo().backend}`;
  return {
    section: "models",
    group: group(arch, batch),
    impl: "onebit-binary",
    label: `onebit binary (@onebit/bitops ${kernels})`,
    precision: "binary",
    threads: 1,
    work: { count: batch, unit: "sample" },
    bytes: binaryMlpBytes(binaryModel(arch)),
    setup() {
      const x = inputs(arch, batch);
      const m = binaryModel(arch);
      const runner = binaryMlpRunner(m, batch);
      return {
        run: () => runner.run(x),
        check: (y): CheckResult => {
          const shape = checkLength(y, batch * arch.classes, "binary MLP");
          if (!shape.ok) return shape;
          for (const r of checkedRows(batch)) {
            const want = binaryMlpReferenceRow(m, x, r);
            for (let j = 0; j < arch.classes; j++) {
              if (y[r * arch.classes + j] !== want[j]) {
                return {
                  ok: false,
                  reason: `binary MLP: logit [${r}][${j}] = ${y[r * arch.classes + j]}, expected ${want[j]} (must be exact)`,
                };
              }
            }
          }
          return { ok: true };
        },
      };
    },
  };
}

/** Checks runtime logits against the bit-by-bit reference (last-layer float rounding may differ by an ulp). */
export function checkRuntimeLogits(y: Float32Array, m: BinaryMlp, x: Uint8Array, batch: number): CheckResult {
  const arch = m.arch;
  const shape = checkLength(y, batch * arch.classes, "runtime MLP");
  if (!shape.ok) return shape;
  for (const r of checkedRows(batch)) {
    const want = binaryMlpReferenceRow(m, x, r);
    for (let j = 0; j < arch.classes; j++) {
      const got = y[r * arch.classes + j]!;
      if (Math.abs(got - want[j]!) > 1e-6 * Math.max(1, Math.abs(want[j]!))) {
        return { ok: false, reason: `runtime MLP: logit [${r}][${j}] = ${got}, expected ${want[j]}` };
      }
    }
  }
  return { ok: true };
}

/**
 * The same binary model as a .onebit file through the runtime: @onebit/runtime's Engine on one
 * thread, or @onebit/runtime-node's InferenceSession on `threads` worker threads.
 */
function runtimeCase(
  arch: MlpArch,
  batch: number,
  threads: number,
  backend?: KernelBackend,
): CaseSpec<Float32Array> {
  const viaSession = threads > 1;
  return {
    section: "models",
    group: group(arch, batch),
    impl: runtimeImpl(threads, backend),
    label: viaSession
      ? `onebit binary (@onebit/runtime-node InferenceSession, ${threads} threads)`
      : `onebit binary (@onebit/runtime Engine on ${backend ?? getBackendInfo().backend}, .onebit file)`,
    precision: "binary",
    threads,
    work: { count: batch, unit: "sample" },
    bytes: binaryMlpBytes(binaryModel(arch)),
    async setup() {
      const x = inputs(arch, batch);
      const m = binaryModel(arch);
      const file = binaryMlpFileBytes(m);
      const runner = viaSession
        ? await sessionRunner(file, batch, threads)
        : engineRunner(file, batch, backend);
      return {
        run: () => runner.run(x),
        check: (y) => checkRuntimeLogits(y, m, x, batch),
        dispose: () => runner.dispose(),
      };
    },
  };
}

export const modelsSection: Section = {
  id: "models",
  title: "3. Whole models",
  description:
    "Binary MLPs (bit-plane first layer, folded BatchNorm thresholds, packed activations) vs their float32 equivalents (Gemm + bias + ReLU); batch 1 latency and batch 256 throughput; speedup vs onnxruntime-node float32 on 1 thread.",
  async plan(ctx: BenchContext): Promise<SectionPlan> {
    const notes: string[] = [];
    const cases: CaseSpec[] = [];
    const threadCounts = ctx.threads > 1 ? [1, ctx.threads] : [1];
    const tensorNode = await loadTensorNode();
    const tensorThreads = ctx.threads > 1 && typeof tensorNode !== "string";
    if (ctx.threads > 1 && typeof tensorNode === "string")
      notes.push(`@onebit/tensor threads: not available (${tensorNode})`);
    const { reason } = await loadOrt();
    if (reason) notes.push(`onnxruntime-node not available (${reason}): its rows are left out`);
    const archs = ctx.quick ? [MLP_3X4096] : [MLP_3X4096, MLP_3X1024];
    // The runtime on the auto-selected backend (native where it loads), then on the other compiled ones
    // side by side (the TypeScript fallback only at the kernel level: whole models would take minutes).
    const otherBackends = comparedBackends(ctx.quick)
      .slice(1)
      .filter((b) => b !== "typescript");
    const runtimeNode = typeof (await loadRuntimeNode()) !== "string";
    if (!runtimeNode)
      notes.push(`multi-threaded runtime rows: not available yet (${await loadRuntimeNode()})`);
    for (const arch of archs) {
      for (const batch of ctx.quick ? QUICK_MODEL_BATCHES : FULL_MODEL_BATCHES) {
        if (!reason) cases.push(...ortCases(arch, batch, threadCounts));
        if (tensorTooSlowForQuick(ctx.quick, 2 * batch * (floatMlpBytes(arch) / 4))) {
          notes.push(
            `${group(arch, batch)}: onebit float32 (@onebit/tensor) left out of --quick (seconds per run); --full runs it`,
          );
        } else {
          cases.push(tensorCase(arch, batch));
          if (tensorThreads) cases.push(withTensorThreads(tensorCase(arch, batch), ctx.threads));
        }
        cases.push(binaryCase(arch, batch));
        cases.push(runtimeCase(arch, batch, 1));
        for (const b of otherBackends) cases.push(runtimeCase(arch, batch, 1, b));
        if (ctx.threads > 1 && runtimeNode) cases.push(runtimeCase(arch, batch, ctx.threads));
      }
    }
    const root = fileURLToPath(new URL("../../../..", import.meta.url));
    const shipped = await findShippedModels(root);
    notes.push(...shipped.notes);
    for (const g of shipped.graphs)
      notes.push(`${g.file}: a version 2 graph, timed in the residual section against its float twin`);
    const shippedBatches = ctx.quick ? [1] : [...FULL_MODEL_BATCHES];
    if (ctx.quick)
      notes.push("shipped models and the ConvNet: batch 1 only in --quick; --full adds batch 64 and 256");
    const runtimeThreads = ctx.threads > 1 && runtimeNode ? [1, ctx.threads] : [1];
    // The full-width MNIST ConvNet with random weights, then the trained models the repository ships.
    const convnet = modelFromFile("random ConvNet", randomConvNetFile());
    for (const batch of shippedBatches) {
      cases.push(
        ...shippedModelCases(
          convnet,
          batch,
          reason ? [] : threadCounts,
          ctx.quick,
          notes,
          runtimeThreads,
          otherBackends,
        ),
      );
    }
    for (const m of shipped.models) {
      for (const batch of shippedBatches) {
        cases.push(
          ...shippedModelCases(
            m,
            batch,
            reason ? [] : threadCounts,
            ctx.quick,
            notes,
            runtimeThreads,
            otherBackends,
          ),
        );
      }
    }
    const profileTargets: {
      name: string;
      file: () => Uint8Array;
      x: () => Uint8Array | Float32Array;
      batch: number;
    }[] = [
      ...(ctx.quick ? QUICK_MODEL_BATCHES : FULL_MODEL_BATCHES).map((batch) => ({
        name: MLP_3X4096.name,
        file: () => binaryMlpFileBytes(binaryModel(MLP_3X4096)),
        x: () => inputs(MLP_3X4096, batch),
        batch,
      })),
      ...[convnet, ...shipped.models].map((m) => ({
        name: m.name,
        file: () => m.fileBytes,
        x: () => shippedInputs(m, 1),
        batch: 1,
      })),
    ];
    return {
      cases,
      notes,
      async finish() {
        const profiles: LayerProfile[] = [];
        for (const t of profileTargets) {
          const p = profileModel(t.name, t.file(), t.x(), t.batch, ctx.quick ? 5 : 20);
          if (!p) return { profileNote: "per-layer times: this @onebit/runtime has no Engine.profile()" };
          profiles.push(p);
        }
        return { profiles };
      },
    };
  },
};
