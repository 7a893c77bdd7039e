import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type GraphNode,
  LIMITS,
  modelCost,
  readModel,
  readModelInfo,
  readSafetensors,
  writeModel,
  writeSafetensors,
} from "../src/index.js";
import { removeStaleTemps, saveModel } from "../src/node.js";
import { buildFile, convModel, mlpModel, splitFile } from "./fixtures.js";
import { thrown } from "./thrown.js";

describe("header nesting depth (issue 13 item 8)", () => {
  it("refuses deeply nested JSON before JSON.parse sees it", () => {
    const { header, data } = splitFile(writeModel(mlpModel()));
    const text = JSON.stringify(header);
    const nested = `${text.slice(0, -1)},"ignored":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`;
    const file = buildFile(nested, data);
    const parse = vi.spyOn(JSON, "parse");
    try {
      const e = thrown(() => readModel(file));
      expect(e.code).toBe("TOO_LARGE");
      expect(e.message).toMatch(/nested deeper than the cap of 64 \(option maxHeaderDepth\)/);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    // The same nesting within a raised cap is parsed (and the unknown member ignored).
    const shallow = buildFile(`${text.slice(0, -1)},"ignored":${"[".repeat(100)}${"]".repeat(100)}}`, data);
    expect(() => readModel(shallow)).toThrow(/maxHeaderDepth/);
    expect(readModel(shallow, { maxHeaderDepth: 200 }).metadata.name).toBe(mlpModel().metadata.name);
  });

  it("ignores brackets inside strings", () => {
    const m = mlpModel();
    const file = writeModel({ ...m, metadata: { ...m.metadata, description: "[".repeat(500) } });
    expect(readModel(file).metadata.description).toHaveLength(500);
  });

  it("caps safetensors headers the same way", () => {
    const valid = writeSafetensors({ a: { dtype: "F32", shape: [1], data: new Float32Array(1) } });
    const json = `{"x":${"[".repeat(100)}${"]".repeat(100)}}`;
    const bytes = new Uint8Array(8 + json.length);
    new DataView(bytes.buffer).setUint32(0, json.length, true);
    bytes.set(new TextEncoder().encode(json), 8);
    expect(thrown(() => readSafetensors(bytes)).code).toBe("TOO_LARGE");
    expect(readSafetensors(valid).tensors.size).toBe(1);
  });
});

describe("reader options are validated (issue 13 item 8)", () => {
  const file = writeModel(mlpModel());
  it.each([
    [{ maxHeaderBytes: Number.NaN }, /maxHeaderBytes/],
    [{ maxHeaderBytes: -1 }, /maxHeaderBytes/],
    [{ maxHeaderBytes: 1.5 }, /maxHeaderBytes/],
    [{ maxHeaderBytes: "100" }, /maxHeaderBytes/],
    [{ maxHeaderBytes: Number.POSITIVE_INFINITY }, /maxHeaderBytes/],
    [{ maxHeaderDepth: 0 }, /maxHeaderDepth/],
    [{ verifyChecksum: "no" }, /verifyChecksum/],
    [{ copy: 1 }, /copy/],
    [{ maxHeaderByte: 10 }, /unknown option/],
    [null, /options object/],
    [42, /options object/],
  ])("readModel(bytes, %j) is INVALID_ARGUMENT", (options, message) => {
    for (const read of [readModel, readModelInfo]) {
      const e = thrown(() => read(file, options as never));
      expect(e.code).toBe("INVALID_ARGUMENT");
      expect(e.message).toMatch(message);
    }
  });

  it("validates safetensors options too", () => {
    const valid = writeSafetensors({ a: { dtype: "F32", shape: [1], data: new Float32Array(1) } });
    expect(thrown(() => readSafetensors(valid, { maxHeaderBytes: Number.NaN })).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect(thrown(() => readSafetensors(valid, { copy: "yes" } as never)).code).toBe("INVALID_ARGUMENT");
  });

  it("names the option that raises the header cap", () => {
    expect(thrown(() => readModel(file, { maxHeaderBytes: 100 })).message).toMatch(/option maxHeaderBytes/);
    expect(LIMITS.maxHeaderDepth).toBe(64);
  });
});

/** A one-node model with a float [n, n, 1] input and a max-pool of the given window. */
function poolModel(n: number, kernel: number, padding: "same" | "valid") {
  const nodes: GraphNode[] = [
    { op: "input", name: "x", dtype: "float32", shape: [n, n, 1] },
    { op: "maxPool2d", name: "pool", kernel: [kernel, kernel], stride: [1, 1], padding },
  ];
  return { graph: { nodes }, tensors: new Map(), metadata: { name: "pool" } };
}

describe("model cost (issue 13 item 3)", () => {
  it("counts a huge pooling window by the input positions it covers", () => {
    const info = readModelInfo(writeModel(poolModel(256, 65_535, "same")));
    // Every one of the 256² outputs reads the whole 256² input: 2³² comparisons, not 65535²·256².
    expect(info.cost.comparisons).toBe(256 ** 4 + 256 * 256);
    expect(info.cost.peakActivationBytes).toBe(2 * 4 * 256 * 256);
  });

  it("counts pool reads exactly on small cases (padding left out of the window)", () => {
    const brute = (n: number, k: number, padding: "same" | "valid") => {
      const out = padding === "same" ? n : n - k + 1;
      const before = padding === "same" ? Math.floor(Math.max(out - 1 + k - n, 0) / 2) : 0;
      let reads = 0;
      for (let oy = 0; oy < out; oy++)
        for (let ox = 0; ox < out; ox++)
          for (let y = oy - before; y < oy - before + k; y++)
            for (let x = ox - before; x < ox - before + k; x++)
              if (y >= 0 && y < n && x >= 0 && x < n) reads++;
      return reads;
    };
    for (const [n, k, p] of [
      [5, 3, "same"],
      [7, 4, "same"],
      [6, 2, "valid"],
      [3, 9, "same"],
    ] as const) {
      expect(readModelInfo(writeModel(poolModel(n, k, p))).cost.nodes[1]!.comparisons).toBe(brute(n, k, p));
    }
  });

  it("counts MACs by precision and weight bytes for layers", () => {
    const info = readModelInfo(writeModel(mlpModel()));
    // 784 → bit-plane 64 → binary 32 → binary 10, as in the fixture.
    expect(info.cost.int8Macs).toBe(784 * 64);
    expect(info.cost.binaryMacs).toBe(64 * 32 + 32 * 10);
    expect(info.cost.floatMacs).toBe(0);
    expect(info.cost.weightBytes).toBeGreaterThan(0);
    const conv = readModelInfo(writeModel(convModel()));
    expect(conv.cost.binaryMacs + conv.cost.floatMacs + conv.cost.int8Macs).toBeGreaterThan(0);
    const m = convModel();
    const lookup = (name: string) => m.tensors.get(name);
    expect(modelCost(m.graph, conv.values, lookup)).toEqual(conv.cost);
  });
});

describe("temporary files of saves (issue 13 item 9)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "onebit-stale-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a later save removes stale leftovers of killed saves, and only those", async () => {
    const path = join(dir, "m.onebit");
    const old = join(dir, ".m.onebit.4242.0123456789ab.tmp");
    const fresh = join(dir, ".m.onebit.4243.abcdef012345.tmp");
    const other = join(dir, ".other.onebit.4242.0123456789ab.tmp");
    const lookalike = join(dir, ".m.onebit.notes.tmp");
    for (const f of [old, fresh, other, lookalike]) writeFileSync(f, "partial");
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    for (const f of [old, other, lookalike]) utimesSync(f, twoHoursAgo, twoHoursAgo);
    await saveModel(path, mlpModel());
    expect(readdirSync(dir).sort()).toEqual(
      [
        ".m.onebit.4243.abcdef012345.tmp",
        ".m.onebit.notes.tmp",
        ".other.onebit.4242.0123456789ab.tmp",
        "m.onebit",
      ].sort(),
    );
    expect(await removeStaleTemps(path, 0)).toEqual([".m.onebit.4243.abcdef012345.tmp"]);
  });
});
