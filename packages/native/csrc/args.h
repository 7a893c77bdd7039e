/* Index of each field in the Uint32Array descriptors the JavaScript side fills (the same order is
 * in @onebit/bitops' src/kernels/native-kernels.ts). Offsets and strides are bytes in the memory. */
#ifndef ONEBIT_ARGS_H
#define ONEBIT_ARGS_H

/* GEMM (and the GEMM half of a convolution). */
enum {
  G_MODE, G_K, G_N, G_OUT, G_OUT_STRIDE, G_P0, G_P1, G_C0, G_C1,
  G_ROW_START, G_ROW_END, G_A, G_A_STRIDE, G_W, G_KW64,
  GEMM_ARGS
};

/* A window over packed NHWC images (convolution: after the GEMM fields; pool: after P_WINDOW). */
enum {
  W_INPUT, W_HEIGHT, W_WIDTH, W_WPP, W_LAST_MASK, W_KH, W_KW, W_STRIDE, W_PAD_TOP, W_PAD_LEFT,
  W_OUT_H, W_OUT_W, W_SCRATCH_ROWS,
  WINDOW_ARGS
};
#define CONV_ARGS (GEMM_ARGS + WINDOW_ARGS)

/* A window over 8-bit NHWC images, for the bit-plane convolution (after the GEMM fields). */
enum {
  PW_INPUT, PW_HEIGHT, PW_WIDTH, PW_CHANNELS, PW_KH, PW_KW, PW_STRIDE_H, PW_STRIDE_W, PW_PAD_TOP,
  PW_PAD_LEFT, PW_OUT_H, PW_OUT_W, PW_PAD_VALUE, PW_SCRATCH_ROWS,
  PLANE_WINDOW_ARGS
};
#define PLANE_CONV_ARGS (GEMM_ARGS + PLANE_WINDOW_ARGS)

/* Max-pool: rows, output, then the window (kernel = pool size; last mask and scratch unused). */
enum { P_ROW_START, P_ROW_END, P_OUT, P_WINDOW };
#define POOL_ARGS (P_WINDOW + WINDOW_ARGS)

/* Packing float rows by sign. */
enum { K_ROW_START, K_ROW_END, K_SRC, K_SRC_STRIDE, K_COLS, K_OUT, K_OUT_STRIDE, PACK_ARGS };

#endif
