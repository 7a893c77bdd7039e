import { type Conv2dOptions, windowGeometry } from "./conv-geometry.js";
import type { ConvWeights } from "./conv-weights.js";
import { poolGeometry, type Pool2dOptions } from "./conv.js";
import { BitopsError } from "./errors.js";
import { type PackedImages, createPackedImages, imageBit, validatePackedImages } from "./packed-images.js";

/**
 * Naive binary convolution, one ±1 product at a time, with one-padding (out-of-image taps are +1):
 * NHWC Int32 dots. The fast `bconv2d` is tested against it.
 */
export function bconv2dRef(x: PackedImages, w: ConvWeights, options: Conv2dOptions = {}): Int32Array {
  validatePackedImages(x, "bconv2dRef: x");
  if (w.inChannels !== x.channels) {
    throw new BitopsError(
      "SHAPE_MISMATCH",
      `bconv2dRef: w expects ${w.inChannels} channels, x has ${x.channels}`,
    );
  }
  const g = windowGeometry(x.height, x.width, w.kernelH, w.kernelW, options, "bconv2dRef");
  const out = new Int32Array(x.batch * g.outH * g.outW * w.outChannels);
  let i = 0;
  for (let b = 0; b < x.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let o = 0; o < w.outChannels; o++) {
          let dot = 0;
          for (let dy = 0; dy < w.kernelH; dy++) {
            for (let dx = 0; dx < w.kernelW; dx++) {
              const iy = oy * g.stride - g.padTop + dy;
              const ix = ox * g.stride - g.padLeft + dx;
              const inside = iy >= 0 && iy < x.height && ix >= 0 && ix < x.width;
              const pixel = (b * x.height + iy) * x.width + ix;
              const tap = (o * w.kernelH + dy) * w.kernelW + dx;
              for (let c = 0; c < x.channels; c++) {
                const a = inside ? imageBit(x, pixel, c) : 1;
                const wb = (w.data[tap * w.wordsPerPixel + (c >>> 5)]! >>> (c & 31)) & 1;
                dot += a === wb ? 1 : -1;
              }
            }
          }
          out[i++] = dot;
        }
      }
    }
  }
  return out;
}

/** Naive binary max-pool: a channel is +1 iff any in-image position of its window is +1. */
export function bmaxPool2dRef(x: PackedImages, options: Pool2dOptions = {}): PackedImages {
  validatePackedImages(x, "bmaxPool2dRef: x");
  const g = poolGeometry(x, options);
  const out = createPackedImages(x.batch, g.outH, g.outW, x.channels);
  for (let b = 0; b < x.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const pixel = (b * g.outH + oy) * g.outW + ox;
        for (let c = 0; c < x.channels; c++) {
          let any = 0;
          for (let dy = 0; dy < g.poolH; dy++) {
            for (let dx = 0; dx < g.poolW; dx++) {
              const iy = oy * g.stride - g.padTop + dy;
              const ix = ox * g.stride - g.padLeft + dx;
              if (iy < 0 || iy >= x.height || ix < 0 || ix >= x.width) continue;
              any |= imageBit(x, (b * x.height + iy) * x.width + ix, c);
            }
          }
          if (any) out.data[pixel * out.wordsPerPixel + (c >>> 5)]! |= 1 << (c & 31);
        }
      }
    }
  }
  return out;
}
