// BatchNorm's training passes over [rows, c] float32 data, in float64 two channels at a time
// (f64x2), with the same operations in the same order as the TypeScript loops they replace.

/** acc[j] = Σᵣ a[r][j], acc2[j] = Σᵣ a[r][j]·b[r][j] (b = a for the sum of squares); acc, acc2 float64. */
export function channelSums(a: usize, b: usize, rows: i32, c: i32, acc: usize, acc2: usize): void {
  memory.fill(acc, 0, (<usize>c) << 3);
  memory.fill(acc2, 0, (<usize>c) << 3);
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const rowA = a + ((<usize>r * <usize>c) << 2);
    const rowB = b + ((<usize>r * <usize>c) << 2);
    for (let j = 0; j < c2; j += 2) {
      const va = f64x2.promote_low_f32x4(v128.load64_zero(rowA + ((<usize>j) << 2)));
      const vb = f64x2.promote_low_f32x4(v128.load64_zero(rowB + ((<usize>j) << 2)));
      const p = acc + ((<usize>j) << 3);
      const q = acc2 + ((<usize>j) << 3);
      v128.store(p, f64x2.add(v128.load(p), va));
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(va, vb)));
    }
    for (let j = c2; j < c; j++) {
      const va = <f64>load<f32>(rowA + ((<usize>j) << 2));
      const vb = <f64>load<f32>(rowB + ((<usize>j) << 2));
      store<f64>(acc + ((<usize>j) << 3), load<f64>(acc + ((<usize>j) << 3)) + va);
      store<f64>(acc2 + ((<usize>j) << 3), load<f64>(acc2 + ((<usize>j) << 3)) + va * vb);
    }
  }
}

/** x̂ = (x − mean)·invStd, y = γ·x̂ + β (x̂ unrounded in y); mean float64, the rest float32. */
export function normalize(
  x: usize,
  rows: i32,
  c: i32,
  mean: usize,
  invStd: usize,
  gamma: usize,
  beta: usize,
  xhat: usize,
  y: usize,
): void {
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c2; j += 2) {
      const f = (<usize>j) << 2;
      const xv = f64x2.promote_low_f32x4(v128.load64_zero(x + o + f));
      const s = f64x2.promote_low_f32x4(v128.load64_zero(invStd + f));
      const h = f64x2.mul(f64x2.sub(xv, v128.load(mean + ((<usize>j) << 3))), s);
      v128.store64_lane(xhat + o + f, f32x4.demote_f64x2_zero(h), 0);
      const g = f64x2.promote_low_f32x4(v128.load64_zero(gamma + f));
      const b = f64x2.promote_low_f32x4(v128.load64_zero(beta + f));
      v128.store64_lane(y + o + f, f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(g, h), b)), 0);
    }
    for (let j = c2; j < c; j++) {
      const f = (<usize>j) << 2;
      const h =
        (<f64>load<f32>(x + o + f) - load<f64>(mean + ((<usize>j) << 3))) * <f64>load<f32>(invStd + f);
      store<f32>(xhat + o + f, <f32>h);
      store<f32>(y + o + f, <f32>(<f64>load<f32>(gamma + f) * h + <f64>load<f32>(beta + f)));
    }
  }
}

/** gx = γ·invStd·(g − meanG − x̂·meanGH) with meanG, meanGH float64, the rest float32. */
export function normalizeBackward(
  g: usize,
  xhat: usize,
  rows: i32,
  c: i32,
  gamma: usize,
  invStd: usize,
  meanG: usize,
  meanGH: usize,
  gx: usize,
): void {
  const c2 = c & ~1;
  for (let r = 0; r < rows; r++) {
    const o = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c2; j += 2) {
      const f = (<usize>j) << 2;
      const d = (<usize>j) << 3;
      const scale = f64x2.mul(
        f64x2.promote_low_f32x4(v128.load64_zero(gamma + f)),
        f64x2.promote_low_f32x4(v128.load64_zero(invStd + f)),
      );
      const gv = f64x2.promote_low_f32x4(v128.load64_zero(g + o + f));
      const hv = f64x2.promote_low_f32x4(v128.load64_zero(xhat + o + f));
      const inner = f64x2.sub(f64x2.sub(gv, v128.load(meanG + d)), f64x2.mul(hv, v128.load(meanGH + d)));
      v128.store64_lane(gx + o + f, f32x4.demote_f64x2_zero(f64x2.mul(scale, inner)), 0);
    }
    for (let j = c2; j < c; j++) {
      const f = (<usize>j) << 2;
      const d = (<usize>j) << 3;
      const scale = <f64>load<f32>(gamma + f) * <f64>load<f32>(invStd + f);
      const inner =
        <f64>load<f32>(g + o + f) -
        load<f64>(meanG + d) -
        <f64>load<f32>(xhat + o + f) * load<f64>(meanGH + d);
      store<f32>(gx + o + f, <f32>(scale * inner));
    }
  }
}
