/**
 * The job descriptor shared by the main thread and the GEMM workers: one 128-byte slot of Int32
 * fields per thread (two cache lines of its own, so threads never write to the same line), at a
 * fixed offset in the shared WebAssembly memory. Slot 0 belongs to the calling thread.
 */
export const SLOT_INTS = 32;
export const Field = {
  /** Job generation, bumped by the main thread to start a job; QUIT asks the worker to exit. */
  seq: 0,
  /** Set by the worker to the generation it finished, or FAILED. */
  done: 1,
  a: 2,
  b: 3,
  c: 4,
  m: 5,
  n: 6,
  k: 7,
  transA: 8,
  transB: 9,
  /** float32 bits of alpha (read through a Float32Array over the same slot). */
  alpha: 10,
  scratch: 11,
  i0: 12,
  i1: 13,
  j0: 14,
  j1: 15,
  /** 1: zero the block of C first (C = alpha·op(A)·op(B)); 0: accumulate into it. */
  overwrite: 16,
  /** Set to 1 by the worker once its module is instantiated (until then, waits allow for startup). */
  ready: 17,
} as const;
export const QUIT = -1;
export const FAILED = -2;

/**
 * The worker's whole program, run with `eval: true` (CommonJS) so the package ships no separate
 * worker file that bundlers or test runners would have to resolve. It instantiates the shared-memory
 * build over the pool's memory, then sleeps in `Atomics.wait` until its slot's generation changes,
 * runs its block of C and reports back.
 */
export const GEMM_WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, slot } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ints = new Int32Array(memory.buffer, control + slot * ${SLOT_INTS * 4}, ${SLOT_INTS});
const floats = new Float32Array(ints.buffer, ints.byteOffset, ${SLOT_INTS});
Atomics.store(ints, ${Field.ready}, 1);
let seen = 0;
for (;;) {
  Atomics.wait(ints, ${Field.seq}, seen);
  const seq = Atomics.load(ints, ${Field.seq});
  if (seq === seen) continue;
  seen = seq;
  if (seq === ${QUIT}) break;
  let status = seq;
  try {
    if (ints[${Field.overwrite}]) kernel.zeroBlock(ints[${Field.c}], ints[${Field.n}], ints[${Field.i0}], ints[${Field.i1}], ints[${Field.j0}], ints[${Field.j1}]);
    kernel.sgemmPart(ints[${Field.a}], ints[${Field.b}], ints[${Field.c}], ints[${Field.m}], ints[${Field.n}],
      ints[${Field.k}], ints[${Field.transA}], ints[${Field.transB}], floats[${Field.alpha}], ints[${Field.scratch}],
      ints[${Field.i0}], ints[${Field.i1}], ints[${Field.j0}], ints[${Field.j1}]);
  } catch {
    status = ${FAILED};
  }
  Atomics.store(ints, ${Field.done}, status);
  Atomics.notify(ints, ${Field.done});
}
`;
