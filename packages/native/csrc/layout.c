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

/* The next output pixel after p (row r + 1): no divisions per row in the loops below. */
static inline void next_pixel(struct pixel_pos *p, int32_t out_h, int32_t out_w) {
  if (++p->ox < out_w) return;
  p->ox = 0;
  if (++p->oy < out_h) return;
  p->oy = 0;
  p->b++;
}

/* n bytes from s to d, 4 at a time: window lines are a few bytes, where vectorized or library
 * copies spend more on their set-up than on the bytes. */
static inline void copy_bytes(uint8_t *d, const uint8_t *s, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t v;
    memcpy(&v, s + i, 4);
    memcpy(d + i, &v, 4);
  }
  for (; i < n; i++) d[i] = s[i];
}

/* n 32-bit words from s to d, a word at a time (runs are a few words: a library call costs more). */
static inline void copy_words(uint8_t *d, const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t v;
    memcpy(&v, s + 4 * i, 4);
    memcpy(d + 4 * i, &v, 4);
  }
}

/* Row r of dst (at dst + (r - row_start)*dst_stride) gathers the kh*kw input pixels (wpp words each)
 * of output pixel r's window; out-of-image taps read as one-padding (channel bits 1, gap bits 0);
 * the row is zero-filled up to dst_stride. */
