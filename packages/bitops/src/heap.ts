import { BitopsError } from "./errors.js";
import { KERNEL_ALIGN } from "./kernel-layout.js";

const PAGE = 65536;

/**
 * A first-fit allocator over one `WebAssembly.Memory`, handing out 16-byte-aligned byte offsets for
 * the pointer kernels. The runtime can allocate every buffer of a model once and reuse it for each
 * batch. Typed-array views must be re-derived after any `alloc` (growing a memory detaches the old
 * buffer of a non-shared memory); the view helpers below always read the current buffer.
 */
export class BitopsHeap {
  private top: number;
  private readonly sizes = new Map<number, number>();
  /** Free blocks, sorted by offset, never adjacent (coalesced). */
  private freeBlocks: { ptr: number; size: number }[] = [];

  /** `base`: first byte this heap may hand out (bytes below it are left to the caller). */
  constructor(
    readonly memory: WebAssembly.Memory,
    base = KERNEL_ALIGN,
  ) {
    this.top = align(Math.max(base, KERNEL_ALIGN));
  }

  /** Allocates `bytes` (rounded up to 16), growing the memory when needed. Returns the byte offset. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new BitopsError(
        "INVALID_ARGUMENT",
        `BitopsHeap.alloc: bytes must be a non-negative integer, got ${bytes}`,
      );
    }
    const size = Math.max(align(bytes), KERNEL_ALIGN);
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const block = this.freeBlocks[i]!;
      if (block.size < size) continue;
      const ptr = block.ptr;
      if (block.size === size) this.freeBlocks.splice(i, 1);
      else {
        block.ptr += size;
        block.size -= size;
      }
      this.sizes.set(ptr, size);
      return ptr;
    }
    const ptr = this.top;
    this.ensure(ptr + size);
    this.top = ptr + size;
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Returns a block from `alloc` to the heap. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) {
      throw new BitopsError("INVALID_ARGUMENT", `BitopsHeap.free: ${ptr} is not an allocated block`);
    }
    this.sizes.delete(ptr);
    if (ptr + size === this.top) {
      this.top = ptr;
      const last = this.freeBlocks[this.freeBlocks.length - 1];
      if (last && last.ptr + last.size === this.top) {
        this.top = last.ptr;
        this.freeBlocks.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.freeBlocks.length && this.freeBlocks[i]!.ptr < ptr) i++;
    const block = { ptr, size };
    this.freeBlocks.splice(i, 0, block);
    const next = this.freeBlocks[i + 1];
    if (next && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      this.freeBlocks.splice(i + 1, 1);
    }
    const prev = this.freeBlocks[i - 1];
    if (prev && prev.ptr + prev.size === block.ptr) {
      prev.size += block.size;
      this.freeBlocks.splice(i, 1);
    }
  }

  /** Bytes currently allocated (for tests and diagnostics). */
  get allocatedBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Grows the memory so that [0, end) is addressable. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (error) {
      throw new BitopsError(
        "OUT_OF_MEMORY",
        `BitopsHeap: cannot grow the memory by ${pages} pages to ${end} bytes (${String(error)})`,
      );
    }
  }

  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }
  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
}

function align(n: number): number {
  return Math.ceil(n / KERNEL_ALIGN) * KERNEL_ALIGN;
}
