// The native backend's registry without a binary: what @onebit/bitops does when @onebit/native
// reports a failure, hands over an incompatible addon, or none at all (browsers): it stays on
// WebAssembly and says why.
import { afterEach, describe, expect, it } from "vitest";
import {
  NATIVE_ABI,
  type NativeAddon,
  createKernels,
  getBackendInfo,
  registerNativeAddon,
  setBackend,
} from "../src/index.js";

const fakeAddon = (abi: number, isas: string[]): NativeAddon => ({
  describe: () => ({ abi, isas, cpu: "Test CPU" }),
  gemm() {},
  bitPlaneGemm() {},
  conv2d() {},
  bitPlaneConv2d() {},
  maxPool2d() {},
  packSigns() {},
});

afterEach(() => {
  delete process.env.ONEBIT_NATIVE_ISA;
  registerNativeAddon({ error: "reset by the test" });
  setBackend("auto");
});

describe("native backend registry", () => {
  it("with nothing registered, auto stays on WebAssembly and the reason names @onebit/native", () => {
    const info = getBackendInfo();
    expect(info.backend).not.toBe("native");
    expect(info.native.available).toBe(false);
    expect(info.native.reason).toMatch(/@onebit\/native/);
    expect(() => setBackend("native")).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => createKernels({ backend: "native", memory })).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED" }),
    );
  });

  it("a failed load (no binary for this platform) falls back silently, with the reason in getBackendInfo", () => {
    const status = registerNativeAddon({ error: "no native binary for plan9-mips" });
    expect(status).toMatchObject({ available: false, reason: "no native binary for plan9-mips" });
    const info = getBackendInfo();
    expect(["wasm-i64", "wasm-simd"]).toContain(info.backend);
    expect(info.native.reason).toBe("no native binary for plan9-mips");
  });

  it("an addon of another descriptor ABI, or a CPU without the instructions, is refused with the reason", () => {
    expect(registerNativeAddon({ addon: fakeAddon(99, ["scalar"]), path: "/x.node" })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/ABI 99/),
    });
    expect(getBackendInfo().backend).not.toBe("native");
    expect(registerNativeAddon({ addon: fakeAddon(NATIVE_ABI, []), path: "/x.node" })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/lacks POPCNT/),
    });
    expect(getBackendInfo().backend).not.toBe("native");
  });

  it("a usable addon becomes the auto choice; ONEBIT_NATIVE_ISA forces an ISA or disables it with the reason", () => {
    expect(
      registerNativeAddon({ addon: fakeAddon(NATIVE_ABI, ["avx2", "scalar"]), path: "/x.node" }),
    ).toMatchObject({
      available: true,
      isa: "avx2",
      isas: ["avx2", "scalar"],
    });
    expect(getBackendInfo()).toMatchObject({ backend: "native", reason: expect.stringMatching(/avx2/) });
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(createKernels({ backend: "native", memory, isa: "scalar" }).backend).toBe("native");
    expect(() => createKernels({ backend: "native", memory, isa: "avx512" })).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED", message: expect.stringMatching(/avx2, scalar/) }),
    );

    process.env.ONEBIT_NATIVE_ISA = "scalar";
    expect(
      registerNativeAddon({ addon: fakeAddon(NATIVE_ABI, ["avx2", "scalar"]), path: "/x.node" }).isa,
    ).toBe("scalar");
    process.env.ONEBIT_NATIVE_ISA = "avx512";
    const status = registerNativeAddon({ addon: fakeAddon(NATIVE_ABI, ["avx2", "scalar"]), path: "/x.node" });
    expect(status).toMatchObject({
      available: false,
      reason: expect.stringMatching(/ONEBIT_NATIVE_ISA=avx512/),
    });
    expect(getBackendInfo().backend).not.toBe("native");
  });
});