void im2col(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
            int32_t wpp, int32_t kh, int32_t kw, int32_t stride, int32_t pad_top, int32_t pad_left,
            int32_t out_h, int32_t out_w, uint32_t last_mask, uint8_t *dst, size_t dst_stride) {
  const size_t pix_bytes = (size_t)wpp * 4;
  struct pixel_pos pos = output_pixel(row_start, out_h, out_w);
  for (int32_t r = row_start; r < row_end; r++, next_pixel(&pos, out_h, out_w)) {
    const int64_t b = pos.b, oy = pos.oy, ox = pos.ox;
    uint8_t *d = dst + (size_t)(r - row_start) * dst_stride;
    uint8_t *const row_end_ptr = d + dst_stride;
    const uint8_t *img = src + (size_t)b * (size_t)in_h * (size_t)in_w * pix_bytes;
    const int64_t y0 = oy * stride - pad_top, x0 = ox * stride - pad_left;
    if (y0 >= 0 && y0 + kh <= in_h && x0 >= 0 && x0 + kw <= in_w) {
      /* Inside the image: each window line is one contiguous run of kw pixels. */
      for (int32_t dy = 0; dy < kh; dy++, d += (size_t)kw * pix_bytes)
        copy_words(d, img + ((size_t)(y0 + dy) * (size_t)in_w + (size_t)x0) * pix_bytes, (size_t)kw * (size_t)wpp);
    } else {
      for (int32_t dy = 0; dy < kh; dy++) {
        const int64_t iy = y0 + dy;
        for (int32_t dx = 0; dx < kw; dx++) {
          const int64_t ix = x0 + dx;
          if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
            copy_words(d, img + ((size_t)iy * (size_t)in_w + (size_t)ix) * pix_bytes, (size_t)wpp);
          } else {
            memset(d, 0xff, pix_bytes - 4);
            memcpy(d + pix_bytes - 4, &last_mask, 4);
          }
          d += pix_bytes;
        }
      }
    }
    for (; d < row_end_ptr; d += 4) memset(d, 0, 4);
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

/* Collects a row's 8-bit inputs 64 at a time and writes them as one 64-bit word of each bit plane. */
typedef struct {
  uint8_t bytes[64];
  int32_t fill;
  int32_t word;
  uint8_t *row;
  size_t plane_bytes;
} plane_writer_t;

static void flush_planes(plane_writer_t *p) {
  const int groups = (p->fill + 7) / 8; /* groups of 8 bytes holding input; the rest give zero bits */
  memset(p->bytes + p->fill, 0, (size_t)(8 * groups - p->fill));
  for (int n = 0; n < 8; n++) {
    uint64_t bits = 0;
    for (int g = 0; g < groups; g++) {
      /* Bit n of each of 8 bytes, gathered into 8 bits by one multiply (distinct partial products,
       * no carries into the top byte). */
      const uint64_t x = (load_u64(p->bytes + 8 * g) >> n) & 0x0101010101010101ull;
      bits |= ((x * 0x0102040810204080ull) >> 56) << (8 * g);
    }
    memcpy(p->row + (size_t)n * p->plane_bytes + 8 * (size_t)p->word, &bits, 8);
  }
  p->word++;
  p->fill = 0;
}

static void put_bytes(plane_writer_t *p, const uint8_t *src, int32_t count) {
  while (count > 0) {
    const int32_t take = 64 - p->fill < count ? 64 - p->fill : count;
    memcpy(p->bytes + p->fill, src, (size_t)take);
    p->fill += take;
    src += take;
    count -= take;
    if (p->fill == 64) flush_planes(p);
  }
}

static void put_fill(plane_writer_t *p, uint8_t value, int32_t count) {
  while (count > 0) {
    const int32_t take = 64 - p->fill < count ? 64 - p->fill : count;
    memset(p->bytes + p->fill, value, (size_t)take);
    p->fill += take;
    count -= take;
    if (p->fill == 64) flush_planes(p);
  }
}

/* The 8-bit im2col of output pixels [row_start, row_end) as bit planes: row r (at
 * dst + (r - row_start)*dst_stride) holds 8 planes of kw64 64-bit words; tap t, channel c of the
 * window is bit t*channels + c; padded taps read the byte `pad`; words past K are zero. The layout
 * of @onebit/bitops' im2colPlanes (its reference). */
void im2col_planes(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
                   int32_t channels, int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w,
                   int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w, uint8_t pad,
                   uint8_t *dst, size_t dst_stride, int32_t kw64) {
  const size_t line = (size_t)in_w * (size_t)channels;
  for (int32_t r = row_start; r < row_end; r++) {
    const struct pixel_pos pos = output_pixel(r, out_h, out_w);
    const int64_t y0 = pos.oy * stride_h - pad_top, x0 = pos.ox * stride_w - pad_left;
    const uint8_t *img = src + (size_t)pos.b * (size_t)in_h * line;
    plane_writer_t p = {.fill = 0, .word = 0, .row = dst + (size_t)(r - row_start) * dst_stride,
                        .plane_bytes = (size_t)kw64 * 8};
    for (int32_t dy = 0; dy < kh; dy++) {
      const int64_t iy = y0 + dy;
      if (iy < 0 || iy >= in_h) {
        put_fill(&p, pad, kw * channels);
        continue;
      }
      /* The window's line: padded taps left and right of the image, one run of bytes between. */
      const int64_t left = x0 < 0 ? (-x0 < kw ? -x0 : kw) : 0;
      const int64_t right_edge = in_w - x0; /* taps dx < right_edge are inside on the right */
      const int64_t inside_end = right_edge < kw ? (right_edge > left ? right_edge : left) : kw;
      put_fill(&p, pad, (int32_t)(left * channels));
      put_bytes(&p, img + (size_t)iy * line + (size_t)(x0 + left) * (size_t)channels,
                (int32_t)((inside_end - left) * channels));
      put_fill(&p, pad, (int32_t)((kw - inside_end) * channels));
    }
    if (p.fill > 0) flush_planes(&p);
    for (; p.word < kw64; p.word++)
      for (int n = 0; n < 8; n++) memset(p.row + (size_t)n * p.plane_bytes + 8 * (size_t)p.word, 0, 8);
  }
}

/* The 8-bit im2col of output pixels [row_start, row_end) as bytes, for byte GEMMs: row r (at
 * dst + (r - row_start)*dst_stride) holds the window's K = kh*kw*channels bytes in tap-major order
 * (padded taps read `pad`), then zeros up to row_bytes. */
void im2col_bytes(int32_t row_start, int32_t row_end, const uint8_t *src, int32_t in_h, int32_t in_w,
                  int32_t channels, int32_t kh, int32_t kw, int32_t stride_h, int32_t stride_w,
                  int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w, uint8_t pad,
                  uint8_t *dst, size_t dst_stride, size_t row_bytes) {
  const size_t line = (size_t)in_w * (size_t)channels;
  const size_t tap_line = (size_t)kw * (size_t)channels;
  struct pixel_pos pos = output_pixel(row_start, out_h, out_w);
  for (int32_t r = row_start; r < row_end; r++, next_pixel(&pos, out_h, out_w)) {
    const int64_t y0 = pos.oy * stride_h - pad_top, x0 = pos.ox * stride_w - pad_left;
    const uint8_t *img = src + (size_t)pos.b * (size_t)in_h * line;
    uint8_t *const row = dst + (size_t)(r - row_start) * dst_stride;
    uint8_t *d = row;
    const int inside_x = x0 >= 0 && x0 + kw <= in_w;
    for (int32_t dy = 0; dy < kh; dy++, d += tap_line) {
      const int64_t iy = y0 + dy;
      if (iy < 0 || iy >= in_h) {
        for (size_t i = 0; i < tap_line; i++) d[i] = pad;
      } else if (inside_x) {
        copy_bytes(d, img + (size_t)iy * line + (size_t)x0 * (size_t)channels, tap_line);
      } else {
        for (int32_t dx = 0; dx < kw; dx++) {
          const int64_t ix = x0 + dx;
          const int in = ix >= 0 && ix < in_w;
          const uint8_t *s = img + (size_t)iy * line + (size_t)(in ? ix : 0) * (size_t)channels;
          for (int32_t c = 0; c < channels; c++) d[(size_t)dx * (size_t)channels + (size_t)c] = in ? s[c] : pad;
        }
      }
    }
    for (size_t i = (size_t)kh * tap_line; i < row_bytes; i++) row[i] = 0;
  }
}
