import { RuntimeError } from "@onebit/runtime";

/**
 * Where a model comes from: a URL (string, relative to the page, or `URL`), a `fetch` `Response`
 * (or the promise of one, e.g. `fetch(url)` itself), a `Blob`/`File` (an `<input type="file">`),
 * or the .onebit bytes (`Uint8Array`, any `ArrayBufferView`, `ArrayBuffer`).
 */
export type ModelSource =
  | string
  | URL
  | Response
  | PromiseLike<Response>
  | Blob
  | ArrayBuffer
  | ArrayBufferView;

export interface FetchOptions {
  /** Cancels the download. */
  readonly signal?: AbortSignal;
  /** Extra `fetch` options for URL sources (credentials, headers, cache…). */
  readonly fetchOptions?: RequestInit;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "an object";
  return typeof x;
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}

async function fromResponse(response: Response, where: string): Promise<Uint8Array> {
  if (!response.ok) {
    throw new RuntimeError(
      "IO_ERROR",
      `${where}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
    );
  }
  if (response.bodyUsed)
    throw new RuntimeError("INVALID_ARGUMENT", `${where}: the response body was already read`);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new RuntimeError("IO_ERROR", `${where}: reading the body failed: ${String(error)}`, {
      cause: error,
    });
  }
}

/** Reads the .onebit bytes of a model source (downloading it if it is a URL). */
export async function loadModelBytes(source: ModelSource, options: FetchOptions = {}): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === "string" || source instanceof URL) {
    const url = String(source);
    if (typeof fetch !== "function") {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `model ${url}: this environment has no fetch; pass the bytes instead`,
      );
    }
    let response: Response;
    try {
      response = await fetch(url, {
        ...options.fetchOptions,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new RuntimeError("IO_ERROR", `model ${url}: the download failed: ${String(error)}`, {
        cause: error,
      });
    }
    return fromResponse(response, `model ${url}`);
  }
  if (typeof Response === "function" && source instanceof Response) {
    return fromResponse(source, `model response${source.url ? ` from ${source.url}` : ""}`);
  }
  if (typeof Blob === "function" && source instanceof Blob) {
    return new Uint8Array(await source.arrayBuffer());
  }
  if (isPromiseLike(source)) {
    let resolved: unknown;
    try {
      resolved = await source;
    } catch (error) {
      // An abort is the caller's own doing: pass it through, as for `signal`.
      if ((error as { name?: unknown } | null)?.name === "AbortError") throw error;
      throw new RuntimeError("IO_ERROR", `model: the promised Response failed: ${String(error)}`, {
        cause: error,
      });
    }
    if (typeof Response === "function" && resolved instanceof Response)
      return loadModelBytes(resolved, options);
    throw new RuntimeError(
      "INVALID_ARGUMENT",
      `model: the promise resolved to ${describe(resolved)}, expected a Response`,
    );
  }
  throw new RuntimeError(
    "INVALID_ARGUMENT",
    `model: expected a URL, Response, Blob, ArrayBuffer or Uint8Array, got ${describe(source)}`,
  );
}
