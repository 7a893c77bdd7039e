import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LaunchedBrowser,
  SKIP_MESSAGE,
  chromiumPath,
  launchChromium,
} from "../../../scripts/test-support/chromium.js";
import { ISOLATION_HEADERS, type StaticServer, serveFiles } from "./browser/static-server.js";

// The README's first example, run as written in headless Chromium, on a cross-origin isolated page
// that serves the repository's models/mnist-tiny.onebit at the URL the example fetches. Its import of
// this package is bundled from src/ (CI may be rebuilding dist/ meanwhile; test:pack checks dist/).

if (!chromiumPath) console.warn(SKIP_MESSAGE);

const packageDir = join(import.meta.dirname, "..");
const readme = readFileSync(join(packageDir, "README.md"), "utf8");

/** The first ```js / ```ts block of the README. */
function firstExample(markdown: string): string {
  const match = /^```(?:js|ts|javascript|typescript)\n([\s\S]*?)^```$/m.exec(markdown);
  if (!match) throw new Error("README.md has no ```js example");
  return match[1]!;
}

/** The example bundled for the browser, its `@onebit/runtime-web` import pointed at src/. */
async function bundleExample(example: string): Promise<Uint8Array> {
  const source = join(packageDir, "src", "index.ts");
  const code = example.replaceAll('from "@onebit/runtime-web"', `from ${JSON.stringify(source)}`);
  const bundle = await build({
    stdin: { contents: `${code}\ndocument.title = "done";\n`, resolveDir: packageDir, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "warning",
  });
  return bundle.outputFiles[0]!.contents;
}

describe.skipIf(!chromiumPath)("README example", () => {
  let launched: LaunchedBrowser;
  let server: StaticServer;

  beforeAll(async () => {
    const example = firstExample(readme);
    expect(example).toContain('InferenceSession.create("/models/mnist-tiny.onebit")');
    const model = readFileSync(join(packageDir, "..", "..", "models", "mnist-tiny.onebit"));
    const files = new Map([
      [
        "/index.html",
        {
          body: `<!doctype html><title>loading</title><script type="module" src="./main.js"></script>`,
          type: "text/html",
        },
      ],
      ["/main.js", { body: await bundleExample(example), type: "text/javascript" }],
      ["/models/mnist-tiny.onebit", { body: new Uint8Array(model), type: "application/octet-stream" }],
    ]);
    [launched, server] = await Promise.all([launchChromium(), serveFiles(files, ISOLATION_HEADERS)]);
  });

  afterAll(async () => {
    await Promise.all([launched?.close(), server?.close()]);
  });

  it("runs in the browser and logs what the README says", async () => {
    const page = await launched.context.newPage();
    const errors: string[] = [];
    const logged: Promise<unknown[]>[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (message) => {
      if (message.type() === "log") logged.push(Promise.all(message.args().map((a) => a.jsonValue())));
    });
    await page.goto(`${server.url}/`, { timeout: 120_000 });
    await page
      .waitForFunction(() => document.title === "done", undefined, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the README example did not finish: ${errors.join("; ") || "no page error"}`);
      });
    await page.close();
    expect(errors).toEqual([]);
    const [inputInfo, prediction, backend] = await Promise.all(logged);
    expect(inputInfo![0]).toMatchObject({ dtype: "uint8", shape: [28, 28, 1], size: 784 });
    expect(prediction![0]).toEqual(expect.any(Number));
    const top = prediction![1] as { index: number; label: string; probability: number; logit: number }[];
    expect(top).toHaveLength(3);
    expect(top[0]).toEqual({
      index: prediction![0],
      label: String(prediction![0]),
      probability: expect.any(Number),
      logit: expect.any(Number),
    });
    expect(backend![0]).toMatchObject({
      backend: expect.any(String),
      threads: expect.any(Number),
      requestedThreads: expect.any(Number),
      crossOriginIsolated: true,
      reason: expect.any(String),
      threadedRuns: expect.any(Number),
    });
    expect(logged).toHaveLength(3);
  });
});
