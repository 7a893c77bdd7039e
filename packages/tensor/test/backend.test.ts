import { afterEach, describe, expect, it } from "vitest";
import { getBackendInfo, setBackend } from "../src/backend.js";
import { TensorError } from "../src/errors.js";

afterEach(() => setBackend("auto"));

describe("backend selection", () => {
  it("uses WebAssembly SIMD in Node.js 20 and reports the choice", () => {
    // Node.js 20 (V8 11) validates SIMD, so the embedded module must instantiate here.
    expect(getBackendInfo()).toEqual({
      gemm: "wasm-simd",
      threads: 1,
      simd: true,
      native: { available: false, reason: expect.stringMatching(/not registered/) },
      trainKernels: "default",
    });
    setBackend("typescript");
    expect(getBackendInfo().gemm).toBe("typescript");
    setBackend("wasm-simd");
    expect(getBackendInfo().gemm).toBe("wasm-simd");
  });

  it("rejects unknown backends", () => {
    expect(() => setBackend("gpu" as never)).toThrow(TensorError);
    expect(() => setBackend("gpu" as never)).toThrow(/unknown backend gpu/);
  });
});
