import { ProgressLine, type ProgressStream } from "@onebit/nn";
import type { StepProgress } from "./trainer.js";

/** Shows training progress: a redrawn bar on a terminal, a plain line every tenth of an epoch in logs. */
export interface Progress {
  step(p: StepProgress): void;
  /** Replaces the epoch's progress display with its summary line. */
  endEpoch(line: string): void;
}

export function createProgress(
  stream: ProgressStream & { write(s: string): unknown },
  options: { steps?: boolean } = {},
): Progress {
  if (options.steps === false) {
    return {
      step() {},
      endEpoch(line) {
        stream.write(`${line}\n`);
      },
    };
  }
  if (stream.isTTY) {
    const bar = new ProgressLine(stream);
    return {
      step(p) {
        bar.update(
          `epoch ${p.epoch}/${p.epochs}`,
          p.step,
          p.steps,
          p.seconds,
          `loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${Math.round(p.samplesPerSecond)} img/s`,
        );
      },
      endEpoch(line) {
        bar.finish(line);
      },
    };
  }
  return {
    step(p) {
      const every = Math.max(1, Math.floor(p.steps / 10));
      if (p.step % every !== 0 || p.step === p.steps) return;
      stream.write(
        `  epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} ${Math.round(p.samplesPerSecond)} img/s, ETA ${Math.round((p.seconds * (p.steps - p.step)) / p.step)} s\n`,
      );
    },
    endEpoch(line) {
      stream.write(`${line}\n`);
    },
  };
}

/** No output at all (tests, library use). */
export const silentProgress: Progress = { step() {}, endEpoch() {} };
