import { Rng, gemm } from "@onebit/tensor";
import { steSign, adam, createParam, weightClip } from "./src/index.js";
function main() {
  const rng = new Rng(1);
  const W = rng.uniformArray(1024 * 1024, -1.2, 1.2),
    Q = new Float32Array(W.length),
    G = rng.uniformArray(W.length, -1, 1);
  const q = steSign();
  const a = rng.uniformArray(100 * 1024, -1, 1),
    c = new Float32Array(100 * 1024);
  const p = createParam("w", [1024, 1024], "binary", W, weightClip(1));
  p.grad.set(G);
  const opt = adam();
  const clip = weightClip(1);
  for (let round = 0; round < 3; round++) {
    const T: Record<string, number> = {};
    const time = (k: string, f: () => void) => {
      const s = performance.now();
      for (let r = 0; r < 10; r++) f();
      T[k] = (performance.now() - s) / 10;
    };
    time("sign fwd 1M", () => q.forward(W, Q, 1024));
    time("ste bwd 1M", () => q.backward(W, G, G, 1024));
    time("adam 1M", () => opt.step([p]));
    time("clip 1M", () => clip.apply(W));
    time("gemm fwd", () => gemm(a, Q, c, 100, 1024, 1024));
    time("gemm gW", () => gemm(a, c, G, 1024, 1024, 100, { transA: true }));
    time("gemm gX", () => gemm(c, Q, a, 100, 1024, 1024, { transB: true }));
    console.log(
      Object.entries(T)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(" | "),
    );
  }
}
main();
