import { formatBytes } from "../harness/format.js";
import type { MachineInfo } from "../machine.js";
import type { BenchReport } from "./report.js";
import { headline, sectionTables } from "./tables.js";
import { textTable } from "./text-table.js";

export function backendLine(m: MachineInfo): string {
  return m.backends
    .map((b) => `${b.package}: ${b.info !== undefined ? JSON.stringify(b.info) : (b.note ?? "?")}`)
    .join("; ");
}

export function machineLines(m: MachineInfo): string[] {
  return [
    `${m.cpuModel} · ${m.logicalCores} logical cores · ${formatBytes(m.totalMemoryBytes)} RAM · ${m.platform} ${m.arch}`,
    `Node.js ${m.node} (V8 ${m.v8}) · WebAssembly SIMD ${m.wasmSimd ? "yes" : "no"} · threads ${m.wasmThreads ? "yes" : "no"} · onnxruntime-node ${m.onnxruntimeNode ?? "not installed"}`,
    `kernels: ${backendLine(m)}`,
    ...(m.native ? [m.native] : []),
    `load average at start: ${m.loadAverage1m.toFixed(2)} (timings are noisy when it exceeds the core count)`,
  ];
}

/** The human report printed at the end of a run. */
export function renderTerminal(r: BenchReport): string {
  const out: string[] = [`onebit bench (${r.options.mode}) — ${r.command}`, ...machineLines(r.machine), ""];
  for (const s of r.sections) {
    out.push(`${s.title}`, `  ${s.description}`, "");
    for (const t of sectionTables(s)) {
      if (t.caption) out.push(`  ${t.caption}`);
      out.push(
        textTable(t.columns, t.rows)
          .split("\n")
          .map((l) => (l ? `  ${l}` : l))
          .join("\n"),
        "",
      );
    }
    for (const e of s.errors ?? []) out.push(`  ✗ ${e}`);
    for (const n of s.notes) out.push(`  · ${n}`);
    const h = headline(s);
    if (h.length > 0) out.push(...h.map((l) => `  ➜ ${l}`));
    if (s.notes.length > 0 || h.length > 0) out.push("");
  }
  out.push(`${r.durationSeconds.toFixed(1)} s, peak RSS of this process ${formatBytes(r.maxRssBytes)}`);
  return out.join("\n");
}
