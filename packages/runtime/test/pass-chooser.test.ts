import { describe, expect, it } from "vitest";
import { PassChooser, type PassMode } from "../src/pass-chooser.js";

/** Runs `passes` passes of `count` samples whose cost per sample is given per mode; returns the modes. */
function simulate(
  chooser: PassChooser,
  count: number,
  cost: Record<PassMode, number>,
  passes: number,
): PassMode[] {
  const modes: PassMode[] = [];
  for (let i = 0; i < passes; i++) {
    const mode = chooser.choose(count);
    modes.push(mode);
    chooser.record(count, mode, cost[mode] * count);
  }
  return modes;
}

describe("PassChooser", () => {
  it("tries both modes, then keeps the faster one", () => {
    const slowWorkers = simulate(new PassChooser(), 1, { calling: 500, workers: 2000 }, 60);
    expect(slowWorkers.slice(0, 6)).toEqual([
      "workers",
      "workers",
      "workers",
      "calling",
      "calling",
      "calling",
    ]);
    expect(slowWorkers.slice(6).every((m) => m === "calling")).toBe(true);
    const fastWorkers = simulate(new PassChooser(), 200, { calling: 500, workers: 260 }, 60);
    expect(fastWorkers.slice(6).every((m) => m === "workers")).toBe(true);
  });

  it("re-measures the other mode now and then, and follows a change of load", () => {
    const chooser = new PassChooser();
    simulate(chooser, 64, { calling: 500, workers: 260 }, 100);
    // The workers become slow (the machine got busy): the chooser moves to the calling thread.
    const later = simulate(chooser, 64, { calling: 500, workers: 5000 }, 300);
    expect(later.slice(-100).filter((m) => m === "calling").length).toBeGreaterThan(95);
  });

  it("keeps separate measurements per pass size (powers of two)", () => {
    const chooser = new PassChooser();
    simulate(chooser, 1, { calling: 100, workers: 1000 }, 20);
    simulate(chooser, 256, { calling: 100, workers: 10 }, 20);
    expect(chooser.choose(1)).toBe("calling");
    expect(chooser.choose(300)).toBe("workers");
  });
});
