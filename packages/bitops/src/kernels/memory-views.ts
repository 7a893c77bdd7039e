/** Typed views over a kernel memory, re-derived when it has grown (its buffer changed). */
export class MemoryViews {
  private buffer: ArrayBufferLike | undefined;
  u8 = new Uint8Array(0);
  u32 = new Uint32Array(0);
  i32 = new Int32Array(0);
  f32 = new Float32Array(0);

  constructor(readonly memory: WebAssembly.Memory) {}

  /** The views over the memory's current buffer. */
  current(): this {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer && this.u8.byteLength === buffer.byteLength) return this;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    return this;
  }
}
