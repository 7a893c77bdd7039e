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
  it("ignores warm-up passes", () => {
    // The first passes on fresh workers are slow (unoptimized code); they must not decide.
    const chooser = new PassChooser();
    let workerPasses = 0;
    const modes: PassMode[] = [];
    for (let i = 0; i < 40; i++) {
      const mode = chooser.choose(1);
      modes.push(mode);
      const ns = mode === "calling" ? 500 : ++workerPasses <= 2 ? 50_000 : 300;
      chooser.record(1, mode, ns);
    }
    // (Every 32nd pass re-measures the other mode.)
    expect(modes.slice(10).filter((m) => m !== "workers")).toHaveLength(1);
  });

  it("tries both modes, then keeps the faster one", () => {
    const slowWorkers = simulate(new PassChooser(), 1, { calling: 500, workers: 2000 }, 60);
    // Two warm-up passes and three measured ones per mode, then the faster mode.
    expect(slowWorkers.slice(0, 10)).toEqual([...Array(5).fill("workers"), ...Array(5).fill("calling")]);
    expect(slowWorkers.slice(10).filter((m) => m !== "calling")).toHaveLength(1);
    const fastWorkers = simulate(new PassChooser(), 200, { calling: 500, workers: 260 }, 60);
    expect(fastWorkers.slice(10).filter((m) => m !== "workers")).toHaveLength(1);
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
