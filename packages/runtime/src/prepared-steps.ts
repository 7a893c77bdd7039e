import type { Step } from "./plan.js";

/**
 * What a float glue (native-glue.ts, wasm-glue-steps.ts) prepared for each step of a plan, made on
 * the step's first run and kept: null where the glue leaves the step to TypeScript.
 */
export class PreparedSteps<T> {
  private readonly cache: (T | null | undefined)[];

  constructor(
    private readonly steps: readonly Step[],
    private readonly prepare: (step: Step) => T | null,
  ) {
    this.cache = new Array(steps.length);
  }

  get(index: number): T | null {
    let p = this.cache[index];
    if (p === undefined) p = this.cache[index] = this.prepare(this.steps[index]!);
    return p;
  }
}
