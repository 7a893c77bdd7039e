import { ProgressLine, type ProgressStream } from "@onebit/nn";
import type { StepProgress } from "./trainer.js";

/** Shows training progress through @onebit/nn's ProgressLine: a bar on a terminal, plain lines in logs. */
export interface Progress {
  step(p: StepProgress): void;
  /** Replaces the epoch's progress display with its summary line. */
  endEpoch(line: string): void;
}

export function createProgress(stream: ProgressStream, options: { steps?: boolean } = {}): Progress {
  const line = new ProgressLine(stream, { log: true });
  return {
    step(p) {
      if (options.steps === false) return;
      line.update(
        `epoch ${p.epoch}/${p.epochs}`,
        p.step,
        p.steps,
        p.seconds,
        `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${Math.round(p.samplesPerSecond)} img/s`,
      );
    },
    endEpoch(text) {
      line.finish(text);
    },
  };
}

/** No output at all (tests, library use). */
export const silentProgress: Progress = { step() {}, endEpoch() {} };
