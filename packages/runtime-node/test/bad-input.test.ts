import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeModel } from "@onebit/format";
import { afterAll, describe, expect, it } from "vitest";
import { InferenceSession, RuntimeError } from "../src/index.js";
import { ModelBuilder, Rng } from "./models.js";

// What a user meets when the input is wrong: InferenceSession.run on the worker-thread path (the
// Engine's own checks are tested in @onebit/runtime) rejects with RuntimeError and a code, never a
// crash, a hang or garbage; the session still works afterwards.

const dir = mkdtempSync(join(tmpdir(), "onebit-bad-input-"));
const shipped = join(import.meta.dirname, "..", "..", "..", "models", "mnist-tiny.onebit");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A float-input MLP: 12 values in, 3 classes out. */
function floatModel(): Uint8Array {
  return writeModel(
    new ModelBuilder(new Rng(4))
      .input("float32", [12], { scale: 1, offset: 0 })
      .denseFloat(40, "bits")
      .binaryDense(3, "scaleBias")
      .argmax()
      .build(),
  );
}

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RuntimeError);
  return error as RuntimeError;
}

describe("InferenceSession.run on bad input (2 threads, every pass on the workers)", () => {
  it("NaN and infinities are NON_FINITE_INPUT naming the element; the session still runs", async () => {
    const s = await InferenceSession.create(floatModel(), {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
    });
    try {
      const x = new Float32Array(12 * 4);
      x[30] = Number.NaN;
      const nan = await rejection(s.run(x));
      expect(nan.code).toBe("NON_FINITE_INPUT");
      expect(nan.message).toMatch(/index 30 \(sample 2, element 6\)/);
      x[30] = Number.NEGATIVE_INFINITY;
      expect((await rejection(s.run(x))).code).toBe("NON_FINITE_INPUT");
      x[30] = 0;
      expect((await s.run(x)).predictions).toHaveLength(4);
    } finally {
      await s.dispose();
    }
  });

  it("wrong length, shape or dtype is SHAPE_MISMATCH / DTYPE_MISMATCH / INVALID_ARGUMENT with the numbers", async () => {
    const s = await InferenceSession.create(shipped, {
      threads: 2,
      parallelThresholdNs: Number.NEGATIVE_INFINITY,
    });
    try {
      const short = await rejection(s.run(new Uint8Array(783)));
      expect(short).toMatchObject({ code: "SHAPE_MISMATCH", message: expect.stringMatching(/783 values/) });
      expect((await rejection(s.run(new Uint8Array(0)))).code).toBe("SHAPE_MISMATCH");
      const shape = await rejection(s.run(new Uint8Array(784), { shape: [1, 28, 28, 3] }));
      expect(shape).toMatchObject({
        code: "SHAPE_MISMATCH",
        message: expect.stringMatching(/\[1, 28, 28, 3\]/),
      });
      expect((await rejection(s.run(new Uint8Array(784), { shape: [-1, 28, 28, 1] }))).code).toBe(
        "INVALID_ARGUMENT",
      );
      const float = await rejection(s.run(new Float32Array(784)));
      expect(float).toMatchObject({ code: "DTYPE_MISMATCH", message: expect.stringMatching(/Float32Array/) });
      for (const wrong of [new Int32Array(784), new Float64Array(784), Array(784).fill(0), null, "pixels"]) {
        expect((await rejection(s.run(wrong as never))).code).toBe("DTYPE_MISMATCH");
      }
      expect((await s.run(new Rng(1).bytes(784 * 3))).predictions).toHaveLength(3);
    } finally {
      await s.dispose();
    }
  });

  it("after dispose, run is DISPOSED (and dispose stays safe to repeat)", async () => {
    const s = await InferenceSession.create(shipped, { threads: 2 });
    await s.dispose();
    await s.dispose();
    expect((await rejection(s.run(new Uint8Array(784)))).code).toBe("DISPOSED");
  });
});

describe("InferenceSession.create on a damaged model file", () => {
  const model = readFileSync(shipped);
  const damaged = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it("truncated, byte-flipped or empty files are INVALID_MODEL naming the problem", async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["half.onebit", model.subarray(0, model.length >> 1), /declares \d+ bytes but only \d+ are present/],
      ["ten.onebit", model.subarray(0, 10), /10 bytes, shorter than/],
      ["empty.onebit", new Uint8Array(0), /0 bytes/],
      ["magic.onebit", Uint8Array.from(model, (b, i) => (i === 0 ? b ^ 0xff : b)), /not a \.onebit file/],
      ["middle.onebit", Uint8Array.from(model, (b, i) => (i === model.length >> 1 ? b ^ 1 : b)), /checksum/],
    ];
    for (const [name, bytes, problem] of cases) {
      const error = await rejection(InferenceSession.create(damaged(name, bytes)));
      expect(error.code, name).toBe("INVALID_MODEL");
      expect(error.message, name).toMatch(problem);
    }
  });

  it("a directory or a missing file is IO_ERROR naming the path", async () => {
    for (const path of [dir, join(dir, "missing.onebit")]) {
      const error = await rejection(InferenceSession.create(path));
      expect(error).toMatchObject({ code: "IO_ERROR", message: expect.stringContaining(path) });
    }
  });
});
