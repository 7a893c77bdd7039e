/// <reference types="@webgpu/types" />
import type { MakeError } from "./make-error.js";

/** The adapter a session runs on, as reported by `getBackendInfo().webgpu`. */
export interface GpuAdapterInfo {
  /** "vendor architecture (description)" as the browser reports them, e.g. "google swiftshader". */
  readonly adapter: string;
  /** The browser marked it as a fallback (software) adapter. */
  readonly fallbackAdapter: boolean;
  /** Largest storage buffer the adapter binds, in bytes (the plan's memory must fit). */
  readonly maxStorageBufferBytes: number;
}

export interface GpuDevice {
  readonly device: GPUDevice;
  readonly info: GpuAdapterInfo;
}

/**
 * Requests a WebGPU device with the largest storage buffers the adapter allows (a plan's whole
 * memory is one buffer). Rejects with RuntimeError "INVALID_ARGUMENT" naming what is missing.
 */
export async function requestGpuDevice(makeError: MakeError): Promise<GpuDevice> {
  const unavailable = (why: string, cause?: unknown) =>
    makeError("INVALID_ARGUMENT", `backend: webgpu cannot run here: ${why}`, cause);
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw unavailable(
      "navigator.gpu is missing (WebGPU needs a browser that ships it and a secure context: https or localhost)",
    );
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    throw unavailable(`requestAdapter() failed: ${String(error)}`, error);
  }
  if (!adapter) throw unavailable("navigator.gpu.requestAdapter() found no adapter");
  const limits = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
      },
    });
  } catch (error) {
    throw unavailable(`requestDevice() failed: ${String(error)}`, error);
  }
  // `info` is newer than these type definitions.
  const a = (adapter as { info?: { vendor?: string; architecture?: string; description?: string } }).info;
  const name = [a?.vendor, a?.architecture].filter((s) => s).join(" ") || "unknown adapter";
  return {
    device,
    info: {
      adapter: a?.description ? `${name} (${a.description})` : name,
      // On the adapter in older browsers, on its info in newer ones.
      fallbackAdapter:
        (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
        (a as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ??
        false,
      maxStorageBufferBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize),
    },
  };
}
