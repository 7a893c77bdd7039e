import { describe, expect, it } from "vitest";
import { type FormatErrorCode, inferValueInfos, parseGraph, readModel, writeModel } from "../src/index.js";
import { buildFile, convModel, fixChecksum, mlpModel, splitFile } from "./fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: tests edit parsed JSON freely
type Json = Record<string, any>;

function expectError(bytes: Uint8Array, code: FormatErrorCode, message?: RegExp) {
  let thrown: unknown;
  try {
    readModel(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "readModel should have thrown").toBeDefined();
  expect(thrown).toMatchObject({ name: "FormatError", code });
  if (message) expect((thrown as Error).message).toMatch(message);
}

/** A valid file's header edited by `edit`, rebuilt with consistent lengths and checksum. */
function edited(edit: (header: Json, data: Uint8Array) => void, model = mlpModel()): Uint8Array {
  const { header, data } = splitFile(writeModel(model));
  edit(header as Json, data);
  return buildFile(header, data);
}

const tensorIndex = (h: Json, name: string) => (h.tensors as Json[]).findIndex((t) => t.name === name);

describe("fixed header and container", () => {
  const valid = writeModel(mlpModel());

  it("rejects what is not a .onebit file", () => {
    expectError(new Uint8Array(0), "TRUNCATED");
    expectError(valid.subarray(0, 5), "TRUNCATED");
    expectError(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0), "BAD_MAGIC", /byte 0 is 0x50/);
    const safetensors = new Uint8Array(16);
    safetensors.set(new TextEncoder().encode("{}      "), 8);
    expectError(safetensors, "BAD_MAGIC");
  });

  it("gives TRUNCATED for every truncation of a valid file", () => {
    for (let n = 0; n < valid.length; n++) expectError(valid.subarray(0, n), "TRUNCATED");
  });

  it("checks versions: reads any minor of major 1, rejects other majors by name", () => {
    const { header, data } = splitFile(valid);
    expect(readModel(buildFile(header, data, { minor: 7 })).metadata.name).toBe("mnist-mlp-test");
    expectError(
      buildFile(header, data, { major: 2, minor: 3 }),
      "UNSUPPORTED_VERSION",
      /format 2\.3.*major version 1/,
    );
    expectError(buildFile(header, data, { major: 0 }), "UNSUPPORTED_VERSION");
  });

  it("ignores JSON members it does not define (forward compatibility within a major)", () => {
    const bytes = edited((h) => {
      h.future = { anything: [1, 2, 3] };
      h.graph.nodes[1].hint = "fast";
      h.tensors[0].compression = "none";
      h.metadata.provenance.gpu = "none";
    });
    const model = readModel(bytes);
    expect(model.graph).toEqual(mlpModel().graph);
    expect(writeModel(model)).toEqual(writeModel(mlpModel()));
  });

  it("rejects reserved bits, trailing bytes, absurd lengths, bad padding", () => {
    const { header, data } = splitFile(valid);
    expectError(buildFile(header, data, { flags: 1 }), "BAD_HEADER", /flags/);
    expectError(buildFile(header, data, { reserved: 9 }), "BAD_HEADER", /reserved/);
    const longer = new Uint8Array(valid.length + 3);
    longer.set(valid);
    expectError(longer, "BAD_HEADER", /trailing/);
    expectError(
      buildFile(header, data, { fileLength: 2 ** 52 }),
      "TRUNCATED",
      /declares 4503599627370496 bytes/,
    );
    expectError(buildFile(header, data, { fileLength: 2 ** 63 }), "TRUNCATED");

    const setHeaderLength = (n: number) => {
      const b = valid.slice();
      new DataView(b.buffer).setUint32(24, n, true);
      return fixChecksum(b);
    };
    expectError(setHeaderLength(0xffffffff), "TOO_LARGE", /headerLength/);
    expectError(setHeaderLength(valid.length), "TRUNCATED", /headerLength/);
    expectError(setHeaderLength(0), "BAD_HEADER");
    const h = new DataView(valid.buffer).getUint32(24, true);
    const padded = valid.slice();
    padded[32 + h] = 1;
    if (32 + h < Math.ceil((32 + h) / 64) * 64) expectError(fixChecksum(padded), "BAD_HEADER", /padding/);
  });

  it("honours a lower header cap", () => {
    expect(() => readModel(valid, { maxHeaderBytes: 100 })).toThrow(
      expect.objectContaining({ code: "TOO_LARGE" }),
    );
  });

  it("detects a flipped bit anywhere with the checksum", () => {
    for (const at of [0x20, 40, valid.length >> 1, valid.length - 5, valid.length - 1]) {
      const b = valid.slice();
      b[at]! ^= 0x10;
      expectError(b, at < 8 ? "BAD_MAGIC" : "CHECKSUM_MISMATCH", /checksum|magic/);
    }
  });

  it("rejects a header that is not UTF-8, not JSON, or not an object", () => {
    const raw = (bytes: number[]) => {
      const b = buildFile("{}");
      b.set(bytes, 32);
      return fixChecksum(b);
    };
    expectError(raw([0xc3, 0x28]), "BAD_HEADER", /UTF-8/);
    expectError(buildFile('{"graph": '), "BAD_HEADER", /not valid JSON/);
    expectError(buildFile("[1, 2]"), "BAD_HEADER", /header: expected an object/);
    expectError(buildFile(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), "TOO_LARGE", /maxHeaderDepth/);
  });
});

