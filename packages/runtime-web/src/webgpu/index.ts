/// <reference types="@webgpu/types" />
import type { ThreadPlan } from "@onebit/runtime";
import { requestGpuDevice } from "./gpu-device.js";
import { GpuOffload, type WebGpuPlacement } from "./gpu-offload.js";
import type { MakeError } from "./make-error.js";

// The WebGPU backend, loaded by `InferenceSession.create` only for `backend: "webgpu"` (a dynamic
// import), so that pages which do not ask for it never download its kernels.

export type { CpuStep, WebGpuPlacement } from "./gpu-offload.js";

/** Where the session's steps ended up, once its engine has planned the model. */
export interface WebGpuSessionPlan {
  readonly threadPlan: ThreadPlan;
  placement(): WebGpuPlacement | undefined;
}

/**
 * Requests the device (rejecting with RuntimeError "INVALID_ARGUMENT" where WebGPU or an adapter
 * is missing) and returns the session's thread plan: one thread, its passes offloaded to the GPU.
 */
export async function planWebGpu(
  requestedThreads: number | undefined,
  makeError: MakeError,
): Promise<WebGpuSessionPlan> {
  const { device, info } = await requestGpuDevice(makeError);
  let placement: WebGpuPlacement | undefined;
  const threadsNote =
    requestedThreads !== undefined && requestedThreads > 1
      ? `; ${requestedThreads} threads requested, unused: the GPU runs the passes`
      : "";
  return {
    threadPlan: {
      threads: 1,
      reason: `WebGPU on ${info.adapter}${threadsNote}`,
      offload: async (context) => {
        const offload = await GpuOffload.create(device, info, context, makeError).catch((error) => {
          device.destroy();
          throw error;
        });
        placement = offload.placement;
        return offload;
      },
    },
    placement: () => placement,
  };
}
