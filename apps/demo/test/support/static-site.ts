import { readFileSync, readdirSync, statSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, relative } from "node:path";

// Serves a built static site from memory on 127.0.0.1, with or without the headers that make
// it cross-origin isolated: the same files, two origins, two behaviours.

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

export type SiteFiles = Map<string, Uint8Array>;

/** Every file under `dir`, keyed by URL path ("/index.html"). */
export function readSite(dir: string): SiteFiles {
  const files: SiteFiles = new Map();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(`/${relative(dir, path).split("\\").join("/")}`, readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

export interface SiteServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveSite(files: SiteFiles, headers: Record<string, string> = {}): Promise<SiteServer> {
  const server: Server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    if (path.endsWith("/")) path += "index.html";
    const body = files.get(path);
    if (!body) {
      res.writeHead(404, { "Content-Type": "text/plain", ...headers }).end(`not found: ${path}`);
      return;
    }
    const type = TYPES[extname(path)] ?? "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store", ...headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