describe("tensor table", () => {
  it.each<[string, (h: Json, d: Uint8Array) => void, FormatErrorCode, RegExp]>([
    ["missing table", (h) => delete h.tensors, "BAD_TENSOR", /tensors: expected an array/],
    ["duplicate name", (h) => (h.tensors[1].name = h.tensors[0].name), "BAD_TENSOR", /duplicate tensor name/],
    ["empty name", (h) => (h.tensors[0].name = ""), "BAD_TENSOR", /name: must not be empty/],
    [
      "unknown dtype",
      (h) => (h.tensors[0].dtype = "float16"),
      "BAD_TENSOR",
      /dtype: expected one of .*"float16"/,
    ],
    ["negative dimension", (h) => (h.tensors[2].shape = [-1]), "BAD_TENSOR", /shape\[0\]: -1 is outside/],
    ["fractional dimension", (h) => (h.tensors[2].shape = [1.5]), "BAD_TENSOR", /expected an integer/],
    ["string dimension", (h) => (h.tensors[2].shape = ["64"]), "BAD_TENSOR", /expected an integer/],
    ["rank 9", (h) => (h.tensors[2].shape = [1, 1, 1, 1, 1, 1, 1, 1, 64]), "TOO_LARGE", /cap of 8/],
    ["2³¹ elements", (h) => (h.tensors[2].shape = [65536, 32768]), "TOO_LARGE", /more than 2147483647/],
    [
      "wrong byteLength",
      (h) => (h.tensors[2].byteLength += 4),
      "BAD_TENSOR",
      /byteLength: 68 bytes, but uint8 \[64\] takes 64/,
    ],
    ["unaligned offset", (h) => (h.tensors[1].offset += 4), "BAD_TENSOR", /not a multiple of 64/],
    [
      "offset past the end",
      (h) => (h.tensors[1].offset = 1 << 30),
      "BAD_TENSOR",
      /run past the .*data section/,
    ],
    ["huge offset", (h) => (h.tensors[1].offset = 2 ** 60), "BAD_TENSOR", /outside/],
    ["overlap", (h) => (h.tensors[2].offset = h.tensors[1].offset), "BAD_TENSOR", /overlaps/],
    ["bit layout rows", (h) => (h.tensors[0].layout.rows = 63), "BAD_TENSOR", /rows × cols = 63 × 784/],
    [
      "bit layout words",
      (h) => (h.tensors[0].layout.wordsPerRow = 24),
      "BAD_TENSOR",
      /wordsPerRow: 24 is outside/,
    ],
    ["bit layout missing", (h) => delete h.tensors[0].layout, "BAD_TENSOR", /layout: expected an object/],
    [
      "layout on float",
      (h) => (h.tensors[7].layout = { rows: 1, cols: 10, wordsPerRow: 1 }),
      "BAD_TENSOR",
      /only bit tensors/,
    ],
    ["rank-0 bit tensor", (h) => (h.tensors[0].shape = []), "BAD_TENSOR", /rank ≥ 1/],
  ])("%s", (_, edit, code, message) => {
    expectError(edited(edit), code, message);
  });

  it("rejects set padding bits in a packed tensor", () => {
    const bytes = edited((h, data) => {
      const t = h.tensors[tensorIndex(h, "fc1.weights")];
      // 784 columns = 24.5 words: bit 16 of each row's 25th word is padding.
      data[t.offset + 24 * 4 + 2] = 0x01;
    });
    expectError(bytes, "BAD_TENSOR", /"fc1.weights".*row 0 has bits set past column 784/);
  });
});

