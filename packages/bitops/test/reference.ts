// Naive ±1 arithmetic that the packed implementations must agree with.
export const sign = (v: number): number => (v >= 0 ? 1 : -1);

export function naiveDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += sign(a[i]!) * sign(b[i]!);
  return s;
}

export function naiveGemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Int32Array {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      out[i * n + j] = naiveDot(a.subarray(i * k, i * k + k), b.subarray(j * k, j * k + k));
  return out;
}
