/* Data movement over packed NHWC words: im2col for convolutions, binary max-pool, and packing
 * float32 rows by sign. Memory-bound; plain C that the compiler vectorizes where it can. */
#include "kernels.h"

/* Output pixel r of a [batch, out_h, out_w] grid, as image, row and column. */
struct pixel_pos {
  int64_t b, oy, ox;
};

static inline struct pixel_pos output_pixel(int32_t r, int32_t out_h, int32_t out_w) {
  const int64_t out_hw = (int64_t)out_h * out_w;
  const int64_t b = r / out_hw;
  const int64_t rem = r - b * out_hw;
  const int64_t oy = rem / out_w;
  return (struct pixel_pos){b, oy, rem - oy * out_w};
}

/* Row r of dst (at dst + (r - row_start)*dst_stride) gathers the kh*kw input pixels (wpp words each)
 * of output pixel r's window; out-of-image taps read as one-padding (channel bits 1, gap bits 0);
 * the row is zero-filled up to dst_stride. */
void im2col(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
            int32_t wpp, int32_t kh, int32_t kw, int32_t stride, int32_t pad_top, int32_t pad_left,
            int32_t out_h, int32_t out_w, uint32_t last_mask, uint8_t *dst, size_t dst_stride) {
  const size_t pix_bytes = (size_t)wpp * 4;
  for (int32_t r = row_start; r < row_end; r++) {
    const struct pixel_pos pos = output_pixel(r, out_h, out_w);
    const int64_t b = pos.b, oy = pos.oy, ox = pos.ox;
    uint8_t *d = dst + (size_t)(r - row_start) * dst_stride;
    uint8_t *const row_end_ptr = d + dst_stride;
    const uint8_t *img = src + (size_t)b * (size_t)in_h * (size_t)in_w * pix_bytes;
    for (int32_t dy = 0; dy < kh; dy++) {
      const int64_t iy = oy * stride - pad_top + dy;
      for (int32_t dx = 0; dx < kw; dx++) {
        const int64_t ix = ox * stride - pad_left + dx;
        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
          memcpy(d, img + ((size_t)iy * (size_t)in_w + (size_t)ix) * pix_bytes, pix_bytes);
        } else {
          memset(d, 0xff, pix_bytes - 4);
          memcpy(d + pix_bytes - 4, &last_mask, 4);
        }
        d += pix_bytes;
      }
    }
    if (d < row_end_ptr) memset(d, 0, (size_t)(row_end_ptr - d));
  }
}

/* Binary max-pool (OR of bits), output pixels [row_start, row_end); padded taps are ignored. */
void max_pool(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
              int32_t wpp, int32_t ph, int32_t pw, int32_t stride, int32_t pad_top, int32_t pad_left,
              int32_t out_h, int32_t out_w, uint8_t *dst) {
  const size_t pix_bytes = (size_t)wpp * 4;
  for (int32_t r = row_start; r < row_end; r++) {
    const struct pixel_pos pos = output_pixel(r, out_h, out_w);
    const int64_t b = pos.b, oy = pos.oy, ox = pos.ox;
    uint32_t *d = (uint32_t *)(void *)(dst + (size_t)r * pix_bytes);
    const uint8_t *img = src + (size_t)b * (size_t)in_h * (size_t)in_w * pix_bytes;
    for (int32_t w = 0; w < wpp; w++) {
      uint32_t acc = 0;
      for (int32_t dy = 0; dy < ph; dy++) {
        const int64_t iy = oy * stride - pad_top + dy;
        if (iy < 0 || iy >= in_h) continue;
        for (int32_t dx = 0; dx < pw; dx++) {
          const int64_t ix = ox * stride - pad_left + dx;
          if (ix < 0 || ix >= in_w) continue;
          uint32_t v;
          memcpy(&v, img + ((size_t)iy * (size_t)in_w + (size_t)ix) * pix_bytes + 4 * (size_t)w, 4);
          acc |= v;
        }
      }
      memcpy(d + w, &acc, 4);
    }
  }
}

/* Row r's cols float32 values at src + r*src_stride become bits (v < 0 -> 0, otherwise 1, so -0 and
 * NaN give 1) at dst + r*dst_stride, zero-filled to dst_stride. */
void pack_signs(int32_t row_start, int32_t row_end, const uint8_t *src, size_t src_stride,
                int32_t cols, uint8_t *dst, size_t dst_stride) {
  for (int32_t r = row_start; r < row_end; r++) {
    const uint8_t *s = src + (size_t)r * src_stride;
    uint8_t *d = dst + (size_t)r * dst_stride;
    size_t o = 0;
    for (int32_t c = 0; c < cols; c += 32) {
      uint32_t word = 0;
      const int32_t end = cols - c < 32 ? cols - c : 32;
      for (int32_t i = 0; i < end; i++) {
        float v;
        memcpy(&v, s + 4 * (size_t)(c + i), 4);
        word |= (uint32_t)!(v < 0.0f) << i;
      }
      memcpy(d + o, &word, 4);
      o += 4;
    }
    if (o < dst_stride) memset(d + o, 0, dst_stride - o);
  }
}
