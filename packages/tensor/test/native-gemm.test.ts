import { availableParallelism } from "node:os";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { getBackendInfo, setBackend } from "../src/backend.js";
import { conv2d, conv2dBackward } from "../src/conv2d.js";
import type { Conv2dParams } from "../src/conv2d-params.js";
import { conv2dBackwardRef, conv2dRef } from "../src/conv2d-ref.js";
import { TensorError } from "../src/errors.js";
import { gemm } from "../src/gemm.js";
import { gemmRef } from "../src/gemm-ref.js";
import { type NativeGemmStatus, nativeGemmStatus, registerNativeGemm } from "../src/native-gemm.js";
import { disableThreads, enableThreads } from "../src/node.js"; // registers @onebit/native's float GEMM (built in this repository and in CI)
import { maxRelativeError, randomArray } from "./helpers.js";

const registered: NativeGemmStatus = nativeGemmStatus();

afterEach(() => {
  setBackend("auto");
  registerNativeGemm(registered);
});

describe("native GEMM from @onebit/tensor/node", () => {
  it("is registered and chosen by auto", () => {
    expect(registered.error).toBeUndefined();
    const info = getBackendInfo();
    expect(info.gemm).toBe("native");
    expect(info.native).toEqual({ available: true, isa: registered.gemm?.isa });
  });

  it("matches the reference over random shapes, transposes, alpha and beta, in place", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, -0.5),
        fc.constantFrom(0, 1, 0.25),
        (m, n, k, transA, transB, alpha, beta) => {
          const a = randomArray(m * k, m + 7 * k);
          const b = randomArray(k * n, n + 11 * k);
          const c = randomArray(m * n, m * n);
          const expected = c.slice();
          gemm(a, b, c, m, n, k, { transA, transB, alpha, beta });
          gemmRef(a, b, expected, m, n, k, { transA, transB, alpha, beta });
          expect(maxRelativeError(c, expected)).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("runs conv2d and conv2dBackward (im2col in WebAssembly, products native) like the reference", () => {
    const p: Conv2dParams = {
      batch: 3,
      inH: 11,
      inW: 9,
      inC: 5,
      outC: 7,
      kernelH: 3,
      kernelW: 3,
      strideH: 2,
      strideW: 1,
      padding: "same",
      padValue: 1,
    };
    const input = randomArray(3 * 11 * 9 * 5, 1);
    const weights = randomArray(3 * 3 * 5 * 7, 2);
    const out = conv2d(input, weights, p);
    expect(maxRelativeError(out, conv2dRef(input, weights, p))).toBeLessThan(1e-5);
    const gradOut = randomArray(out.length, 3);
    const got = conv2dBackward(input, weights, gradOut, p);
    const want = conv2dBackwardRef(input, weights, gradOut, p);
    expect(maxRelativeError(got.gradInput, want.gradInput)).toBeLessThan(1e-5);
    expect(maxRelativeError(got.gradWeights, want.gradWeights)).toBeLessThan(1e-5);
  });

  it("is what conv2d calls: a failing native GEMM surfaces from conv2d", () => {
    registerNativeGemm({
      gemm: {
        isa: "probe",
        sgemm: () => {
          throw new Error("native sgemm called");
        },
      },
    });
    const p: Conv2dParams = {
      batch: 1,
      inH: 8,
      inW: 8,
      inC: 4,
      outC: 8,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padding: "valid",
      padValue: 0,
    };
    expect(() => conv2d(randomArray(256, 4), randomArray(288, 5), p)).toThrow(/native sgemm called/);
  });

  it("uses every core by default; disableThreads and enableThreads(n) set the count it passes", async () => {
    const seen: unknown[] = [];
    registerNativeGemm({ gemm: { isa: "probe", sgemm: (...args) => void seen.push(args[10]) } });
    const [m, n, k] = [200, 100, 200];
    const run = () => gemm(randomArray(m * k, 1), randomArray(k * n, 2), new Float32Array(m * n), m, n, k);
    run();
    expect(getBackendInfo().threads).toBe(availableParallelism());
    await disableThreads();
    run();
    expect(getBackendInfo().threads).toBe(1);
    enableThreads(3);
    run();
    await disableThreads();
    expect(seen).toEqual([availableParallelism(), 1, 3]);
  });

  it("splits products over the threads of enableThreads, bit for bit as on one thread", async () => {
    const [m, n, k] = [150, 90, 300];
    const a = randomArray(m * k, 21);
    const b = randomArray(n * k, 22);
    const one = new Float32Array(m * n);
    const two = new Float32Array(m * n);
    gemm(a, b, one, m, n, k, { transB: true });
    try {
      expect(enableThreads(2)).toBe(2);
      expect(getBackendInfo()).toMatchObject({ gemm: "native", threads: 2 });
      gemm(a, b, two, m, n, k, { transB: true });
      const seen: unknown[] = [];
      registerNativeGemm({ gemm: { isa: "probe", sgemm: (...args) => void seen.push(args[10]) } });
      gemm(a, b, new Float32Array(m * n), m, n, k);
      expect(seen).toEqual([2]);
    } finally {
      await disableThreads();
    }
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  it("wasm-simd and typescript bypass it; native throws where none is registered", () => {
    setBackend("wasm-simd");
    expect(getBackendInfo().gemm).toBe("wasm-simd");
    setBackend("auto");
    registerNativeGemm({ error: "no binary here" });
    expect(getBackendInfo()).toMatchObject({
      gemm: "wasm-simd",
      native: { available: false, reason: "no binary here" },
    });
    expect(() => setBackend("native")).toThrow(TensorError);
    expect(() => setBackend("native")).toThrow(/no binary here/);
  });
});
