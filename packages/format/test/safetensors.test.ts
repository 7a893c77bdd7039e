import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FormatError,
  type FormatErrorCode,
  readSafetensors,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type SafetensorsTensor,
  safetensorsDTypeSize,
  writeSafetensors,
} from "../src/index.js";
import { loadSafetensors, saveSafetensors } from "../src/node.js";

/**
 * A safetensors file assembled by hand from the format's definition: u64 LE header length, the
 * JSON text padded with `pad` spaces, then the raw data bytes.
 */
function handMade(json: string, data: number[], pad = 0): Uint8Array {
  const text = [...new TextEncoder().encode(json), ...new Array(pad).fill(0x20)];
  const n = text.length;
  return Uint8Array.from([
    n & 0xff,
    (n >> 8) & 0xff,
    (n >> 16) & 0xff,
    n >>> 24,
    0,
    0,
    0,
    0,
    ...text,
    ...data,
  ]);
}

const f32le = (xs: number[]) => [...new Uint8Array(Float32Array.from(xs).buffer)];

function expectError(bytes: Uint8Array, code: FormatErrorCode, message?: RegExp) {
  let thrown: unknown;
  try {
    readSafetensors(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FormatError);
  expect(thrown).toMatchObject({ code });
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe("safetensors interop: byte-exact against the format's definition", () => {
  it("one F32 tensor: header length, JSON, data", () => {
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length % 8).toBe(0); // 64 bytes: no padding needed
    const file = handMade(json, f32le([0, 1, 2, 3, 4, 5]));
    const written = writeSafetensors({
      "attn.0": { dtype: "F32", shape: [1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) },
    });
    expect(written).toEqual(file);
    const read = readSafetensors(file);
    expect([...read.tensors.keys()]).toEqual(["attn.0"]);
    expect(Array.from(read.tensors.get("attn.0")!.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("pads the header with spaces to 8 bytes so tensors are aligned", () => {
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(65);
    const file = handMade(json, f32le([0, 1, 2, 3, 4, 5]), 7);
    expect(
      writeSafetensors(
        new Map([
          ["attn0", { dtype: "F32", shape: [1, 1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } as const],
        ]),
      ),
    ).toEqual(file);
    const t = readSafetensors(file).tensors.get("attn0")!;
    expect(t.data.buffer).toBe(file.buffer); // viewed in place
  });

  it("empty files, with and without metadata", () => {
    expect(writeSafetensors({})).toEqual(handMade("{}", [], 6));
    expect(writeSafetensors({}, { framework: "pt" })).toEqual(
      handMade('{"__metadata__":{"framework":"pt"}}', [], 5),
    );
    const m = readSafetensors(handMade('{"__metadata__":{"framework":"pt"}}', [], 5));
    expect(m.tensors.size).toBe(0);
    expect({ ...m.metadata }).toEqual({ framework: "pt" });
  });

  it("reads files written in any key order, several dtypes, and unaligned data", () => {
    // Keys out of offset order, an I64 and a U8 tensor, header not padded (data unaligned).
    const json =
      '{"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]},"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}';
    const file = handMade(json, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 8, 9]);
    const read = readSafetensors(file);
    expect([...read.tensors.keys()]).toEqual(["a", "b"]);
    expect(read.tensors.get("a")!.data[0]).toBe(-1n);
    expect(Array.from(read.tensors.get("b")!.data as Uint8Array)).toEqual([7, 8, 9]);
  });

  it("orders tensors like the reference writer: larger dtypes first, then by name (integer-like names too)", () => {
    const bytes = writeSafetensors({
      "10": { dtype: "U8", shape: [1], data: Uint8Array.of(1) },
      "2": { dtype: "U8", shape: [1], data: Uint8Array.of(2) },
      w: { dtype: "F64", shape: [1], data: Float64Array.of(0.5) },
    });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const json = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    expect(json).toBe(
      '{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"10":{"dtype":"U8","shape":[1],"data_offsets":[8,9]},"2":{"dtype":"U8","shape":[1],"data_offsets":[9,10]}}',
    );
  });
});

const ARRAY_OF: Record<SafetensorsDType, (n: number, r: () => number) => SafetensorsTensor["data"]> = {
  BOOL: (n, r) => Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)),
  U8: (n, r) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
  I8: (n, r) => Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128),
  F8_E5M2: (n, r) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
  F8_E4M3: (n, r) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
  I16: (n, r) => Int16Array.from({ length: n }, () => Math.floor(r() * 65536) - 32768),
  U16: (n, r) => Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)),
  F16: (n, r) => Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)),
  BF16: (n, r) => Uint16Array.from({ length: n }, () => Math.floor(r() * 65536)),
  I32: (n, r) => Int32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32) - 2 ** 31),
  U32: (n, r) => Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32)),
  F32: (n, r) => Float32Array.from({ length: n }, () => (r() - 0.5) * 1e6),
  F64: (n, r) => Float64Array.from({ length: n }, () => (r() - 0.5) * 1e300),
  I64: (n, r) =>
    BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * 2 ** 53)) * (r() < 0.5 ? -1n : 1n)),
  U64: (n, r) => BigUint64Array.from({ length: n }, () => BigInt(Math.floor(r() * 2 ** 53)) << 11n),
};

