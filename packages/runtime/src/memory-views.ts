/**
 * Typed views over a WebAssembly memory. The engine sizes its memory once and never grows it, so
 * the views stay valid; `refresh` re-derives them if the buffer ever changed (defensive, cheap).
 */
export class MemoryViews {
  u8: Uint8Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  private buffer: ArrayBufferLike;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
  }

  refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer && this.u8.byteLength === buffer.byteLength) return;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
  }
}
