import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadFashionMnist, loadMnist } from "@onebit/datasets/node";
import { afterAll, describe, expect, it } from "vitest";
import { InferenceSession } from "../src/index.js";

// The models apps/train ships in models/ (MNIST and Fashion-MNIST): on the whole test set of the
// dataset the provenance names, the session must reach exactly the accuracy the trainer measured
// with the exported (packed) graph and recorded in the model's provenance.
const dir = join(import.meta.dirname, "..", "..", "..", "models");
const models = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".onebit")) : [];
const sessions: InferenceSession[] = [];
afterAll(() => Promise.all(sessions.map((s) => s.dispose())));

/** The test split of the dataset a model was trained on. */
function testSetOf(session: InferenceSession) {
  const fashion = session.metadata.provenance?.dataset === "Fashion-MNIST";
  return fashion ? loadFashionMnist({ split: "test" }) : loadMnist({ split: "test" });
}

describe.skipIf(models.length === 0)("shipped models", () => {
  it.each(models)("%s reaches its recorded test accuracy (1 and 2 threads agree)", async (file) => {
    const one = await InferenceSession.create(join(dir, file), { threads: 1 });
    const two = await InferenceSession.create(join(dir, file), { threads: 2 });
    sessions.push(one, two);
    const test = await testSetOf(one);
    const recorded = one.metadata.provenance?.accuracy;
    const [a, b] = await Promise.all([one.run(test.images), two.run(test.images)]);
    expect(b.predictions).toEqual(a.predictions);
    const correct = a.predictions!.filter((p, i) => p === test.labels[i]).length;
    expect(correct / test.count).toBeGreaterThan(0.85);
    if (recorded !== undefined) expect(correct / test.count).toBeCloseTo(recorded, 4);
  });

  it.each(models)(
    "%s: the default backend's scores equal wasm-i64's bit for bit, batch 1 and 300",
    async (file) => {
      const auto = await InferenceSession.create(join(dir, file), { threads: 1 });
      const wasm = await InferenceSession.create(join(dir, file), { threads: 1, backend: "wasm-i64" });
      sessions.push(auto, wasm);
      const test = await testSetOf(auto);
      const size = 28 * 28;
      for (const images of [test.images.subarray(0, size), test.images.subarray(size, 301 * size)]) {
        const [a, b] = await Promise.all([auto.run(images), wasm.run(images)]);
        expect(Array.from(a.logits), `${file} on ${auto.getBackendInfo().backend}`).toEqual(
          Array.from(b.logits),
        );
      }
    },
  );
});
