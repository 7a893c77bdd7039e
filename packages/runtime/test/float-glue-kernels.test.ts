import { beforeAll, describe, expect, it as vitestIt } from "vitest";
import { denseFloatRows, conv2dFloatRowsReference } from "../src/float-steps.js";
import {
  type FusedElementwiseStep,
  type FusedPart,
  fusedElementwiseRows,
  fusedElementwiseRowsReference,
} from "../src/fused-steps.js";
import { channelwiseRows, conv2dGenericRows } from "../src/graph-steps.js";
import type { MemoryViews } from "../src/memory-views.js";
import { isDepthwise } from "../src/depthwise-steps.js";
import { FLOAT_GLUE_OPS } from "../src/executor.js";
import { NativeGlueSteps } from "../src/native-glue.js";
import { WasmGlueSteps } from "../src/wasm-glue-steps.js";
import { loadWasmFloatGlue, wasmFloatGlue } from "../src/wasm-glue.js";
import type {
  ChannelwiseStep,
  Conv2dFloatStep,
  Conv2dGenericStep,
  DenseFloatStep,
  GenericPoolStep,
  Step,
} from "../src/plan.js";
import { floatMaxPoolRowsReference } from "../src/pool-steps.js";
import { OUT, agree, window } from "./float-step-harness.js";
import { NATIVE_MISSING, nativeGlue } from "./native-backend.js";
import { Rng } from "./random-models.js";

// The float glue — native (@onebit/native's csrc/glue.c) and WebAssembly (assembly/float-glue.ts) —
// against the runtime's TypeScript steps on
// random shapes — odd channel counts, one output channel, groups and channel multipliers, strides,
// dilations, 1×1 images, padding values, NaN/±0/±∞ inputs: the memory after the step must be
// identical bit for bit (NaN payloads aside), rows split in two calls.

type Runner = (v: MemoryViews, s: Step, r0: number, r1: number) => void;

/** Runs step `s` through the native glue (which must take it). */
function native(v: MemoryViews, s: Step, r0: number, r1: number): void {
  expect(FLOAT_GLUE_OPS.has(s.op), `the executor offers ${s.op} steps to the glue`).toBe(true);
  expect(new NativeGlueSteps(nativeGlue!, [s], v).run(0, r0, r1), `${s.op} runs natively`).toBe(true);
}

/** Runs step `s` through the WebAssembly glue, which takes all but depthwise convolutions (TypeScript's). */
function wasm(v: MemoryViews, s: Step, r0: number, r1: number): void {
  const depthwise = s.op === "conv2dGeneric" && isDepthwise(s);
  expect(
    new WasmGlueSteps(wasmFloatGlue(v.memory)!, [s], v).run(0, r0, r1),
    `${s.op} runs in WebAssembly`,
  ).toBe(!depthwise);
  if (depthwise) conv2dGenericRows(v, s, r0, r1);
}

/** NaN, ±0 and ±∞ written at random input positions before a step runs. */
function specials(rng: Rng, from: number, floats: number) {
  const at = Array.from({ length: 24 }, () => from + rng.int(0, Math.max(0, floats - 1)));
  const value = at.map(() => rng.pick([Number.NaN, 0, -0, Infinity, -Infinity]));
  return (v: MemoryViews) => {
    at.forEach((p, i) => {
      v.f32[p] = value[i]!;
    });
  };
}

/** Where the tests keep prelu slopes. */
const ALPHA = 278528;

/** Prelu slopes: random, with 0, −0, ±∞ and NaN among them. */
function slopes(rng: Rng, c: number): Float32Array {
  const a = rng.uniform(c, -1.5, 1.5);
  for (let k = 0; k < c; k++) if (rng.next() < 0.1) a[k] = rng.pick([0, -0, Infinity, -Infinity, Number.NaN]);
  return a;
}

