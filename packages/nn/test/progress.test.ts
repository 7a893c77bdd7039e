import { describe, expect, it } from "vitest";
import { adam, dense, ProgressLine, sequential } from "../src/index.js";

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, columns: 100, chunks, write: (c: string) => chunks.push(c) };
}

describe("progress display", () => {
  it("redraws one line with \\r on a TTY and ends each epoch with a newline", async () => {
    const s = stream(true);
    const model = sequential([dense(2)], { inputShape: [3], seed: 0 });
    const x = new Float32Array(30).map((_, i) => (i % 7) / 7);
    await model.fit(
      { x, y: Array.from({ length: 10 }, (_, i) => i % 2) },
      { epochs: 2, batchSize: 5, optimizer: adam(), progressStream: s },
    );
    const out = s.chunks.join("");
    expect(out).toMatch(/^\repoch 1\/2 \[/);
    expect(out.split("\n")).toHaveLength(3);
    expect(out).toMatch(/epoch 2\/2 loss \d\.\d{4} acc \d\.\d{4} .*samples\/s\s*\n$/);
    expect(s.chunks.every((c) => c.length <= 101)).toBe(true);
  });

  it("stays silent when the stream is not a TTY or verbose is 0", async () => {
    const model = sequential([dense(2)], { inputShape: [3], seed: 0 });
    const data = { x: new Float32Array(6), y: [0, 1] };
    const notTty = stream(false);
    await model.fit(data, { epochs: 1, optimizer: adam(), progressStream: notTty });
    const quiet = stream(true);
    await model.fit(data, { epochs: 1, optimizer: adam(), progressStream: quiet, verbose: 0 });
    expect(notTty.chunks).toEqual([]);
    expect(quiet.chunks).toEqual([]);
    const line = new ProgressLine(stream(true));
    expect(line.active).toBe(true);
  });

  it("logs a plain line every tenth of the work and the finish line on a non-terminal with log: true", () => {
    const s = stream(false);
    const line = new ProgressLine(s, { log: true });
    for (let done = 1; done <= 30; done++) line.update("epoch 1/1", done, 30, done, "loss 1");
    line.finish("epoch 1/1 done");
    expect(s.chunks).toHaveLength(10);
    expect(s.chunks[0]).toBe("  epoch 1/1 step 3/30 loss 1, ETA 27s\n");
    expect(s.chunks.every((c) => !c.includes("\r"))).toBe(true);
    expect(s.chunks.at(-1)).toBe("epoch 1/1 done\n");
  });

  it("shows a status truncated to the terminal width and clears it", () => {
    const s = { ...stream(true), columns: 20 };
    const line = new ProgressLine(s);
    line.status("[1/3] a case with a very long name");
    expect(s.chunks[0]).toBe("\r[1/3] a case with …");
    line.clear();
    expect(s.chunks[1]).toBe(`\r${" ".repeat(19)}\r`);
    const quiet = stream(false);
    new ProgressLine(quiet, { log: true }).status("x");
    expect(quiet.chunks).toEqual([]);
  });
});
