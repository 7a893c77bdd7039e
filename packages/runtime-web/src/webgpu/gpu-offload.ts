/// <reference types="@webgpu/types" />
import type { OffloadContext, PassOffload, PlanData } from "@onebit/runtime";
import type { GpuAdapterInfo } from "./gpu-device.js";
import { type GpuEntry, type GpuStep, TABLE_PARAM, placeStep } from "./gpu-steps.js";
import { KERNELS_WGSL, WORKGROUP_SIZE } from "./kernels.wgsl.js";
import type { MakeError } from "./make-error.js";

/** A step left to the WebAssembly kernels, and why. */
export interface CpuStep {
  readonly index: number;
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

/** Where a WebGPU session's steps run (reported by `getBackendInfo().webgpu`). */
export interface WebGpuPlacement extends GpuAdapterInfo {
  readonly gpuSteps: number;
  readonly cpuSteps: readonly CpuStep[];
}

/** Most workgroups per dimension of a dispatch (WebGPU's default limit). */
const MAX_GROUPS = 65_535;
const ALIGN = 16;

const alignUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** Bytes of the plan's output for `batch` samples (from its pointer). */
function outputBytes(plan: PlanData, batch: number): number {
  const o = plan.output;
  return 4 * batch * (o.kind === "bits" ? o.layout.sampleWords : o.elements);
}

/** Bytes of the plan's staged input for `batch` samples, whole words. */
function inputBytes(plan: PlanData, batch: number): number {
  const i = plan.input;
  return alignUp(batch * i.elements * (i.dtype === "uint8" ? 1 : 4), 4);
}

interface Prepared {
  readonly gpu?: GpuStep & { readonly bindGroup: GPUBindGroup; readonly pipeline: GPUComputePipeline };
}

/**
 * Runs a plan's passes on a WebGPU device over one storage buffer that mirrors the engine's memory:
 * the weights are uploaded once, each pass uploads the staged input, runs the steps' kernels and
 * reads the output back. A run of steps without a GPU kernel goes through the engine's WebAssembly
 * kernels: the buffer is read back into the memory first and written again after them.
 */
export class GpuOffload implements PassOffload {
  private lost: string | undefined;
  private closed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly context: OffloadContext,
    private readonly mirrorBytes: number,
    private readonly buffer: GPUBuffer,
    private readonly batchUniform: GPUBuffer,
    private readonly readback: GPUBuffer,
    private readonly steps: readonly Prepared[],
    readonly placement: WebGpuPlacement,
    private readonly makeError: MakeError,
  ) {
    device.lost.then((info) => {
      if (!this.closed) this.lost = info.message || info.reason;
    });
  }

