import type { GraphModel } from "@onebit/format";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GraphBuilder } from "../../format/test/graph-builder.js";
import { Engine } from "../src/index.js";
import { NATIVE_BACKENDS } from "./native-backend.js";

// `getBackendInfo().floatGlue` (Engine.floatGlue()) names what runs the float steps, and the
// WebAssembly glue never needs a synchronous compile (a browser's main thread refuses those for
// modules over 4 KB; the glue is close to that size, and a refused compile would silently leave the
// float steps in TypeScript).

/** A float convolution, a batch norm and a ReLU (steps the float glue runs). */
function floatModel(): GraphModel {
  const g = new GraphBuilder([{ name: "x", dtype: "float32", shape: [6, 5, 3] }], 7);
  const t = g.t;
  const conv = g.add({
    op: "conv2d",
    name: "conv",
    inputs: ["x"],
    weights: t.float("conv.w", [4, 3, 3, 3]),
    kernel: [3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    groups: 1,
    padding: "same",
    padValue: 0,
  });
  const relu = g.add({ op: "relu", name: "relu", inputs: [conv] });
  return g.build([relu]);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe("getBackendInfo().floatGlue", () => {
  it.each(["wasm-i64", "wasm-simd"] as const)(
    "%s: the WebAssembly glue, once Engine.create has loaded it",
    async (backend) => {
      const engine = await Engine.create(floatModel(), { backend });
      expect(engine.floatGlue()).toEqual({ kernels: "wasm", reason: expect.stringContaining("WebAssembly") });
    },
  );

  it("typescript: the TypeScript steps, saying why", async () => {
    const engine = await Engine.create(floatModel(), { backend: "typescript" });
    expect(engine.floatGlue()).toEqual({ kernels: "typescript", reason: "the TypeScript backend" });
  });

  it.skipIf(NATIVE_BACKENDS.length === 0)("native: the native glue", async () => {
    const engine = await Engine.create(floatModel(), { backend: "native" });
    expect(engine.floatGlue().kernels).toBe("native");
  });

  it("the glue loads and runs where synchronous compiles are refused (a browser's main thread)", async () => {
    // Fresh module state, so that the glue is loaded again under the stub.
    vi.resetModules();
    const refused = vi.spyOn(WebAssembly, "Module").mockImplementation(() => {
      throw new RangeError(
        "WebAssembly.Module is disallowed on the main thread, if the buffer size is larger than 4KB",
      );
    });
    const glue = await import("../src/wasm-glue.js");
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(glue.wasmGlueUnavailable(memory)).toMatch(/still loading/);
    await glue.loadWasmFloatGlue();
    expect(glue.wasmGlueUnavailable(memory)).toBeUndefined();
    expect(glue.wasmFloatGlue(memory)?.conv).toBeTypeOf("function");
    expect(refused).not.toHaveBeenCalled();
  });

  it("a glue that cannot compile says why, and the float steps stay in TypeScript", async () => {
    vi.resetModules();
    vi.spyOn(WebAssembly, "compile").mockRejectedValue(new WebAssembly.CompileError("no SIMD here"));
    const glue = await import("../src/wasm-glue.js");
    await glue.loadWasmFloatGlue();
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(glue.wasmGlueUnavailable(memory)).toMatch(/cannot compile it \(CompileError: no SIMD here\)/);
    expect(glue.wasmFloatGlue(memory)).toBeUndefined();
  });
});
