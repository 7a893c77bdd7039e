import { instantiateKernels, type KernelExports, layoutRegions } from "../kernel-module.js";

/**
 * The WebAssembly SIMD sign kernels (assembly/signs.ts) on one memory shared by every binary
 * layer of the process: the latent kernel is copied in, its ±1 signs (and packed bits) copied out.
 * Four lanes at a time this beats the scalar TypeScript passes even with the two copies.
 */
export class SignPacker {
  private constructor(private readonly k: KernelExports) {}

  private static shared: SignPacker | null | undefined;

  /** The process-wide packer, or null where WebAssembly SIMD is unavailable. */
  static get(): SignPacker | null {
    if (SignPacker.shared === undefined) {
      const k = instantiateKernels();
      SignPacker.shared = k ? new SignPacker(k) : null;
    }
    return SignPacker.shared;
  }

  private layout(sizes: readonly number[]): number[] {
    return layoutRegions(this.k, sizes);
  }

  /** signs = sign(latent) as ±1; returns max |latent| as float bits. */
  signsMaxAbs(latent: Float32Array, signs: Float32Array): number {
    const n = latent.length;
    const [src, out] = this.layout([n * 4, n * 4]) as [number, number];
    const buffer = this.k.memory.buffer;
    new Float32Array(buffer, src, n).set(latent);
    const maxBits = this.k.signsMaxAbs(src, n, out);
    signs.set(new Float32Array(buffer, out, n));
    return maxBits;
  }

  /**
   * For a latent kernel [k, n]: signs = sign(latent) as ±1 floats, and `panels` (kWords per column,
   * @onebit/bitops' panel layout) the +1 bits of every column. Returns max |latent| as float bits.
   */
  packPanels(
    latent: Float32Array,
    k: number,
    n: number,
    kWords: number,
    signs: Float32Array,
    panels: Uint32Array,
  ): number {
    const size = k * n;
    const [src, out, acc, dst] = this.layout([size * 4, size * 4, (n + 3) * 4, panels.length * 4]) as [
      number,
      number,
      number,
      number,
    ];
    const buffer = this.k.memory.buffer;
    new Float32Array(buffer, src, size).set(latent);
    // Words past K and columns past N are never written: they must read zero.
    new Uint32Array(buffer, dst, panels.length).fill(0);
    const maxBits = this.k.packSignPanels(src, k, n, out, acc, dst, kWords);
    signs.set(new Float32Array(buffer, out, size));
    panels.set(new Uint32Array(buffer, dst, panels.length));
    return maxBits;
  }
}