  static async create(
    device: GPUDevice,
    info: GpuAdapterInfo,
    context: OffloadContext,
    makeError: MakeError,
  ): Promise<PassOffload & { readonly placement: WebGpuPlacement }> {
    const { plan, memory } = context;
    const mirrorBytes = alignUp(plan.memoryBytes, 4);
    const placements = plan.steps.map((s) => placeStep(s, plan.capacity));
    // Tables (e.g. byte → float32) live past the mirrored bytes, on the GPU only.
    let tableBytes = 0;
    const tables = placements.map((p) => {
      if (!("entry" in p) || !p.table) return undefined;
      const at = alignUp(mirrorBytes, ALIGN) + tableBytes;
      tableBytes += alignUp(p.table.byteLength, ALIGN);
      p.params[TABLE_PARAM] = at;
      return at;
    });
    const bufferBytes = alignUp(mirrorBytes, ALIGN) + tableBytes;
    const tooLarge = bufferBytes > info.maxStorageBufferBytes;
    if (tooLarge) {
      const reason = `the plan's memory (${bufferBytes} bytes) is larger than this adapter's storage buffers (${info.maxStorageBufferBytes} bytes; a smaller maxBatch helps)`;
      placements.fill({ reason });
    }
    const cpuSteps: CpuStep[] = [];
    placements.forEach((p, index) => {
      if ("reason" in p) {
        const s = plan.steps[index]!;
        cpuSteps.push({ index, node: s.node, op: s.op, reason: p.reason });
      }
    });
    const placement: WebGpuPlacement = { ...info, gpuSteps: plan.steps.length - cpuSteps.length, cpuSteps };
    if (tooLarge) {
      // Nothing on the GPU: every pass on the WebAssembly kernels.
      device.destroy();
      return {
        placement,
        async run(batch) {
          for (let i = 0; i < plan.steps.length; i++) context.runStep(i, batch);
        },
        async close() {},
      };
    }

    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    const buffer = device.createBuffer({
      size: bufferBytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    device.queue.writeBuffer(buffer, 0, copyOf(memory, 0, mirrorBytes));
    placements.forEach((p, i) => {
      if ("entry" in p && p.table) device.queue.writeBuffer(buffer, tables[i]!, p.table);
    });
    const batchUniform = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const readbackBytes = Math.max(
      cpuSteps.length > 0 ? mirrorBytes : 0,
      alignUp(outputBytes(plan, plan.capacity), 4),
    );
    const readback = device.createBuffer({
      size: readbackBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const module = device.createShaderModule({ code: KERNELS_WGSL, label: "onebit kernels" });
    const compiled = await module.getCompilationInfo();
    const errors = compiled.messages.filter((m) => m.type === "error");
    if (errors.length > 0) {
      throw makeError(
        "INVALID_ARGUMENT",
        `backend: webgpu: this browser's WGSL compiler refused the kernels: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join("; ")}`,
      );
    }
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const pipelines = new Map<GpuEntry, Promise<GPUComputePipeline>>();
    const pipeline = (entry: GpuEntry) => {
      let p = pipelines.get(entry);
      if (!p) {
        p = device.createComputePipelineAsync({
          layout: pipelineLayout,
          compute: { module, entryPoint: entry },
          label: entry,
        });
        pipelines.set(entry, p);
      }
      return p;
    };
    const steps = await Promise.all(
      placements.map(async (p): Promise<Prepared> => {
        if (!("entry" in p)) return {};
        const params = device.createBuffer({
          size: p.params.byteLength,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        });
        device.queue.writeBuffer(params, 0, p.params);
        const bindGroup = device.createBindGroup({
          layout,
          entries: [
            { binding: 0, resource: { buffer } },
            { binding: 1, resource: { buffer: params } },
            { binding: 2, resource: { buffer: batchUniform } },
          ],
        });
        return { gpu: { ...p, bindGroup, pipeline: await pipeline(p.entry) } };
      }),
    );
    const validation = await device.popErrorScope();
    const outOfMemory = await device.popErrorScope();
    const failed = validation ?? outOfMemory;
    if (failed) {
      buffer.destroy();
      throw makeError(
        outOfMemory ? "OUT_OF_MEMORY" : "INVALID_ARGUMENT",
        `backend: webgpu: setting up the plan on the GPU failed: ${failed.message}`,
      );
    }
    return new GpuOffload(
      device,
      context,
      mirrorBytes,
      buffer,
      batchUniform,
      readback,
      steps,
      placement,
      makeError,
    );
  }

  async run(batch: number): Promise<void> {
    if (this.lost !== undefined)
      throw this.makeError("WORKER_FAILED", `the WebGPU device was lost: ${this.lost}`);
    const { device, context, buffer } = this;
    const { plan, memory } = context;
    device.queue.writeBuffer(this.batchUniform, 0, new Uint32Array([batch, 0, 0, 0]));
    device.queue.writeBuffer(buffer, plan.input.ptr, copyOf(memory, plan.input.ptr, inputBytes(plan, batch)));
    let encoder = device.createCommandEncoder();
    let pass: GPUComputePassEncoder | undefined;
    for (let i = 0; i < this.steps.length; i++) {
      const gpu = this.steps[i]!.gpu;
      if (gpu) {
        pass ??= encoder.beginComputePass();
        dispatch(pass, gpu, plan.steps[i]!.rowsPerSample * batch);
        continue;
      }
      // Steps for the WebAssembly kernels: bring the memory up to date, run them, send it back.
      pass?.end();
      pass = undefined;
      await this.readInto(encoder, 0, this.mirrorBytes);
      for (; i < this.steps.length && !this.steps[i]!.gpu; i++) context.runStep(i, batch);
      i--;
      device.queue.writeBuffer(buffer, 0, copyOf(memory, 0, this.mirrorBytes));
      encoder = device.createCommandEncoder();
    }
    pass?.end();
    await this.readInto(encoder, plan.output.ptr, alignUp(outputBytes(plan, batch), 4));
  }

  /** Submits `encoder` with a copy of buffer bytes [at, at + bytes) into the memory at the same place. */
  private async readInto(encoder: GPUCommandEncoder, at: number, bytes: number): Promise<void> {
    encoder.copyBufferToBuffer(this.buffer, at, this.readback, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    try {
      await this.readback.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (error) {
      throw this.makeError(
        "WORKER_FAILED",
        `the WebGPU device failed while running the plan: ${this.lost ?? String(error)}`,
        error,
      );
    }
    new Uint8Array(this.context.memory.buffer, at, bytes).set(
      new Uint8Array(this.readback.getMappedRange(0, bytes)),
    );
    this.readback.unmap();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.device.destroy();
  }
}

/** The WebGPU queue refuses views of shared memory: copy the bytes out. */
function copyOf(memory: WebAssembly.Memory, at: number, bytes: number): Uint8Array<ArrayBuffer> {
  const buffer = memory.buffer;
  return buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer, at, bytes)
    : new Uint8Array(buffer, at, bytes).slice();
}

function dispatch(pass: GPUComputePassEncoder, step: NonNullable<Prepared["gpu"]>, rows: number): void {
  const groups = Math.ceil((rows * step.perRow * (step.lanes ?? 1)) / WORKGROUP_SIZE);
  if (groups === 0) return;
  const x = Math.min(groups, MAX_GROUPS);
  pass.setPipeline(step.pipeline);
  pass.setBindGroup(0, step.bindGroup);
  pass.dispatchWorkgroups(x, Math.ceil(groups / x));
}
