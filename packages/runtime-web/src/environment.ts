// What this JavaScript environment allows for threads. Browsers expose SharedArrayBuffer (and so a
// shared WebAssembly.Memory) only on cross-origin isolated pages: served with
// `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.

export interface ThreadSupport {
  /** `globalThis.crossOriginIsolated` (false where it is undefined). */
  readonly crossOriginIsolated: boolean;
  /** SharedArrayBuffer exists and a shared WebAssembly.Memory can be made. */
  readonly sharedMemory: boolean;
  /** Web Workers can be started from a Blob URL. */
  readonly workers: boolean;
  /** `navigator.hardwareConcurrency` (1 where unknown). */
  readonly hardwareConcurrency: number;
  /** Whether a session can run on several threads here. */
  readonly available: boolean;
  /** Why (or why not). */
  readonly reason: string;
}

/** Threads a session uses by default where they are available: worth it up to a few cores. */
export const DEFAULT_MAX_THREADS = 4;

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== "function" || typeof WebAssembly !== "object") return false;
  try {
    return (
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
    );
  } catch {
    return false;
  }
}

export function detectThreadSupport(): ThreadSupport {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const crossOriginIsolated = g.crossOriginIsolated === true;
  const sharedMemory = canShareMemory();
  const workers =
    typeof Worker === "function" && typeof Blob === "function" && typeof URL?.createObjectURL === "function";
  const cores = g.navigator?.hardwareConcurrency;
  const hardwareConcurrency = typeof cores === "number" && cores >= 1 ? Math.floor(cores) : 1;
  let reason: string;
  if (!workers) reason = "Web Workers are not available here";
  else if (!sharedMemory) {
    reason = crossOriginIsolated
      ? "SharedArrayBuffer is not available"
      : "the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp), so SharedArrayBuffer is unavailable";
  } else if (hardwareConcurrency < 2) reason = "the device reports a single core";
  else reason = "the page is cross-origin isolated";
  return {
    crossOriginIsolated,
    sharedMemory,
    workers,
    hardwareConcurrency,
    available: workers && sharedMemory && hardwareConcurrency >= 2,
    reason,
  };
}

/** Threads a session gets when `threads` is not given. */
export function defaultThreads(support: ThreadSupport): number {
  return support.available ? Math.min(support.hardwareConcurrency, DEFAULT_MAX_THREADS) : 1;
}
