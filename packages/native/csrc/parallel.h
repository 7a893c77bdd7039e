/* Splitting a pass over [lo, hi) among threads started for the call (as sgemm.c does for its
 * bands): each range is a contiguous run of whole units, so a pass whose ranges touch disjoint
 * outputs gives the same bytes on any thread count. No pool, no global state (worker threads). */
#ifndef ONEBIT_PARALLEL_H
#define ONEBIT_PARALLEL_H

#include <stdint.h>

#define PARALLEL_MAX_THREADS 64

/* Calls body(ctx, a, b) on `threads` (at most; fewer when there are fewer units) ranges that cover
 * [lo, hi) in order, with every boundary but hi on a multiple of `unit` from lo; the calling thread
 * runs the first range, and any range whose thread cannot start. */
void parallel_ranges(int32_t threads, int64_t lo, int64_t hi, int64_t unit, void (*body)(void *, int64_t, int64_t),
                     void *ctx);

#endif
