import { readFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

// Test helpers: decode a photo (JPEG or PNG, through maintained libraries) and apply Larq Zoo's
// `preprocess_input` (larq_zoo/training/data.py): centre crop of ⌊224/256 · min(h, w)⌋ pixels, offset
// ⌊(h − crop + 1)/2⌋, bicubic resize to 224×224 (TF 1 `resize_bicubic`: Keys cubic with a = −0.75,
// source coordinate = destination · scale, edges clamped), then (x − 255·mean) / (255·std) per RGB
// channel with ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225).

export interface Rgb {
  readonly width: number;
  readonly height: number;
  /** RGB bytes, row-major. */
  readonly data: Uint8Array;
}

export function readPhoto(file: string): Rgb {
  const bytes = readFileSync(join(import.meta.dirname, "fixtures", file));
  const decoded = file.endsWith(".png") ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true });
  const { width, height } = decoded;
  const rgba = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = rgba[p * 4 + c]!;
  return { width, height, data };
}

const SIZE = 224;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function cubic(x: number): number {
  const a = -0.75;
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** The 224×224×3 float input QuickNet expects (NHWC without the batch axis). */
export function larqZooPreprocess(image: Rgb): Float32Array {
  const crop = Math.trunc((SIZE / (SIZE + 32)) * Math.min(image.height, image.width));
  const top = Math.floor((image.height - crop + 1) / 2);
  const left = Math.floor((image.width - crop + 1) / 2);
  const scale = crop / SIZE;
  const taps = (out: number) => {
    const source = out * scale;
    const base = Math.floor(source);
    return [-1, 0, 1, 2].map((k) => ({
      index: Math.min(crop - 1, Math.max(0, base + k)),
      weight: cubic(source - (base + k)),
    }));
  };
  const out = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    const rows = taps(y);
    for (let x = 0; x < SIZE; x++) {
      const cols = taps(x);
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const r of rows)
          for (const q of cols)
            v += r.weight * q.weight * image.data[((top + r.index) * image.width + left + q.index) * 3 + c]!;
        out[(y * SIZE + x) * 3 + c] = (v - 255 * MEAN[c]!) / (255 * STD[c]!);
      }
    }
  }
  return out;
}

/** Indices of the `k` largest values, largest first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (_, i) => i)
    .sort((a, b) => values[b]! - values[a]!)
    .slice(0, k);
}
