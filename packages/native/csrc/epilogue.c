/* The part of the output epilogue that is not per dot: clearing threshold rows before bits are ORed in. */
#include "kernels.h"

/* Threshold mode ORs bits into its output, so it first zeroes the words of rows [row_start, row_end)
 * that its column range owns; the range that ends at N also zeroes the row's padding words. */
void clear_output_rows(const output_t *o, int32_t row_start, int32_t row_end) {
  if (o->mode != MODE_THRESHOLD || row_end <= row_start) return;
  size_t from = (size_t)(o->c0 >> 5) * 4;
  size_t to = o->c1 >= o->n ? o->out_stride : (size_t)((o->c1 + 31) >> 5) * 4;
  if (to <= from) return;
  for (int32_t m = row_start; m < row_end; m++) memset(o->out + (size_t)m * o->out_stride + from, 0, to - from);
}
