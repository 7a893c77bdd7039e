import { importOptional } from "../harness/optional-import.js";
import type { CaseSpec } from "../harness/types.js";

/**
 * @onebit/tensor runs large GEMMs (and the GEMMs inside conv2d) on worker threads once
 * `enableThreads(n)` from its Node.js entry is called. The switch is process-wide, so a threaded
 * case turns it on in its setup and off again in its dispose: every other case stays single-threaded.
 */
interface TensorNode {
  enableThreads(count: number): number;
  disableThreads(): Promise<void>;
}

let loaded: Promise<TensorNode | string> | undefined;

export function loadTensorNode(): Promise<TensorNode | string> {
  loaded ??= importOptional<TensorNode>("@onebit/tensor/node").then((r) => {
    if (!r.ok) return r.reason;
    return typeof r.module.enableThreads === "function" && typeof r.module.disableThreads === "function"
      ? r.module
      : "@onebit/tensor/node has no enableThreads()";
  });
  return loaded;
}

/** The same case on `threads` @onebit/tensor threads. */
export function withTensorThreads<T>(spec: CaseSpec<T>, threads: number): CaseSpec<T> {
  return {
    ...spec,
    impl: `${spec.impl}-${threads}t`,
    label: `${spec.label}, ${threads} threads`,
    threads,
    baseline: false,
    async setup() {
      const tn = await loadTensorNode();
      if (typeof tn === "string") throw new Error(`@onebit/tensor threads unavailable: ${tn}`);
      const got = tn.enableThreads(threads);
      if (got !== threads) {
        await tn.disableThreads();
        throw new Error(`@onebit/tensor enableThreads(${threads}) gave ${got} threads`);
      }
      try {
        const prepared = await spec.setup();
        return {
          ...prepared,
          dispose: async () => {
            try {
              await prepared.dispose?.();
            } finally {
              await tn.disableThreads();
            }
          },
        };
      } catch (e) {
        await tn.disableThreads();
        throw e;
      }
    },
  };
}
