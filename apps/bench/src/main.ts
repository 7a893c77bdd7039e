import os from "node:os";
import { packSigns, xnorDot } from "@onebit/bitops";
import { Bench } from "tinybench";

// Quick picture of what binarization buys: memory of packed ±1 vectors vs float32, and the
// reference (TypeScript SWAR) XNOR dot product vs a float32 dot product of the same length.
function floatDot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function randomSigns(k: number, seed: number): Float32Array {
  const out = new Float32Array(k);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < k; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 1 ? 1 : -1;
  }
  return out;
}

console.log(
  `onebit bench — ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node.js ${process.version}\n`,
);
const rows: Record<string, string | number>[] = [];
for (const k of [1024, 4096]) {
  const a = randomSigns(k, 1);
  const b = randomSigns(k, 2);
  const pa = packSigns(a);
  const pb = packSigns(b);
  if (xnorDot(pa.data, pb.data, k) !== floatDot(a, b))
    throw new Error(`xnorDot disagrees with the float dot at K = ${k}`);
  const bench = new Bench({ time: 300, warmup: true });
  let sink = 0;
  bench.add("float32 dot", () => {
    sink += floatDot(a, b);
  });
  bench.add("xnor dot (TS)", () => {
    sink += xnorDot(pa.data, pb.data, k);
  });
  await bench.run();
  const [f, x] = bench.tasks.map((t) => {
    const result = t.result;
    return result && "latency" in result ? (result.latency.p50 ?? Number.NaN) : Number.NaN;
  });
  rows.push({
    K: k,
    "float32 bytes": a.byteLength,
    "packed bytes": pa.data.byteLength,
    "size ratio": `${(a.byteLength / pa.data.byteLength).toFixed(1)}×`,
    "float dot median µs": (f! * 1e3).toFixed(3),
    "xnor dot median µs": (x! * 1e3).toFixed(3),
    speedup: `${(f! / x!).toFixed(1)}×`,
  });
  if (sink === Number.POSITIVE_INFINITY) console.log(sink);
}
console.table(rows);
