import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { InferenceSession } from "../src/index.js";
import { sessionPools } from "../src/session.js";
import { Rng } from "./models.js";

// Worker threads run a residual graph's float steps (stem convolution, BatchNorm → add → sign
// chains, PReLU, the float head) on the same glue as the calling thread — the WebAssembly glue, or
// the native one on the native backend — and say which; the results stay bit-identical.

const model = readFileSync(new URL("../../../models/fmnist-bireal.onebit", import.meta.url));
const sessions: InferenceSession[] = [];
afterAll(() => Promise.all(sessions.map((s) => s.dispose())));

const backends = [
  ["wasm-i64", "wasm"],
  ["typescript", "typescript"],
  // The native backend where the addon loads here (creating a session says so).
  ...((await InferenceSession.create(model, { backend: "native" }).then(
    (s) => s.dispose().then(() => true),
    () => false,
  ))
    ? ([["native", "native"]] as const)
    : []),
] as const;

describe("worker threads on a residual model (fmnist-bireal)", () => {
  it.each(backends)(
    "backend %s: 2 threads give the 1-thread logits bit for bit, on the %s glue",
    async (backend, glue) => {
      const one = await InferenceSession.create(model, { threads: 1, backend });
      const two = await InferenceSession.create(model, {
        threads: 2,
        backend,
        parallelThresholdNs: Number.NEGATIVE_INFINITY,
      });
      sessions.push(one, two);
      const x = new Rng(11).bytes(28 * 28 * 5);
      const [a, b] = [await one.run(x), await two.run(x)];
      expect(two.getBackendInfo().threadedRuns).toBeGreaterThan(0);
      expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
      expect(sessionPools(two)[0]!.floatGlue).toEqual([glue, glue]);
    },
  );
});
