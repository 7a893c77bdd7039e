import { RuntimeError } from "./errors.js";
import { placeByLiveness } from "./memory-plan.js";
import type { PlanData } from "./plan.js";

// The layout pass of planning: where weights, per-thread scratch and activations live in the one
// WebAssembly memory. Activations are placed by liveness (memory-plan.ts): a value holds
// `capacity` samples and shares addresses only with values not alive at the same time; aliases
// (flatten, reshape) share their source's bytes.

/** Bytes reserved at the start of the memory (the control block lives there). */
export const RESERVED = 1024;
export const CONTROL = 512;
const ALIGN = 64;
/** Default cap on activation memory (both regions) that decides the pass size. */
const DEFAULT_ACTIVATION_BUDGET = 64 * 1024 * 1024;
const DEFAULT_MAX_CAPACITY = 256;
/** The most a WebAssembly memory holds. */
const MAX_BYTES = 65536 * 65536;

/** The first 64-byte-aligned offset ≥ `at` that is ≡ `phase` modulo 4096. */
function staggered(at: number, phase: number): number {
  const want = (((phase % 4096) + 4096) % 4096) & ~63;
  return at + ((want - (at % 4096) + 4096) % 4096);
}

export function alignUp(n: number, to = ALIGN): number {
  return Math.ceil(n / to) * to;
}

/** Where each weight, scratch slot and value lives. */
export interface Addresses {
  value(id: number): number;
  weight(id: number): number;
  /** Scratch buffer `id` of thread slot `slot`; −1 past the last slot. */
  scratch(id: number, slot: number): number;
}

export interface LayoutInput {
  readonly weights: readonly ArrayBufferView[];
  /** Per value: bytes per sample, or the value whose bytes it reuses (flatten). */
  readonly values: readonly { readonly sampleBytes: number; readonly aliasOf?: number }[];
  /** Per value: the first and last node (index) at which it is alive (aliases: ignored, their source's covers them). */
  readonly lifetimes: readonly (readonly [number, number])[];
  /** Bytes per thread slot of each scratch buffer, as a function of the pass capacity. */
  readonly scratch: readonly ((capacity: number) => number)[];
  readonly threadSlots: number;
  /** Samples per pass (default: as many as fit the activation budget, at most 256). */
  readonly capacity?: number;
}

export interface Layout {
  readonly addresses: Addresses;
  readonly weightAt: readonly number[];
  readonly weightBytes: number;
  readonly activationBytesPerSample: number;
  readonly capacity: number;
  /** Bytes of memory the plan needs. */
  readonly memoryBytes: number;
}

/** Lays out reserved/control, weights, scratch per slot, then the activations by liveness. */
export function layoutMemory(input: LayoutInput): Layout {
  const { threadSlots } = input;
  let top = RESERVED;
  const weightAt = input.weights.map((w) => {
    const at = top;
    top = alignUp(top + w.byteLength);
    return at;
  });
  const weightBytes = top - RESERVED;
  // Root values (not aliases) and their lifetimes; per-sample sizes first, to choose the capacity.
  const roots: number[] = [];
  input.values.forEach((v, id) => {
    if (v.aliasOf === undefined) roots.push(id);
  });
  const perSampleBytes = (id: number) => alignUp(input.values[id]!.sampleBytes, 16);
  const lives = (bytes: (id: number) => number) =>
    roots.map((id) => ({ bytes: bytes(id), first: input.lifetimes[id]![0], last: input.lifetimes[id]![1] }));
  const perSample = placeByLiveness(lives(perSampleBytes), 16).size;
  let capacity = input.capacity ?? Math.floor(DEFAULT_ACTIVATION_BUDGET / Math.max(perSample, 1));
  if (input.capacity === undefined) capacity = Math.min(DEFAULT_MAX_CAPACITY, capacity);
  capacity = Math.max(1, capacity);
  const scratchAt = input.scratch.map((size, i) => {
    const bytes = size(capacity);
    const at: number[] = [];
    for (let s = 0; s < threadSlots; s++) {
      top = staggered(top, 1024 + 64 * (i + s));
      at.push(top);
      top = alignUp(top + bytes);
    }
    return at;
  });
  const arena = staggered(top, 0);
  const placement = placeByLiveness(lives((id) => alignUp(capacity * perSampleBytes(id))));
  const valueAt: number[] = new Array(input.values.length);
  roots.forEach((id, k) => {
    valueAt[id] = arena + placement.offsets[k]!;
  });
  input.values.forEach((v, id) => {
    if (v.aliasOf !== undefined) valueAt[id] = valueAt[v.aliasOf]!;
  });
  top = alignUp(arena + placement.size);
  if (top > MAX_BYTES) {
    throw new RuntimeError(
      "OUT_OF_MEMORY",
      `the plan needs ${top} bytes (weights ${weightBytes}, ${capacity} samples of activations), more than a WebAssembly memory holds`,
    );
  }
  return {
    addresses: {
      value: (id) => valueAt[id]!,
      weight: (id) => weightAt[id]!,
      scratch: (id, slot) => (slot < threadSlots ? scratchAt[id]![slot]! : -1),
    },
    weightAt,
    weightBytes,
    activationBytesPerSample: perSample,
    capacity,
    memoryBytes: top,
  };
}

/** A memory for a plan: shared (for threads) or not, sized once, never grown. */
export function createPlanMemory(plan: PlanData, shared: boolean): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(plan.memoryBytes / 65536));
  try {
    return shared
      ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
      : new WebAssembly.Memory({ initial: pages });
  } catch (error) {
    throw new RuntimeError(
      "OUT_OF_MEMORY",
      `cannot allocate a ${pages}-page WebAssembly memory (${String(error)})`,
      {
        cause: error,
      },
    );
  }
}
