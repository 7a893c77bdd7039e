import type { BenchOptions } from "../cli.js";
import type { SectionResult } from "../harness/types.js";
import type { MachineInfo } from "../machine.js";

export const REPORT_SCHEMA = "onebit-bench/1";

/** Everything one run measured: what results.json holds and every renderer reads. */
export interface BenchReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly createdAt: string;
  /** The command line that produced it, for the README and for reruns. */
  readonly command: string;
  readonly options: { readonly mode: "quick" | "full"; readonly filter?: string; readonly threads: number };
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly sections: SectionResult[];
  /** Peak resident set of the benchmark process itself. */
  readonly maxRssBytes: number;
}

export function reportOptions(o: BenchOptions): BenchReport["options"] {
  return { mode: o.mode, ...(o.filter ? { filter: o.filter.source } : {}), threads: o.threads };
}
