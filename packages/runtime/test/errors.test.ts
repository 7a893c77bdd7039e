import { writeModel } from "@onebit/format";
import { describe, expect, it } from "vitest";
import { Engine, RuntimeError } from "../src/index.js";
import { ModelBuilder, Rng } from "./random-models.js";

function floatModel() {
  return new ModelBuilder(new Rng(5))
    .input("float32", [4, 4, 2])
    .flatten()
    .denseFloat(8, "bits")
    .binaryDense(3, "scaleBias")
    .build();
}

function byteModel() {
  return new ModelBuilder(new Rng(6))
    .input("uint8", [10], { scale: 1 / 255, offset: 0 })
    .denseBitPlane(7, "bits")
    .binaryDense(3, "scaleBias")
    .build();
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    return (error as RuntimeError).code;
  }
  return undefined;
}

describe("input checks", () => {
  const engine = Engine.createSync(floatModel());

  it("rejects a length that is not a whole number of samples, naming the sizes", () => {
    expect(code(() => engine.runSync(new Float32Array(33)))).toBe("SHAPE_MISMATCH");
    expect(() => engine.runSync(new Float32Array(33))).toThrow(/33 values .* \[4, 4, 2\] \(32 values each\)/);
    expect(code(() => engine.runSync(new Float32Array(0)))).toBe("SHAPE_MISMATCH");
  });

  it("checks an explicit shape against the input and the length", () => {
    expect(engine.runSync(new Float32Array(64), { shape: [2, 4, 4, 2] }).batch).toBe(2);
    expect(engine.runSync(new Float32Array(32), { shape: [4, 4, 2] }).batch).toBe(1);
    expect(code(() => engine.runSync(new Float32Array(64), { shape: [2, 4, 2, 4] }))).toBe("SHAPE_MISMATCH");
    expect(code(() => engine.runSync(new Float32Array(64), { shape: [3, 4, 4, 2] }))).toBe("SHAPE_MISMATCH");
    expect(code(() => engine.runSync(new Float32Array(32), { shape: [1.5] }))).toBe("INVALID_ARGUMENT");
  });

  it("rejects NaN and infinities with the sample and element", () => {
    const x = new Float32Array(64);
    x[37] = Number.NaN;
    expect(code(() => engine.runSync(x))).toBe("NON_FINITE_INPUT");
    expect(() => engine.runSync(x)).toThrow(/index 37 \(sample 1, element 5\)/);
    x[37] = Number.POSITIVE_INFINITY;
    expect(code(() => engine.runSync(x))).toBe("NON_FINITE_INPUT");
    // A normalized input (x·scale + offset) is checked the same way.
    const scaled = Engine.createSync(
      new ModelBuilder(new Rng(5))
        .input("float32", [4, 4, 2], { scale: 0.5, offset: 0.25 })
        .flatten()
        .denseFloat(8, "bits")
        .binaryDense(3, "scaleBias")
        .build(),
    );
    x[37] = 0;
    x[63] = Number.NEGATIVE_INFINITY;
    expect(() => scaled.runSync(x)).toThrow(/-Infinity at index 63 \(sample 1, element 31\)/);
    x[63] = 0;
    expect(scaled.runSync(x).batch).toBe(2);
  });

  it("rejects other array types; bytes are fine for a float model", () => {
    expect(code(() => engine.runSync(new Float64Array(32) as never))).toBe("DTYPE_MISMATCH");
    expect(code(() => engine.runSync([1, 2, 3] as never))).toBe("DTYPE_MISMATCH");
    expect(engine.runSync(new Uint8Array(32)).batch).toBe(1);
  });

  it("an 8-bit model takes bytes only", () => {
    const bytes = Engine.createSync(byteModel());
    expect(bytes.inputInfo).toMatchObject({ dtype: "uint8", shape: [10], size: 10 });
    expect(code(() => bytes.runSync(new Float32Array(10)))).toBe("DTYPE_MISMATCH");
    expect(bytes.runSync(new Uint8ClampedArray(20)).batch).toBe(2);
  });

  it("async run rejects (never throws synchronously) with the same codes", async () => {
    await expect(engine.run(new Float32Array(3))).rejects.toMatchObject({ code: "SHAPE_MISMATCH" });
  });
});

describe("model checks", () => {
  it("corrupt bytes are INVALID_MODEL, naming the problem", () => {
    const bytes = writeModel(floatModel());
    const flipped = bytes.slice();
    flipped[flipped.length - 100]! ^= 0xff;
    expect(code(() => Engine.createSync(flipped))).toBe("INVALID_MODEL");
    expect(() => Engine.createSync(flipped)).toThrow(/CHECKSUM_MISMATCH/);
    expect(code(() => Engine.createSync(bytes.subarray(0, 40)))).toBe("INVALID_MODEL");
    expect(code(() => Engine.createSync(new TextEncoder().encode("not a model at all, sorry")))).toBe(
      "INVALID_MODEL",
    );
  });

  it("an unknown major version is UNSUPPORTED_MODEL", () => {
    const bytes = writeModel(floatModel());
    bytes[8] = 9; // major version (little-endian u16 after the 8-byte magic)
    expect(code(() => Engine.createSync(bytes))).toBe("UNSUPPORTED_MODEL");
  });

  it("an invalid in-memory model is INVALID_MODEL", () => {
    const m = floatModel();
    const broken = { ...m, graph: { nodes: m.graph.nodes.slice(1) } };
    expect(code(() => Engine.createSync(broken))).toBe("INVALID_MODEL");
    expect(code(() => Engine.createSync(42 as never))).toBe("INVALID_ARGUMENT");
  });

  it("bytes in another container are INVALID_ARGUMENT saying to view them as a Uint8Array", () => {
    const bytes = writeModel(floatModel());
    for (const [source, name] of [
      [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), "ArrayBuffer"],
      [new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), "DataView"],
      [new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), "Int8Array"],
    ] as const) {
      expect(() => Engine.createSync(source as never)).toThrow(
        `a model is .onebit bytes (Uint8Array), an OnebitModel or a GraphModel object, got ${name}: view the bytes as a Uint8Array (new Uint8Array(buffer))`,
      );
      expect(code(() => Engine.createSync(source as never))).toBe("INVALID_ARGUMENT");
    }
    expect(Engine.createSync(Buffer.from(bytes)).inputInfo.size).toBe(32);
  });

  it("bad options are INVALID_ARGUMENT", () => {
    expect(code(() => Engine.createSync(floatModel(), { backend: "gpu" as never }))).toBe("INVALID_ARGUMENT");
    expect(code(() => Engine.createSync(floatModel(), { maxBatch: 0 }))).toBe("INVALID_ARGUMENT");
  });

  it("threads without a pool are refused", async () => {
    await expect(Engine.create(floatModel(), { threads: 2 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});

describe("dispose", () => {
  it("later runs reject with DISPOSED; dispose is idempotent", async () => {
    const engine = await Engine.create(floatModel());
    const pending = engine.run(new Float32Array(32));
    await engine.dispose();
    await expect(pending).resolves.toBeDefined();
    await expect(engine.run(new Float32Array(32))).rejects.toMatchObject({ code: "DISPOSED" });
    expect(code(() => engine.runSync(new Float32Array(32)))).toBe("DISPOSED");
    await engine.dispose();
    expect(engine.disposed).toBe(true);
  });
});
