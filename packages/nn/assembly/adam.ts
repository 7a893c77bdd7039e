// Optimizer updates over f32 arrays in this module's memory, four lanes at a time (f32x4).
// Every lane op is an IEEE f32 operation (no fused multiply-add), so the scalar tail and the
// TypeScript fallback (Math.fround after every op) give the same bits.

/**
 * Adam with a box clamp: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← clamp(w − lr·m/(√v + ε̂), lo, hi).
 * `oneMinusBeta1` / `oneMinusBeta2` come from the caller so every path rounds them the same way.
 */
export function adam(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  lr: f32,
  epsHat: f32,
  lo: f32,
  hi: f32,
): void {
  const vb1 = f32x4.splat(beta1);
  const vc1 = f32x4.splat(oneMinusBeta1);
  const vb2 = f32x4.splat(beta2);
  const vc2 = f32x4.splat(oneMinusBeta2);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(epsHat);
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  const end4 = (<usize>(n & ~3)) << 2;
  for (let off: usize = 0; off < end4; off += 16) {
    const gi = v128.load(g + off);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + off)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + off)), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const step = f32x4.div(f32x4.mul(vlr, mi), f32x4.add(f32x4.sqrt(vi), veps));
    const wi = f32x4.sub(v128.load(w + off), step);
    v128.store(w + off, f32x4.min(vhi, f32x4.max(vlo, wi)));
  }
  for (let off = end4; off < (<usize>n) << 2; off += 4) {
    const gi = load<f32>(g + off);
    const mi = beta1 * load<f32>(m + off) + oneMinusBeta1 * gi;
    const vi = beta2 * load<f32>(v + off) + oneMinusBeta2 * gi * gi;
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    const wi = load<f32>(w + off) - (lr * mi) / (Mathf.sqrt(vi) + epsHat);
    store<f32>(w + off, Mathf.min(hi, Mathf.max(lo, wi)));
  }
}
