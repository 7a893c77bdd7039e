import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A file the server hands out: bytes in memory, or a file on disk read when asked for. */
export type Served =
  | { readonly body: Uint8Array | string; readonly type: string }
  | { readonly path: string };

// Cross-origin isolation (SharedArrayBuffer, hence WebAssembly threads in every engine measured).
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".html": "text/html",
};

function typeOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return TYPES[path.slice(dot)] ?? "application/octet-stream";
}

export interface LocalServer {
  readonly origin: string;
  /** Adds or replaces a file at `path` (absolute, e.g. "/data/x.bin"). */
  set(path: string, file: Served): void;
  remove(path: string): void;
  /** Paths asked for that were not there (a page looking for something it would otherwise download). */
  readonly missing: string[];
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 for the benchmark page, every response cross-origin isolated. */
export async function startLocalServer(files: Map<string, Served>): Promise<LocalServer> {
  const missing: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const file = files.get(path);
    if (!file) {
      missing.push(path);
      res.writeHead(404, ISOLATION).end();
      return;
    }
    const send = (body: Uint8Array | string, type: string) =>
      res.writeHead(200, { ...ISOLATION, "Content-Type": type }).end(body);
    if ("path" in file) {
      readFile(file.path).then(
        (b) => send(b, typeOf(file.path)),
        () => res.writeHead(500, ISOLATION).end(),
      );
    } else send(file.body, file.type);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    set: (path, file) => files.set(path, file),
    remove: (path) => files.delete(path),
    missing,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