const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...SAFETENSORS_DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    seed: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ dtype, shape, seed }) => {
    let s = seed;
    const r = () => {
      s = (s * 9301 + 0.49297) % 1;
      return s;
    };
    const n = shape.reduce((a, b) => a * b, 1);
    return { dtype, shape, data: ARRAY_OF[dtype](n, r) } as SafetensorsTensor;
  });

describe("safetensors round trip (property)", () => {
  it("random tensors of every dtype, names and metadata come back identical", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== "__metadata__" && k !== "__proto__"),
          tensorArb,
          { maxKeys: 8 },
        ),
        fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 5 }), { nil: undefined }),
        (tensors, metadata) => {
          const bytes = writeSafetensors(tensors, metadata);
          const back = readSafetensors(bytes);
          expect(back.tensors.size).toBe(Object.keys(tensors).length);
          for (const [name, t] of Object.entries(tensors)) {
            const got = back.tensors.get(name)!;
            expect(got.dtype).toBe(t.dtype);
            expect(got.shape).toEqual(t.shape);
            expect(got.data.constructor).toBe(t.data.constructor);
            expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(
              Array.from(t.data as ArrayLike<number | bigint>),
            );
          }
          expect({ ...back.metadata }).toEqual(metadata ?? {});
          // Re-writing what was read gives the same bytes.
          expect(writeSafetensors(back.tensors, metadata === undefined ? undefined : back.metadata)).toEqual(
            bytes,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("element sizes follow the format", () => {
    expect(SAFETENSORS_DTYPES.map(safetensorsDTypeSize)).toEqual([
      1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8,
    ]);
  });
});

