import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InferenceSession, RuntimeError, loadModelBytes } from "../src/index.js";

// Every way a page can hand over a model, and the errors when it can't. Node.js 20 has fetch,
// Response and Blob like a browser.

const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 255);
let base = "";
let close: () => Promise<void>;

beforeAll(async () => {
  const server = createServer((req, res) => {
    if (req.url === "/model.onebit")
      res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(bytes);
    // A single-page app's fallback: any path answers 200 with its HTML.
    else if (req.url === "/app/model.onebit")
      res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>app</title>");
    else res.writeHead(404, "Not Found").end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(() => close());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    return (error as RuntimeError).code;
  }
}

describe("loadModelBytes", () => {
  it("reads bytes, views, buffers, blobs, responses and URLs", async () => {
    const sources = [
      bytes,
      bytes.slice().buffer,
      new DataView(bytes.slice().buffer),
      new Blob([bytes]),
      new Response(bytes),
      Promise.resolve(new Response(bytes)),
      `${base}/model.onebit`,
      new URL("/model.onebit", base),
      fetch(`${base}/model.onebit`),
    ];
    for (const source of sources) expect(await loadModelBytes(source)).toEqual(bytes);
  });

  it("keeps a view's window into a larger buffer", async () => {
    const padded = new Uint8Array(bytes.length + 20);
    padded.set(bytes, 10);
    expect(await loadModelBytes(padded.subarray(10, 10 + bytes.length))).toEqual(bytes);
    expect(await loadModelBytes(new DataView(padded.buffer, 10, bytes.length))).toEqual(bytes);
  });

  it("reports HTTP errors and unreachable servers as IO_ERROR, naming the URL", async () => {
    await expect(loadModelBytes(`${base}/missing.onebit`)).rejects.toThrow(
      /missing\.onebit: HTTP 404 Not Found/,
    );
    expect(await codeOf(loadModelBytes(`${base}/missing.onebit`))).toBe("IO_ERROR");
    expect(await codeOf(loadModelBytes("http://127.0.0.1:1/model.onebit"))).toBe("IO_ERROR");
  });

  it("refuses a consumed response and sources of the wrong type", async () => {
    const used = new Response(bytes);
    await used.arrayBuffer();
    expect(await codeOf(loadModelBytes(used))).toBe("INVALID_ARGUMENT");
    for (const bad of [42, null, {}, [1, 2, 3], Promise.resolve("text")]) {
      expect(await codeOf(loadModelBytes(bad as never))).toBe("INVALID_ARGUMENT");
    }
  });

  it("reports a rejected fetch promise as IO_ERROR; an abort passes through", async () => {
    const failed = loadModelBytes(Promise.reject(new TypeError("fetch failed")));
    expect(await codeOf(failed)).toBe("IO_ERROR");
    await expect(loadModelBytes(Promise.reject(new TypeError("fetch failed")))).rejects.toThrow(
      /model: the promised Response failed: TypeError: fetch failed/,
    );
    expect(await codeOf(loadModelBytes(fetch("http://127.0.0.1:1/model.onebit")))).toBe("IO_ERROR");
    const controller = new AbortController();
    controller.abort();
    await expect(
      loadModelBytes(fetch(`${base}/model.onebit`, { signal: controller.signal })),
    ).rejects.toMatchObject({ name: "AbortError" });
  });

  it("passes garbage bytes through: the session rejects them as INVALID_MODEL, naming the URL", async () => {
    expect(await loadModelBytes(`${base}/model.onebit`)).toEqual(bytes);
    expect(await codeOf(InferenceSession.create(`${base}/model.onebit`))).toBe("INVALID_MODEL");
    await expect(InferenceSession.create(`${base}/model.onebit`)).rejects.toThrow(
      new RegExp(`^model ${base}/model\\.onebit: magic: byte 0 is 0x00, not a \\.onebit file`),
    );
    await expect(InferenceSession.create(`${base}/app/model.onebit`)).rejects.toThrow(
      /model http:.*\/app\/model\.onebit: magic: .* \(the server sent a text page, not a \.onebit file: is the URL right\?\)$/,
    );
    const response = await fetch(`${base}/model.onebit`);
    await expect(InferenceSession.create(response)).rejects.toThrow(/^model http:.*\/model\.onebit: magic/);
    // Bytes handed over directly have no name to give.
    await expect(InferenceSession.create(bytes)).rejects.toThrow(/^model bytes: magic/);
  });

  it("passes an abort signal to fetch", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadModelBytes(`${base}/model.onebit`, { signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
  });
});
