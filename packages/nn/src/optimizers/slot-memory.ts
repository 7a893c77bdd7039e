import { activeNativeTrainKernels, nativeThreads } from "@onebit/tensor";
import { NnError } from "../errors.js";
import type { Param } from "../param.js";
import { align16, instantiateKernels, type KernelExports, PAGE } from "../kernel-module.js";
import type { OptimizerState } from "./optimizer.js";

/** Adam's per-step constants, rounded to f32 the way the WebAssembly kernel receives them. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  lr: number;
  epsHat: number;
  lo: number;
  hi: number;
}

/**
 * An optimizer's per-parameter slots (zero-initialized, kept by `<param name>/<slot>`) in one linear
 * memory, next to a scratch area the parameter's weights and gradient are copied into for the
 * update: the slots never move per step. The memory is the embedded WebAssembly module's where
 * SIMD is available (f32x4 kernels), else a plain buffer updated by the same f32 arithmetic in
 * TypeScript (every operation rounded to f32), so both give identical bits.
 */
export class SlotMemory {
  private readonly wasm: KernelExports | null;
  private readonly useNative: boolean;
  private buffer: ArrayBuffer;
  private readonly base: number;
  private top: number;
  private readonly offsets = new Map<string, { offset: number; length: number }>();
  private scratch = -1;
  private scratchLength = 0;

  /** `wasm: false`: the TypeScript loop only; `native: false`: never @onebit/native's kernel. */
  constructor(options: { wasm?: boolean; native?: boolean } = {}) {
    this.useNative = options.native ?? options.wasm !== false;
    this.wasm = options.wasm === false ? null : instantiateKernels();
    this.buffer = this.wasm ? (this.wasm.memory.buffer as ArrayBuffer) : new ArrayBuffer(PAGE);
    this.base = align16(this.wasm ? this.wasm.heapBase() : 0);
    this.top = this.base;
  }

  /** "native", "wasm-simd" or "typescript": which arithmetic `adam` runs now. */
  get backend(): "native" | "wasm-simd" | "typescript" {
    if (this.useNative && activeNativeTrainKernels()) return "native";
    return this.wasm ? "wasm-simd" : "typescript";
  }

  private reserve(bytes: number): number {
    const offset = this.top;
    const end = offset + align16(bytes);
    if (end > this.buffer.byteLength) {
      const pages = Math.ceil((end - this.buffer.byteLength) / PAGE);
      if (this.wasm) {
        this.wasm.memory.grow(pages);
        this.buffer = this.wasm.memory.buffer as ArrayBuffer;
      } else {
        const grown = new ArrayBuffer(this.buffer.byteLength + pages * PAGE);
        new Uint8Array(grown).set(new Uint8Array(this.buffer));
        this.buffer = grown;
      }
    }
    this.top = end;
    return offset;
  }

  /** A float view into the memory (valid until the memory next grows). */
  view(offset: number, length: number): Float32Array {
    return new Float32Array(this.buffer, offset, length);
  }

  /** Byte offset of the slot `<param name>/<slot>`, created zero-filled on first use. */
  slot(param: Param, slot: string): number {
    const key = `${param.name}/${slot}`;
    const length = param.value.length;
    let entry = this.offsets.get(key);
    if (!entry) {
      entry = { offset: this.reserve(length * 4), length };
      this.view(entry.offset, length).fill(0);
      this.offsets.set(key, entry);
    } else if (entry.length !== length) {
      throw new NnError(
        "STATE_MISMATCH",
        `optimizer slot "${key}" holds ${entry.length} values, the parameter has ${length}`,
      );
    }
    return entry.offset;
  }

  /** Copies the parameter's weights and gradient into the scratch area: [weights, gradient] offsets. */
  stage(param: Param): [number, number] {
    const n = param.value.length;
    if (n > this.scratchLength) {
      this.scratch = this.reserve(2 * align16(n * 4));
      this.scratchLength = n;
    }
    const w = this.scratch;
    const g = w + align16(this.scratchLength * 4);
    this.view(w, n).set(param.value);
    this.view(g, n).set(param.grad);
    return [w, g];
  }

  /**
   * Adam over one parameter: in place on @onebit/native's kernel where active (Node.js), else staged
   * into this memory for the WebAssembly kernel (see assembly/adam.ts) or the TypeScript loop and the
   * weights copied back. All three give the same bits.
   */
  adam(param: Param, m: number, v: number, c: AdamConstants): void {
    const n = param.value.length;
    const native = this.useNative ? activeNativeTrainKernels() : null;
    if (native) {
      native.adamF32(
        param.value,
        param.grad,
        this.view(m, n),
        this.view(v, n),
        c.beta1,
        c.oneMinusBeta1,
        c.beta2,
        c.oneMinusBeta2,
        c.lr,
        c.epsHat,
        c.lo,
        c.hi,
        nativeThreads(),
      );
      return;
    }
    const [w, g] = this.stage(param);
    if (this.wasm) {
      this.wasm.adam(
        w,
        g,
        m,
        v,
        n,
        c.beta1,
        c.oneMinusBeta1,
        c.beta2,
        c.oneMinusBeta2,
        c.lr,
        c.epsHat,
        c.lo,
        c.hi,
      );
    } else {
      adamF32(new Float32Array(this.buffer), w >> 2, g >> 2, m >> 2, v >> 2, n, c);
    }
    param.value.set(this.view(w, n));
  }

  toRecord(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, { offset, length }] of this.offsets) out[k] = this.view(offset, length).slice();
    return out;
  }

  load(state: OptimizerState, type: string): void {
    if (state.type !== type) {
      throw new NnError(
        "STATE_MISMATCH",
        `optimizer state is for "${state.type}", this optimizer is "${type}"`,
      );
    }
    // Reuse the memory from the start; the next step stages its scratch area afresh.
    this.offsets.clear();
    this.top = this.base;
    this.scratch = -1;
    this.scratchLength = 0;
    for (const [k, values] of Object.entries(state.slots)) {
      const offset = this.reserve(values.length * 4);
      this.view(offset, values.length).set(values);
      this.offsets.set(k, { offset, length: values.length });
    }
  }
}

const fr = Math.fround;

/** The kernel's arithmetic in TypeScript: each operation rounded to f32, in the kernel's order. */
export function adamF32(
  f: Float32Array,
  w: number,
  g: number,
  m: number,
  v: number,
  n: number,
  c: AdamConstants,
): void {
  const beta1 = fr(c.beta1);
  const c1 = fr(c.oneMinusBeta1);
  const beta2 = fr(c.beta2);
  const c2 = fr(c.oneMinusBeta2);
  const lr = fr(c.lr);
  const eps = fr(c.epsHat);
  const lo = fr(c.lo);
  const hi = fr(c.hi);
  for (let i = 0; i < n; i++) {
    const gi = f[g + i]!;
    const mi = fr(fr(beta1 * f[m + i]!) + fr(c1 * gi));
    const vi = fr(fr(beta2 * f[v + i]!) + fr(fr(c2 * gi) * gi));
    f[m + i] = mi;
    f[v + i] = vi;
    const wi = fr(f[w + i]! - fr(fr(lr * mi) / fr(fr(Math.sqrt(vi)) + eps)));
    f[w + i] = Math.min(hi, Math.max(lo, wi));
  }
}
