import { InferenceSession as RuntimeInferenceSession } from "@onebit/runtime";
import { describe, expect, it } from "vitest";
import { InferenceSession } from "../src/index.js";
import { Rng, mnistMlpBytes } from "./models.js";

// One InferenceSession, written once in @onebit/runtime: the Node.js package only adds its
// environment (files, worker_threads, default thread count).

describe("the shared InferenceSession", () => {
  it("is @onebit/runtime's class, with runSync, disposed and getBackendInfo counting threaded passes", async () => {
    const s = await InferenceSession.create(mnistMlpBytes(), {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
    });
    expect(s).toBeInstanceOf(RuntimeInferenceSession);
    expect(s.getBackendInfo()).toMatchObject({ threads: 2, requestedThreads: 2, threadedRuns: 0 });
    expect(s.getBackendInfo().reason).toMatch(/worker_threads/);
    const x = new Rng(1).bytes(784 * 64);
    const threaded = await s.run(x);
    expect(s.getBackendInfo().threadedRuns).toBeGreaterThan(0);
    expect(Array.from(s.runSync(x).logits)).toEqual(Array.from(threaded.logits));
    expect(s.modelBytes).toBe(mnistMlpBytes().byteLength);
    expect(s.disposed).toBe(false);
    await s.dispose();
    expect(s.disposed).toBe(true);
    const one = await InferenceSession.create(mnistMlpBytes(), { threads: 1 });
    expect(one.getBackendInfo()).toMatchObject({ threads: 1, reason: "1 thread requested" });
    await one.dispose();
  });
});
