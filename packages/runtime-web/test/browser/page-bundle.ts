import { join } from "node:path";
import { build } from "esbuild";

/** A served file: its body and content type. */
export interface PageFile {
  readonly body: Uint8Array | string;
  readonly type: string;
}

/**
 * The package bundled from src/ with code splitting, as users' bundlers do: `/runtime-web.js` and
 * the chunks it imports on demand (the worker code, the WebGPU backend), served beside it, and a
 * page that exposes the package to `page.evaluate` as `window.onebit`.
 */
export async function pageBundle(): Promise<Map<string, PageFile>> {
  const out = await build({
    entryPoints: { "runtime-web": join(import.meta.dirname, "..", "..", "src", "index.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    outdir: "/bundle",
    write: false,
    logLevel: "warning",
  });
  const files = new Map<string, PageFile>(
    out.outputFiles.map((f) => [
      f.path.replace(/^\/bundle/, ""),
      { body: f.contents, type: "text/javascript" },
    ]),
  );
  files.set("/index.html", {
    body: `<!doctype html><title>loading</title><script type="module" src="./main.js"></script>`,
    type: "text/html",
  });
  files.set("/main.js", {
    body: `import * as onebit from "./runtime-web.js"; window.onebit = onebit; document.title = "ready";`,
    type: "text/javascript",
  });
  return files;
}
