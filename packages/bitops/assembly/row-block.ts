/** Rows per block of every GEMM tile's panel-outer loop: keeps a block of A in L1/L2 while a panel streams once. */
export const ROW_BLOCK: i32 = 32;