function glueTests(run: Runner, only: (name: string) => boolean = () => true): void {
  const it = (name: string, body: () => void) => (only(name) ? vitestIt(name, body) : undefined);
  it("standalone batchNorm, mul, prelu, relu and clamp steps", () => {
    const rng = new Rng(26);
    const params = [262144, 266240, 270336, 274432];
    for (let trial = 0; trial < 80; trial++) {
      const c = rng.int(1, 70);
      const positions = rng.int(1, 30);
      const samples = rng.int(1, 3);
      const elements = positions * c;
      const fn = rng.pick(["batchNorm", "mul", "prelu", "relu", "clamp"] as const);
      const [lo, hi] =
        fn === "clamp"
          ? rng.pick([
              [0, 6],
              [-0.5, 1.5],
              [0, 1],
            ] as const)
          : [0, 0];
      const step: ChannelwiseStep = {
        op: "channelwise",
        node: "m",
        rowsPerSample: 1,
        costPerRow: 1,
        fn,
        src: 65536,
        dst: rng.next() < 0.3 ? 65536 : OUT,
        elements,
        channels: c,
        p: fn === "prelu" ? [ALPHA] : fn === "mul" ? [params[2]!] : params,
        epsilon: 1e-3,
        lo,
        hi,
      };
      const special = specials(rng, 65536 / 4, samples * elements);
      const variances = rng.uniform(c, 0.25, 2);
      const alphas = slopes(rng, c);
      const prepare = (v: MemoryViews) => {
        special(v);
        v.f32.set(variances, params[1]! / 4);
        v.f32.set(alphas, ALPHA / 4);
      };
      agree(
        rng,
        samples * elements,
        samples,
        step,
        (v, s, r0, r1) => {
          if (r0 === 0) prepare(v);
          run(v, s, r0, r1);
        },
        (v, s, r0, r1) => {
          prepare(v);
          channelwiseRows(v, s, r0, r1);
        },
        `trial ${trial} (${fn}, ${c} channels)`,
      );
    }
  });

  it("float convolutions (groups 1) on random geometries", () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 100; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const channels = rng.pick([1, 3, 5, 8, 17]);
      const n = rng.pick([1, 3, 4, 8, 13, 16, 32, 37]);
      const rows = rng.int(1, 2) * g.outH * g.outW;
      const step: Conv2dFloatStep = {
        op: "conv2dFloat",
        node: "c",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...g,
        channels,
        n,
        padValue: rng.pick([0, 0.5, -1.25]),
        x: 65536,
        w: 262144,
        bias: rng.next() < 0.5 ? 0 : 12288,
        out: OUT,
        epilogue: { kind: "float32" },
      };
      agree(rng, rows * n, rows, step, run, conv2dFloatRowsReference, `trial ${trial}`);
    }
  });

  it("grouped and depthwise convolutions (multipliers 1–16, dilations)", () => {
    const rng = new Rng(22);
    for (let trial = 0; trial < 120; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const groups = rng.pick([1, 2, 3, 8]);
      const cin = rng.pick([1, 1, 2, 3]);
      const per = rng.pick([1, 3, 4, 8, 16]);
      const channels = groups * cin;
      const n = groups * per;
      const rows = rng.int(1, 2) * g.outH * g.outW;
      const step: Conv2dGenericStep = {
        op: "conv2dGeneric",
        node: "g",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...g,
        dilationH: rng.int(1, 2),
        dilationW: rng.int(1, 2),
        groups,
        channels,
        n,
        padValue: rng.pick([0, 0.75]),
        x: 65536,
        w: 262144,
        bias: rng.next() < 0.5 ? 0 : 12288,
        out: OUT,
      };
      agree(rng, rows * n, rows, step, run, conv2dGenericRows, `trial ${trial}`);
    }
  });

  it("float dense layers (one column, K not a multiple of the vector width)", () => {
    const rng = new Rng(23);
    for (let trial = 0; trial < 40; trial++) {
      const k = rng.pick([1, 7, 33, 100]);
      const n = rng.pick([1, 5, 10, 64]);
      const rows = rng.int(1, 4);
      const step: DenseFloatStep = {
        op: "denseFloat",
        node: "d",
        rowsPerSample: 1,
        costPerRow: 1,
        x: 65536,
        k,
        n,
        w: 262144,
        bias: rng.next() < 0.5 ? 0 : 12288,
        out: OUT,
        epilogue: { kind: "float32" },
      };
      agree(rng, rows * n, rows, step, run, (v, s, r0, r1) => denseFloatRows(v, s, r0, r1), `trial ${trial}`);
    }
  });

  it("float max-pool (NaN, ±0 and ±∞ among the inputs)", () => {
    const rng = new Rng(24);
    for (let trial = 0; trial < 100; trial++) {
      const g = window(rng);
      if (g.outH < 1 || g.outW < 1) continue;
      const channels = rng.pick([1, 3, 8, 17, 64]);
      const rows = rng.int(1, 2) * g.outH * g.outW;
      const { kernelH, kernelW, ...rest } = g;
      const step: GenericPoolStep = {
        op: "genericPool",
        kind: "float32",
        node: "pool",
        rowsPerSample: g.outH * g.outW,
        costPerRow: 1,
        ...rest,
        poolH: kernelH,
        poolW: kernelW,
        depth: channels,
        input: 65536,
        out: OUT,
      };
      const special = specials(rng, 16384, 2 * 81 * channels);
      agree(
        rng,
        rows * channels,
        rows,
        step,
        (v, s, r0, r1) => {
          if (r0 === 0) special(v);
          run(v, s, r0, r1);
        },
        (v, s, r0, r1) => {
          special(v);
          floatMaxPoolRowsReference(v, s, r0, r1);
        },
        `trial ${trial}`,
      );
    }
  });

  it("fused clamp → batchNorm | mul → add → clamp → prelu → sign chains", () => {
    const rng = new Rng(25);
    for (let trial = 0; trial < 150; trial++) {
      const c = rng.pick([1, 5, 32, 33, 64, 70]);
      const positions = rng.int(1, 30);
      const samples = rng.int(1, 3);
      const elements = positions * c;
      if (samples * elements > 16384) continue;
      const params = [262144, 266240, 270336, 274432];
      const clampMap = (): FusedPart => {
        const kind = rng.pick(["relu", "clamp0", "clamp", "clampNeg0"] as const);
        const [lo, hi] =
          kind === "relu" ? [0, 0] : kind === "clamp0" ? [0, 6] : kind === "clamp" ? [-0.5, 1.5] : [-0, 2];
        return {
          kind: "map",
          fn: kind === "relu" ? "relu" : "clamp",
          channels: c,
          p: [],
          epsilon: 0,
          lo,
          hi,
        };
      };
      const parts: FusedPart[] = [];
      if (rng.next() < 0.7) parts.push(clampMap());
      const scale = rng.pick(["bn", "bnPlain", "mul", "none"] as const);
      if (scale === "mul")
        parts.push({ kind: "map", fn: "mul", channels: c, p: [params[2]!], epsilon: 0, lo: 0, hi: 0 });
      else if (scale !== "none")
        parts.push({
          kind: "map",
          fn: "batchNorm",
          channels: c,
          p: params,
          epsilon: scale === "bn" ? 1e-3 : 2 ** -24,
          lo: 0,
          hi: 0,
        });
      if (rng.next() < 0.6) parts.push({ kind: "add", other: 131072 });
      if (rng.next() < 0.3) parts.push(clampMap());
      if (rng.next() < 0.5)
        parts.push({ kind: "map", fn: "prelu", channels: c, p: [ALPHA], epsilon: 0, lo: 0, hi: 0 });
      if (parts.length === 0) parts.push({ kind: "add", other: 131072 });
      const wpp = Math.ceil(c / 32) + rng.int(0, 1);
      const sampleWords = positions * wpp + rng.int(0, 2);
      const signKind = rng.pick(["none", "zero", "thresholds"] as const);
      const step: FusedElementwiseStep = {
        op: "fusedElementwise",
        node: "f",
        fused: ["f"],
        rowsPerSample: 1,
        costPerRow: 1,
        src: 65536,
        dst: OUT,
        elements,
        channels: c,
        parts,
        ...(signKind === "none"
          ? {}
          : {
              sign: {
                dst: 196608,
                thresholds: signKind === "zero" ? 0 : 4096,
                flip: signKind === "zero" ? 0 : 8192,
                layout: { pixels: positions, channels: c, wpp, sampleWords },
              },
            }),
      };
      const special = specials(rng, 65536 / 4, samples * elements);
      // Positive variances (LCE's form: mean 0, variance 1 − ε), flip bytes 0/1; written the same
      // way however often `prepare` runs.
      const variances =
        scale === "bnPlain" ? new Float32Array(c).fill(1 - 2 ** -24) : rng.uniform(c, 0.25, 2);
      const flips = Uint8Array.from({ length: c }, () => rng.int(0, 1));
      const alphas = slopes(rng, c);
      const prepare = (v: MemoryViews) => {
        special(v);
        v.f32.set(variances, params[1]! / 4);
        if (scale === "bnPlain") v.f32.fill(0, params[0]! / 4, params[0]! / 4 + c);
        v.u8.set(flips, 8192);
        v.f32.set(alphas, ALPHA / 4);
      };
      agree(
        rng,
        samples * elements,
        samples,
        step,
        (v, s, r0, r1) => {
          if (r0 === 0) prepare(v);
          run(v, s, r0, r1);
        },
        (v, s, r0, r1) => {
          prepare(v);
          fusedElementwiseRowsReference(v, s, r0, r1);
        },
        `trial ${trial} (${parts.map((p) => (p.kind === "map" ? `${p.fn}[${p.lo},${p.hi}]` : "add")).join(" → ")}, sign ${signKind})`,
      );
    }
  });
}

describe("TypeScript single pass = the separate steps", () => {
  const ts: Runner = (v, s, r0, r1) => {
    if (s.op === "fusedElementwise") fusedElementwiseRows(v, s, r0, r1);
    else if (s.op === "channelwise") channelwiseRows(v, s, r0, r1);
    else throw new Error(`no TypeScript runner for ${s.op}`);
  };
  const chains = (name: string) => name.startsWith("fused") || name.startsWith("standalone");
  glueTests(ts, chains);
});

describe("WebAssembly float glue = the TypeScript steps", () => {
  beforeAll(async () => {
    await loadWasmFloatGlue();
    expect(wasmFloatGlue(new WebAssembly.Memory({ initial: 1 })), "the glue's bytes loaded").toBeDefined();
  });
  glueTests(wasm);
});

describe.skipIf(NATIVE_MISSING !== undefined)(
  `native float glue = the TypeScript steps${NATIVE_MISSING ? ` (skipped: ${NATIVE_MISSING})` : ""}`,
  () => glueTests(native),
);
