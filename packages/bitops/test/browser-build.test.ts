import { describe, expect, it } from "vitest";
import { BitopsError } from "../src/errors.js";
import * as nativeBrowser from "../src/kernels/native-addon.browser.js";
import * as nativeNode from "../src/kernels/native-addon.js";
import { createNativeKernels } from "../src/kernels/native-kernels.browser.js";
import { DEFAULT_GEMM_TILE, GEMM_TILES } from "../src/kernels/gemm-tiles.js";
import { gemmEntries as browserEntries } from "../src/wasm/kernels-browser.generated.js";
import { gemmEntries as nodeEntries } from "../src/wasm/kernels.generated.js";
import * as modulesBrowser from "../src/wasm/module-text.browser.js";
import * as modulesNode from "../src/wasm/module-text.js";

// The default (browser) build swaps four modules for stand-ins (tsup.config.ts); they must keep
// the API of the modules they replace and refuse what they cannot do with typed errors.

describe("the browser build's stand-ins", () => {
  it("the native registry has the same exports and reports the native kernels unavailable", () => {
    expect(Object.keys(nativeBrowser).sort()).toEqual(Object.keys(nativeNode).sort());
    expect(nativeBrowser.NATIVE_ABI).toBe(nativeNode.NATIVE_ABI);
    const fake = { error: "ignored" } as const;
    expect(nativeBrowser.registerNativeAddon(fake)).toMatchObject({ available: false });
    expect(nativeBrowser.nativeStatus().reason).toMatch(/Node\.js only/);
    expect(() => nativeBrowser.nativeAddon()).toThrow(BitopsError);
    expect(() => createNativeKernels(new WebAssembly.Memory({ initial: 1 }))).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED", message: expect.stringMatching(/Node\.js only/) }),
    );
  });

  it("the kernel modules keep each backend's default GEMM tile and drop the others", () => {
    const entryOf = (backend: "wasm-i64" | "wasm-simd") =>
      GEMM_TILES.find((t) => t.backend === backend && t.tile === DEFAULT_GEMM_TILE[backend])!.entry;
    expect(browserEntries).toEqual({ i64: [entryOf("wasm-i64")], simd: [entryOf("wasm-simd")] });
    // The Node.js build (what these tests run) has every tile the tuner knows.
    for (const t of GEMM_TILES)
      expect(nodeEntries[t.backend === "wasm-i64" ? "i64" : "simd"]).toContain(t.entry);
    expect(GEMM_TILES.length).toBeGreaterThan(2);
  });

  it("has the scalar modules at once and loads the SIMD ones on demand", async () => {
    expect(Object.keys(modulesBrowser).sort()).toEqual(Object.keys(modulesNode).sort());
    const bytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const { loadModuleTexts, moduleText } = modulesBrowser;
    for (const shared of [false, true]) {
      expect(WebAssembly.validate(bytes(moduleText("wasm-i64", shared)!))).toBe(true);
      expect(moduleText("wasm-simd", shared)).toBeUndefined();
    }
    expect(await loadModuleTexts()).toBe(true);
    expect(await loadModuleTexts()).toBe(false);
    for (const shared of [false, true]) {
      const module = new WebAssembly.Module(bytes(moduleText("wasm-simd", shared)!));
      expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(
        expect.arrayContaining(["gemm", "bitPlaneGemm", "im2col", "maxPool", "packSigns"]),
      );
    }
    expect(await modulesNode.loadModuleTexts()).toBe(false);
  });
});
