import { tensorInfoBytes } from "./cost.js";
import { describeCost, fmtBytes, fmtCount } from "./describe-cost.js";
import type { GraphFileInfo } from "./graph-model.js";
import { summarizeGraph } from "./summary.js";

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join("×")}]`;
}

/**
 * A human-readable report of a .onebit file of either version as a graph (`readGraphModelInfo`):
 * version, sizes, cost, every node with its inputs, output kind and shape, 1-bit and other
 * parameters and MACs, then the metadata.
 */
export function describeGraphFile(info: GraphFileInfo): string {
  const lines: string[] = [];
  const m = info.metadata;
  lines.push(`${m.name} — .onebit ${info.version.major}.${info.version.minor}, ${fmtBytes(info.fileLength)}`);
  if (m.description) lines.push(`  ${m.description}`);
  lines.push("", "cost:", describeCost(info.cost));
  lines.push("", "graph:");
  for (const n of summarizeGraph(info).nodes) {
    if (n.op === "input") {
      lines.push(`  input ${n.name} ${n.details} ${fmtShape(n.outputShape)}`);
      continue;
    }
    const macs = n.binaryMacs + n.floatMacs;
    lines.push(
      `  ${String(n.index).padStart(3)} ${n.name.padEnd(16)} ${n.op.padEnd(15)} (${n.inputs.join(", ")}) → ${n.outputKind} ${fmtShape(n.outputShape)}` +
        `${n.binaryParams ? ` ${n.binaryParams} 1-bit` : ""}${n.otherParams ? ` ${n.otherParams} 32-bit` : ""}${macs ? ` ${fmtCount(macs)} MACs` : ""}  ${n.details}`,
    );
  }
  lines.push(`  outputs: ${info.graph.outputs.join(", ")}`);
  const total = info.tensors.reduce((s, t) => s + tensorInfoBytes(t), 0);
  lines.push("", `tensors: ${info.tensors.length}, ${fmtBytes(total)}`);
  lines.push("", "metadata:");
  if (m.labels) lines.push(`  labels: ${m.labels.join(", ")}`);
  for (const [k, v] of Object.entries(m.provenance ?? {})) lines.push(`  ${k}: ${v}`);
  for (const [k, v] of Object.entries(m.extra ?? {})) lines.push(`  ${k}: ${v}`);
  return lines.join("\n");
}
