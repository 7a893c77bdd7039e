import { NnError } from "../errors.js";
import type { Param } from "../param.js";
import type { OptimizerState } from "./optimizer.js";

/** Zero-initialized per-parameter buffers, created on first use and kept by name. */
export class Slots {
  readonly map = new Map<string, Float32Array>();

  get(param: Param, slot: string): Float32Array {
    const key = `${param.name}/${slot}`;
    let buf = this.map.get(key);
    if (!buf) {
      buf = new Float32Array(param.value.length);
      this.map.set(key, buf);
    }
    return buf;
  }

  toRecord(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of this.map) out[k] = v.slice();
    return out;
  }

  load(state: OptimizerState, type: string): void {
    if (state.type !== type) {
      throw new NnError(
        "STATE_MISMATCH",
        `optimizer state is for "${state.type}", this optimizer is "${type}"`,
      );
    }
    this.map.clear();
    for (const [k, v] of Object.entries(state.slots)) this.map.set(k, Float32Array.from(v));
  }
}

export function checkLearningRate(lr: number, what: string): void {
  if (!Number.isFinite(lr) || lr < 0) {
    throw new NnError("INVALID_ARGUMENT", `${what} learning rate must be a finite number ≥ 0, got ${lr}`);
  }
}
