import { runReference } from "@onebit/format";
import { afterAll, describe, expect, it } from "vitest";
import { residualModel } from "../../format/test/graph-builder.js";
import { InferenceSession } from "../src/index.js";
import { Rng } from "./models.js";

// Version 2 residual graphs on worker threads: every pass forced onto 2 workers gives the
// reference interpreter's logits bit for bit, as one thread does.

const sessions: InferenceSession[] = [];
afterAll(() => Promise.all(sessions.map((s) => s.dispose())));

describe("graphs with threads", () => {
  it("1 and 2 threads agree with the reference on a residual graph, batches 1 and 9", async () => {
    const model = residualModel(5, 40);
    const one = await InferenceSession.create(model, { threads: 1 });
    const two = await InferenceSession.create(model, {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
      maxBatch: 4,
    });
    sessions.push(one, two);
    const rng = new Rng(3);
    for (const batch of [1, 9]) {
      const x = rng.bytes(8 * 8 * 3 * batch);
      const [a, b] = await Promise.all([one.run(x), two.run(x)]);
      const want = runReference(model, { image: x }, batch)["logits"]!;
      expect(Array.from(a.logits)).toEqual(Array.from(want.data));
      expect(Array.from(b.logits)).toEqual(Array.from(want.data));
      expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    }
  });
});
