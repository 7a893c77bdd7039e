import {
  type GemmTile,
  NATIVE_ABI,
  type NativeAddon,
  createKernels,
  registerNativeAddon,
  setGemmTile,
} from "@onebit/bitops";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Engine,
  RuntimeError,
  type ThreadPoolFactory,
  type WorkerInit,
  createWorkerRunner,
} from "../src/index.js";
import { ModelBuilder, Rng } from "./random-models.js";

// Spy on bitops' createKernels (the real one runs) to see the options each thread's kernels get.
vi.mock("@onebit/bitops", async (importOriginal) => {
  const real = await importOriginal<typeof import("@onebit/bitops")>();
  return { ...real, createKernels: vi.fn(real.createKernels) };
});

function model() {
  return new ModelBuilder(new Rng(11))
    .input("float32", [6])
    .denseFloat(64, "bits")
    .binaryDense(3, "scaleBias")
    .build();
}

/** Records the workers' init messages; starts no worker (the engine's create then fails). */
function recordingPool(inits: WorkerInit[]): ThreadPoolFactory {
  return (all) => {
    inits.push(...all);
    return Promise.reject(new Error("no workers in this test"));
  };
}

afterEach(() => {
  setGemmTile("wasm-i64", "auto");
  registerNativeAddon({ error: "unregistered after the test" });
  vi.mocked(createKernels).mockClear();
});

describe("workers' GEMM tile", () => {
  it("is the main thread's tuned tile, so no worker reruns bitops' tuning", async () => {
    // A tile other than the default, forced the way the tuner's choice would be.
    const tile: GemmTile = "2x2";
    setGemmTile("wasm-i64", tile);
    const inits: WorkerInit[] = [];
    await expect(
      Engine.create(model(), { backend: "wasm-i64", threads: 2, threadPool: recordingPool(inits) }),
    ).rejects.toThrow(/no workers/);
    expect(inits).toHaveLength(2);
    for (const init of inits) expect(init.tile).toBe(tile);

    vi.mocked(createKernels).mockClear();
    createWorkerRunner(inits[0]!);
    expect(vi.mocked(createKernels).mock.calls).toEqual([
      [{ backend: "wasm-i64", memory: inits[0]!.memory, tile }],
    ]);
  });

  it("is left out for backends without tiles", async () => {
    const inits: WorkerInit[] = [];
    await expect(
      Engine.create(model(), { backend: "typescript", threads: 2, threadPool: recordingPool(inits) }),
    ).rejects.toThrow(/no workers/);
    for (const init of inits) expect(init.tile).toBeUndefined();
  });
});

/** An addon that describes itself like @onebit/native's on a scalar-only CPU; its kernels are never run. */
function describedAddon(abi: number): NativeAddon {
  const none = () => {
    throw new Error("not run in this test");
  };
  return {
    describe: () => ({ abi, isas: ["scalar"], cpu: "test CPU" }),
    gemm: none,
    bitPlaneGemm: none,
    conv2d: none,
    bitPlaneConv2d: none,
    maxPool2d: none,
    packSigns: none,
  };
}

describe('backend: "native"', () => {
  it("is refused with a typed error naming why when no native addon is registered", () => {
    registerNativeAddon({ error: "the test registered none" });
    const e = (() => {
      try {
        Engine.createSync(model(), { backend: "native" });
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect((e as Error).message).toMatch(/native cannot run here: the test registered none/);
  });

  it("is refused naming the ABI mismatch of an incompatible addon", async () => {
    registerNativeAddon({ addon: describedAddon(999), path: "/fake/onebit.node" });
    await expect(Engine.create(model(), { backend: "native" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/native cannot run here: .*ABI 999/),
    });
  });

  it("is accepted where bitops reports the native backend available", async () => {
    registerNativeAddon({ addon: describedAddon(NATIVE_ABI), path: "/fake/onebit.node" });
    const engine = await Engine.create(model(), { backend: "native" });
    expect(engine.backend).toBe("native");
    expect(vi.mocked(createKernels)).toHaveBeenCalledWith(expect.objectContaining({ backend: "native" }));
    await engine.dispose();
  });
});