describe("graph", () => {
  const nodes = (h: Json) => h.graph.nodes as Json[];
  it.each<[string, (h: Json) => void, FormatErrorCode, RegExp]>([
    ["no nodes", (h) => (h.graph.nodes = []), "BAD_GRAPH", /at least its input/],
    [
      "unknown op",
      (h) => (nodes(h)[2]!.op = "lstm"),
      "BAD_GRAPH",
      /nodes\[2\]\.op: expected one of .*"lstm"/,
    ],
    ["first node not input", (h) => nodes(h).shift(), "BAD_GRAPH", /first node must be "input"/],
    [
      "second input",
      (h) => nodes(h).splice(1, 0, { ...nodes(h)[0], name: "again" }),
      "BAD_GRAPH",
      /only the first/,
    ],
    [
      "node after argmax",
      (h) => nodes(h).push({ op: "softmax", name: "late" }),
      "BAD_GRAPH",
      /nothing may follow "argmax"/,
    ],
    ["duplicate node name", (h) => (nodes(h)[2]!.name = "fc1"), "BAD_GRAPH", /duplicate node name "fc1"/],
    [
      "missing tensor",
      (h) => (nodes(h)[2]!.weights = "nope"),
      "BAD_GRAPH",
      /"fc2"\)\.weights: tensor "nope" is not in the tensor table/,
    ],
    [
      "wrong dtype",
      (h) => (nodes(h)[2]!.weights = "fc3.scale"),
      "BAD_GRAPH",
      /has dtype float32, expected bit/,
    ],
    [
      "wrong shape",
      (h) => (nodes(h)[3]!.weights = "fc2.weights"),
      "BAD_GRAPH",
      /shape \[32, 64\], expected \[units, 32\]/,
    ],
    [
      "wrong kind",
      (h) => (nodes(h)[1]!.op = "binaryDense"),
      "BAD_GRAPH",
      /binaryDense takes bits input.*uint8/,
    ],
    [
      "softmax of bits",
      (h) => nodes(h).splice(2, 0, { op: "softmax", name: "s" }),
      "BAD_GRAPH",
      /softmax takes float32/,
    ],
    [
      "bad output kind",
      (h) => (nodes(h)[2]!.output = { kind: "float32" }),
      "BAD_GRAPH",
      /output\.kind: expected one of "bits", "scaleBias"/,
    ],
    [
      "flip of wrong dtype",
      (h) => (nodes(h)[1]!.output.flip = "fc1.thresholds"),
      "BAD_GRAPH",
      /flip: tensor .* dtype int32, expected uint8/,
    ],
    [
      "threshold count",
      (h) => (nodes(h)[2]!.output.thresholds = "fc1.thresholds"),
      "BAD_GRAPH",
      /shape \[64\], expected \[32\]/,
    ],
    [
      "normalization scale 0",
      (h) => (nodes(h)[0]!.normalization.scale = 0),
      "BAD_GRAPH",
      /scale: must not be 0/,
    ],
    ["input rank 2", (h) => (nodes(h)[0]!.shape = [28, 28]), "BAD_GRAPH", /rank 2/],
    ["input dim 0", (h) => (nodes(h)[0]!.shape = [0]), "BAD_GRAPH", /shape\[0\]: 0 is outside/],
    ["labels count", (h) => h.metadata.labels.pop(), "BAD_HEADER", /9 labels for 10 output classes/],
    ["metadata name", (h) => delete h.metadata.name, "BAD_HEADER", /metadata\.name: expected a string/],
    ["accuracy", (h) => (h.metadata.provenance.accuracy = 98.1), "BAD_HEADER", /not a fraction/],
    ["extra object", (h) => (h.metadata.extra.nested = {}), "BAD_HEADER", /extra\["nested"\]/],
  ])("%s", (_, edit, code, message) => {
    expectError(edited(edit), code, message);
  });

  it.each<[string, (h: Json) => void, FormatErrorCode, RegExp]>([
    [
      "kernel vs weights",
      (h) => (nodes(h)[3]!.kernel = [2, 3]),
      "BAD_GRAPH",
      /expected \[outChannels, 2, 3, 5\]/,
    ],
    [
      "window too big",
      (h) => Object.assign(nodes(h)[2]!, { padding: "valid", kernel: [10, 2] }),
      "BAD_GRAPH",
      /'valid' window does not fit/,
    ],
    ["stride 0", (h) => (nodes(h)[3]!.stride = [0, 1]), "BAD_GRAPH", /stride\[0\]: 0 is outside/],
    ["pair of 3", (h) => (nodes(h)[3]!.stride = [1, 1, 1]), "TOO_LARGE", /stride/],
    [
      "padding",
      (h) => (nodes(h)[3]!.padding = "full"),
      "BAD_GRAPH",
      /padding: expected one of "same", "valid"/,
    ],
    [
      "minMask on float",
      (h) => nodes(h).splice(1, 0, { ...nodes(h)[2], name: "p0" }),
      "BAD_GRAPH",
      /minMask/,
    ],
    [
      "padValue type",
      (h) => (nodes(h)[1]!.padValue = "0"),
      "BAD_GRAPH",
      /padValue: expected a finite number/,
    ],
    ["flatten of index", (h) => nodes(h).push({ op: "flatten", name: "x" }), "BAD_GRAPH", /follow "argmax"/],
  ])("conv: %s", (_, edit, code, message) => {
    expectError(edited(edit, convModel()), code, message);
  });

  it("rejects bit-plane layers whose integer dot could overflow int32", () => {
    const graph = {
      nodes: [
        { op: "input", name: "x", dtype: "uint8", shape: [2 ** 24] },
        { op: "denseBitPlane", name: "d", weights: "w", output: { kind: "bits", thresholds: "t" } },
      ],
    } as const;
    const lookup = (name: string) =>
      name === "w" ? { dtype: "bit" as const, shape: [1, 2 ** 24] } : { dtype: "int32" as const, shape: [1] };
    expect(() => inferValueInfos(parseGraph(graph), lookup)).toThrow(
      expect.objectContaining({
        code: "TOO_LARGE",
        message: expect.stringMatching(/\|dot\| can reach 4278190080/),
      }),
    );
    const fits = { nodes: [{ ...graph.nodes[0], shape: [2 ** 23] }, graph.nodes[1]] };
    const fitLookup = (name: string) =>
      name === "w" ? { dtype: "bit" as const, shape: [1, 2 ** 23] } : { dtype: "int32" as const, shape: [1] };
    expect(inferValueInfos(parseGraph(fits), fitLookup)[1]).toEqual({ kind: "bits", shape: [1] });
  });
});

