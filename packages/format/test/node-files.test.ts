import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FormatError, writeModel } from "../src/index.js";
import { loadModel, saveModel, writeFileAtomic } from "../src/node.js";
import { convModel, mlpModel } from "./fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "onebit-format-"));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

describe("saveModel / loadModel", () => {
  it("round-trips through a file and leaves nothing else behind", async () => {
    const path = join(dir, "mlp.onebit");
    await saveModel(path, mlpModel());
    expect(readdirSync(dir)).toEqual(["mlp.onebit"]);
    expect(new Uint8Array(readFileSync(path))).toEqual(writeModel(mlpModel()));
    const model = await loadModel(path);
    expect(model.metadata.labels).toHaveLength(10);
    expect(model.graph).toEqual(mlpModel().graph);
  });

  it("replaces an existing file whole", async () => {
    const path = join(dir, "model.onebit");
    await saveModel(path, mlpModel());
    await saveModel(path, convModel());
    expect((await loadModel(path)).metadata.name).toBe("conv-test");
    expect(readdirSync(dir)).toEqual(["model.onebit"]);
  });

  it("writes nothing for an invalid model", async () => {
    const m = mlpModel();
    await expect(
      saveModel(join(dir, "bad.onebit"), { ...m, metadata: { ...m.metadata, labels: ["x"] } }),
    ).rejects.toMatchObject({
      code: "BAD_HEADER",
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("cleans up its temporary file when the final rename fails", async () => {
    const target = join(dir, "taken");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "x");
    const error = await saveModel(target, mlpModel()).catch((e) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code: "IO_ERROR" });
    expect(error.message).toContain(target);
    expect(error.cause).toBeDefined();
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readdirSync(target)).toEqual(["keep"]);
  });

  it("keeps the old file and leaves no partial file when the write itself fails (file-size limit)", () => {
    const path = join(dir, "model.onebit");
    writeFileSync(path, "old content");
    const script = join(dir, "save-big.ts");
    const nodeEntry = resolve(import.meta.dirname, "../src/node.ts");
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(nodeEntry)};
process.on("SIGXFSZ", () => {}); // let the write fail with EFBIG instead of killing the process
writeFileAtomic(${JSON.stringify(path)}, new Uint8Array(1 << 20)).then(
  () => console.log("saved"),
  (e) => console.log(e.code + " " + e.message),
);`,
    );
    const tsx = resolve(import.meta.dirname, "../../../node_modules/.bin/tsx");
    // A 64-block (32 KiB) file-size limit makes the 1 MiB write fail part-way.
    const run = spawnSync("bash", ["-c", `ulimit -f 64; exec "${tsx}" "${script}"`], { encoding: "utf8" });
    expect(run.stdout).toMatch(/^IO_ERROR saving .*EFBIG/);
    expect(readFileSync(path, "utf8")).toBe("old content");
    expect(readdirSync(dir).sort()).toEqual(["model.onebit", "save-big.ts"]);
  });

  it.skipIf(isRoot)("fails cleanly in a read-only directory", async () => {
    chmodSync(dir, 0o555);
    await expect(saveModel(join(dir, "m.onebit"), mlpModel())).rejects.toMatchObject({ code: "IO_ERROR" });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports missing files and directories as IO_ERROR naming the path", async () => {
    await expect(loadModel(join(dir, "none.onebit"))).rejects.toMatchObject({
      code: "IO_ERROR",
      message: expect.stringContaining("ENOENT"),
    });
    await expect(
      writeFileAtomic(join(dir, "no", "such", "dir.onebit"), new Uint8Array(1)),
    ).rejects.toMatchObject({ code: "IO_ERROR" });
    expect(existsSync(join(dir, "no"))).toBe(false);
  });

  it("rejects a damaged file with the reader's error", async () => {
    const path = join(dir, "damaged.onebit");
    const bytes = writeModel(mlpModel());
    writeFileSync(path, bytes.subarray(0, 100));
    await expect(loadModel(path)).rejects.toMatchObject({ code: "TRUNCATED" });
  });
});
