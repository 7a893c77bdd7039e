// Node.js's side of the native registry: environment variables, data shared with worker threads, and
// loading the addon file. Only the "node" build of @onebit/bitops contains this module (the browser
// build's native-addon.browser.ts needs no host), so browser bundles see no Node.js.

/** What the native registry needs from its host. */
export interface NativeHost {
  env(key: string): string | undefined;
  /** Worker threads' environment data (inherited by threads started later). */
  getShared(key: string): unknown;
  setShared(key: string, value: string): void;
  dlopen(module: { exports: unknown }, filename: string): void;
}

interface NodeProcess {
  env: Record<string, string | undefined>;
  dlopen(module: { exports: unknown }, filename: string): void;
  getBuiltinModule?: (id: string) => unknown;
}
interface WorkerThreads {
  getEnvironmentData(key: string): unknown;
  setEnvironmentData(key: string, value: string): void;
}

function workerThreads(process: NodeProcess): WorkerThreads | undefined {
  try {
    return process.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
  } catch {
    return undefined; // Node.js < 20.16: workers then import '@onebit/native/register' themselves
  }
}

/** The host, or undefined where this is not Node.js. */
export function nativeHost(): NativeHost | undefined {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (!process || typeof process.dlopen !== "function") return undefined;
  return {
    env: (key) => process.env[key],
    getShared: (key) => workerThreads(process)?.getEnvironmentData(key),
    setShared: (key, value) => workerThreads(process)?.setEnvironmentData(key, value),
    dlopen: (module, filename) => process.dlopen(module, filename),
  };
}