describe("tensor contents", () => {
  function withData(
    model: ReturnType<typeof mlpModel>,
    name: string,
    change: (d: Float32Array | Uint8Array) => void,
  ) {
    const t = model.tensors.get(name)!;
    const bytes = writeModel(model);
    // Patch the written bytes so the reader (not the writer) sees the bad value.
    const { header, data } = splitFile(bytes);
    const entry = (header.tensors as Json[]).find((e) => e.name === name)!;
    const Ctor = t.data.constructor as Float32ArrayConstructor;
    const view = new Ctor(data.buffer, entry.offset, t.data.length);
    change(view);
    return buildFile(header, data);
  }
  it("rejects flips other than 0/1, NaN weights, NaN or infinite scales", () => {
    expectError(
      withData(mlpModel(), "fc1.flip", (d) => (d[3] = 2)),
      "BAD_TENSOR",
      /"fc1.flip" holds 2 at index 3, expected 0 or 1/,
    );
    expectError(
      withData(mlpModel(), "fc3.scale", (d) => (d[0] = Number.NaN)),
      "BAD_TENSOR",
      /scale: tensor "fc3.scale" holds NaN/,
    );
    expectError(
      withData(mlpModel(), "fc3.bias", (d) => (d[9] = Number.POSITIVE_INFINITY)),
      "BAD_TENSOR",
      /Infinity at index 9/,
    );
    expectError(
      withData(convModel(), "conv1.weights", (d) => (d[0] = Number.NaN)),
      "BAD_TENSOR",
      /weights/,
    );
    expectError(
      withData(convModel(), "conv1.thresholds", (d) => (d[1] = Number.NaN)),
      "BAD_TENSOR",
      /thresholds/,
    );
  });
  it("accepts infinite float thresholds (constant channels)", () => {
    const m = convModel();
    (m.tensors.get("conv1.thresholds")!.data as Float32Array).set([
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(readModel(writeModel(m)).tensors.get("conv1.thresholds")!.data[1]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("writer refuses invalid models with the same errors", () => {
  it("checks the in-memory model before writing", () => {
    const m = mlpModel();
    const tensors = new Map(m.tensors);
    tensors.set("fc2.weights", {
      dtype: "bit",
      shape: [32, 64],
      layout: { rows: 32, cols: 64, wordsPerRow: 2 },
      data: new Uint32Array(3),
    });
    expect(() => writeModel({ ...m, tensors })).toThrow(
      expect.objectContaining({
        code: "BAD_TENSOR",
        message: expect.stringMatching(/3 words, 32 rows × 2 = 64 expected/),
      }),
    );
    tensors.set("fc2.weights", { dtype: "float32", shape: [2], data: new Float64Array(2) } as never);
    expect(() => writeModel({ ...m, tensors })).toThrow(
      expect.objectContaining({
        code: "BAD_TENSOR",
        message: expect.stringMatching(/expected a Float32Array/),
      }),
    );
    expect(() => writeModel({ ...m, tensors: {} as never })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    // The message says what arrived instead: a missing field, or the class of a wrong object.
    expect(() => writeModel({ ...m, tensors: undefined as never })).toThrow(
      "model.tensors: expected a Map of name → tensor, got nothing (the field is missing)",
    );
    expect(() => writeModel({ ...m, tensors: new ArrayBuffer(8) as never })).toThrow(
      "model.tensors: expected a Map of name → tensor, got an ArrayBuffer",
    );
    tensors.set("fc2.weights", { dtype: "float32", shape: [2], data: new Uint8Array(8) } as never);
    expect(() => writeModel({ ...m, tensors })).toThrow(
      /expected a Float32Array for dtype float32, got a Uint8Array/,
    );
    expect(() => writeModel({ ...m, metadata: { ...m.metadata, labels: ["x"] } })).toThrow(
      expect.objectContaining({ code: "BAD_HEADER" }),
    );
  });
});