describe("safetensors validation", () => {
  const good = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  it.each<[string, Uint8Array, FormatErrorCode, RegExp]>([
    ["too short", Uint8Array.of(1, 0, 0), "TRUNCATED", /8-byte header length/],
    ["header past the end", handMade(good, f32le([1, 2])).subarray(0, 20), "TRUNCATED", /declared/],
    ["huge header length", Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0x7b), "TOO_LARGE", /cap/],
    ["not starting with {", handMade(` ${good}`, f32le([1, 2])), "BAD_HEADER", /start with '\{'/],
    ["not JSON", handMade('{"a":', []), "BAD_HEADER", /not valid JSON/],
    [
      "unknown dtype",
      handMade(good.replace("F32", "F128"), f32le([1, 2])),
      "BAD_TENSOR",
      /dtype: expected one of/,
    ],
    [
      "wrong size",
      handMade(good.replace("[2]", "[3]"), f32le([1, 2, 3])),
      "BAD_TENSOR",
      /holds 8 bytes, F32 \[3\] takes 12/,
    ],
    ["hole", handMade(good.replace("[0,8]", "[4,8]"), f32le([1, 2])), "BAD_TENSOR", /holds 4 bytes/],
    ["uncovered tail", handMade(good, [...f32le([1, 2]), 0]), "BAD_TENSOR", /cover 8 of its 9 bytes/],
    [
      "offset past end",
      handMade(good.replace("[0,8]", "[0,16]"), f32le([1, 2])),
      "BAD_TENSOR",
      /16 is outside \[0, 8\]/,
    ],
    [
      "reversed offsets",
      handMade(good.replace("[0,8]", "[8,0]"), f32le([1, 2])),
      "BAD_TENSOR",
      /data_offsets\[1\]/,
    ],
    ["three offsets", handMade(good.replace("[0,8]", "[0,4,8]"), f32le([1, 2])), "TOO_LARGE", /data_offsets/],
    ["negative dim", handMade(good.replace("[2]", "[-2]"), f32le([1, 2])), "BAD_TENSOR", /shape\[0\]/],
    [
      "huge shape",
      handMade(good.replace("[2]", "[4294967296,4294967296]"), f32le([1, 2])),
      "BAD_TENSOR",
      /needs more than/,
    ],
    [
      "metadata not strings",
      handMade('{"__metadata__":{"epoch":3}}', []),
      "BAD_HEADER",
      /__metadata__\["epoch"\]: expected a string/,
    ],
    [
      "overlap",
      handMade(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
        [1, 2, 3],
      ),
      "BAD_TENSOR",
      /overlapping/,
    ],
    [
      "bool of 2",
      handMade('{"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 2]),
      "BAD_TENSOR",
      /BOOL element 1 is 2/,
    ],
  ])("%s", (_, bytes, code, message) => expectError(bytes, code, message));

  it("rejects invalid UTF-8 in the header", () => {
    const b = handMade(good, f32le([1, 2]));
    b[10] = 0xff;
    expectError(b, "BAD_HEADER", /UTF-8/);
  });

  it("refuses to write what it could not read back", () => {
    expect(() => writeSafetensors({ a: { dtype: "F32", shape: [3], data: new Float32Array(2) } })).toThrow(
      /2 elements for shape \[3\]/,
    );
    expect(() =>
      writeSafetensors({ a: { dtype: "I64", shape: [1], data: new Float64Array(1) } as never }),
    ).toThrow(/BigInt64Array/);
    expect(() =>
      writeSafetensors({ __metadata__: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }),
    ).toThrow(/reserved/);
    expect(() => writeSafetensors({}, { epoch: 3 } as never)).toThrow(/metadata\["epoch"\]/);
  });

  it("fuzz: flips and truncations give FormatError or a valid file, never another exception", () => {
    const file = writeSafetensors(
      {
        w: { dtype: "F32", shape: [3, 5], data: new Float32Array(15).fill(0.5) },
        n: { dtype: "I64", shape: [2], data: BigInt64Array.of(1n, -1n) },
        m: { dtype: "BOOL", shape: [3], data: Uint8Array.of(0, 1, 1) },
      },
      { epoch: "3" },
    );
    const n = new DataView(file.buffer).getUint32(0, true);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (flips, cut) => {
          const b = file.slice();
          for (const { at, xor } of flips) b[at % (8 + n)]! ^= xor;
          for (const candidate of [b, b.subarray(0, cut % b.length)]) {
            try {
              readSafetensors(candidate);
            } catch (e) {
              if (!(e instanceof FormatError)) throw e;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("training checkpoints in safetensors (node entry)", () => {
  it("saves latent weights, BatchNorm statistics, optimizer state, epoch and RNG state exactly, atomically", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onebit-ckpt-"));
    try {
      const path = join(dir, "checkpoint.safetensors");
      const tensors = {
        "dense_1.kernel": {
          dtype: "F32",
          shape: [3, 2],
          data: Float32Array.of(0.25, -1, 1, 0.1, -0.3, 1e-8),
        },
        "batch_norm_1.moving_mean": { dtype: "F32", shape: [2], data: Float32Array.of(1.5, -2) },
        "batch_norm_1.moving_variance": { dtype: "F32", shape: [2], data: Float32Array.of(0.5, 4) },
        "optimizer.adam.m/dense_1.kernel": {
          dtype: "F32",
          shape: [3, 2],
          data: new Float32Array(6).fill(1e-3),
        },
        "optimizer.step": { dtype: "I64", shape: [], data: BigInt64Array.of(123456789n) },
        "rng.state": { dtype: "U32", shape: [4], data: Uint32Array.of(0xdeadbeef, 1, 2, 0xffffffff) },
      } as const;
      await saveSafetensors(path, tensors, { epoch: "7", "onebit.version": "0.1.0" });
      expect(readdirSync(dir)).toEqual(["checkpoint.safetensors"]);
      const back = await loadSafetensors(path);
      expect(back.metadata["epoch"]).toBe("7");
      for (const [name, t] of Object.entries(tensors)) {
        expect(Array.from(back.tensors.get(name)!.data as ArrayLike<number | bigint>)).toEqual(
          Array.from(t.data as ArrayLike<number | bigint>),
        );
      }
      await expect(loadSafetensors(join(dir, "missing.safetensors"))).rejects.toMatchObject({
        code: "IO_ERROR",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
