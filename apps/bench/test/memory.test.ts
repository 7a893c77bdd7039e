import { describe, expect, it } from "vitest";
import { measurePeakRss } from "../src/sections/memory.js";

describe("peak resident memory of a child process", () => {
  it("reads the child's own high-water mark, not the parent's (fork+exec carries maxRSS over)", async () => {
    // Grow this process well past a bare Node.js first: a child inheriting it would report ≥ this.
    const ballast = new Uint8Array(300 * 1024 * 1024).fill(1);
    const r = await measurePeakRss("baseline");
    expect(r.note).toBeUndefined();
    expect(r.maxRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(r.maxRssBytes).toBeLessThan(ballast.length);
  }, 60_000);

  it("reports a child that fails instead of a number", async () => {
    const r = await measurePeakRss("float-mlp-ort", []);
    expect(r.maxRssBytes).toBeUndefined();
    expect(r.note).toMatch(/child exited with 1: .*needs the \.onnx file path/);
  }, 60_000);
});
