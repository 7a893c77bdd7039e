/* parallel.h: one pthread per extra range, joined before returning. */
#include "parallel.h"

#include <pthread.h>

typedef struct {
  void (*body)(void *, int64_t, int64_t);
  void *ctx;
  int64_t lo, hi;
} range_t;

static void *run_range(void *arg) {
  const range_t *r = arg;
  if (r->hi > r->lo) r->body(r->ctx, r->lo, r->hi);
  return NULL;
}

void parallel_ranges(int32_t threads, int64_t lo, int64_t hi, int64_t unit, void (*body)(void *, int64_t, int64_t),
                     void *ctx) {
  const int64_t units = unit > 0 ? (hi - lo + unit - 1) / unit : 0;
  int64_t count = threads < PARALLEL_MAX_THREADS ? threads : PARALLEL_MAX_THREADS;
  if (count > units) count = units;
  if (count <= 1) {
    if (hi > lo) body(ctx, lo, hi);
    return;
  }
  range_t ranges[PARALLEL_MAX_THREADS];
  pthread_t ids[PARALLEL_MAX_THREADS];
  int started[PARALLEL_MAX_THREADS] = {0};
  for (int64_t t = 0; t < count; t++) {
    const int64_t a = lo + units * t / count * unit, b = lo + units * (t + 1) / count * unit;
    ranges[t] = (range_t){body, ctx, a, b < hi ? b : hi};
  }
  for (int64_t t = 1; t < count; t++) started[t] = pthread_create(&ids[t], NULL, run_range, &ranges[t]) == 0;
  run_range(&ranges[0]);
  for (int64_t t = 1; t < count; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
    else run_range(&ranges[t]);
  }
}
