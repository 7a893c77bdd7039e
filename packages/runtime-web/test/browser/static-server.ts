import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Files by URL path ("/index.html"), with their content type. */
export type Files = ReadonlyMap<string, { readonly body: Uint8Array | string; readonly type: string }>;

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The two headers that make a page cross-origin isolated (and so give it SharedArrayBuffer). */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** Serves `files` on 127.0.0.1 (a free port), adding `headers` to every response. */
export async function serveFiles(files: Files, headers: Record<string, string> = {}): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const file = files.get(path === "/" ? "/index.html" : path);
    if (!file) {
      res.writeHead(404, { "Content-Type": "text/plain", ...headers }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store", ...headers }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
