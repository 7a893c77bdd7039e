import { type ModelCost, tensorInfoBytes } from "./cost.js";
import type { GraphFileInfo } from "./graph-model.js";
import { opDef } from "./ops/table.js";
import type { GraphNode, ValueInfo } from "./graph.js";
import type { ModelFileInfo } from "./read.js";

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join("×")}]`;
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function attrs(node: GraphNode): string {
  const parts: string[] = [];
  if ("weights" in node) parts.push(`weights=${node.weights}`);
  if ("bias" in node && node.bias !== undefined) parts.push(`bias=${node.bias}`);
  if ("kernel" in node)
    parts.push(`kernel=${node.kernel.join("×")} stride=${node.stride.join("×")} ${node.padding}`);
  if ("padValue" in node && node.padValue !== undefined) parts.push(`padValue=${node.padValue}`);
  if ("minMask" in node && node.minMask !== undefined) parts.push(`minMask=${node.minMask}`);
  if (node.op === "input") {
    parts.push(node.dtype);
    if (node.normalization) {
      const { scale, offset } = node.normalization;
      parts.push(`x′ = x·${scale} ${offset < 0 ? `− ${-offset}` : `+ ${offset}`}`);
    }
  }
  if ("output" in node) {
    const o = node.output;
    parts.push(
      o.kind === "bits"
        ? `→ bits (thresholds=${o.thresholds}${o.flip ? ` flip=${o.flip}` : ""})`
        : o.kind === "scaleBias"
          ? `→ scale/bias (${o.scale}, ${o.bias})`
          : "→ float32",
    );
  }
  return parts.join(" ");
}

function fmtCount(n: number): string {
  if (n < 1e4) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** A model's per-sample cost in a few lines (as `onebit inspect` prints it). */
export function describeCost(cost: ModelCost): string {
  return [
    `  MACs per sample: ${fmtCount(cost.binaryMacs)} binary, ${fmtCount(cost.int8Macs)} 8-bit × 1-bit, ${fmtCount(cost.floatMacs)} float32`,
    `  comparisons per sample: ${fmtCount(cost.comparisons)} (pooling windows, thresholds, softmax)`,
    `  activations per sample: ${fmtBytes(cost.peakActivationBytes)} at the largest node (${fmtBytes(cost.totalActivationBytes)} all values); weights ${fmtBytes(cost.weightBytes)}`,
  ].join("\n");
}

/**
 * A human-readable report of a .onebit file — version, sizes, graph with each node's output,
 * tensor table, metadata — as printed by `onebit inspect`.
 */
export function describeModelFile(info: ModelFileInfo): string {
  const lines: string[] = [];
  const m = info.metadata;
  lines.push(`${m.name} — .onebit ${info.version.major}.${info.version.minor}, ${fmtBytes(info.fileLength)}`);
  if (m.description) lines.push(`  ${m.description}`);
  lines.push(
    `  header ${fmtBytes(info.headerLength)}, data ${fmtBytes(info.dataLength)}, crc32 0x${info.checksum.toString(16).padStart(8, "0")}`,
  );
  lines.push("", "cost:", describeCost(info.cost));
  lines.push("", "graph:");
  info.graph.nodes.forEach((node, i) => {
    const v = info.values[i] as ValueInfo;
    lines.push(
      `  ${String(i).padStart(3)} ${node.name.padEnd(16)} ${node.op.padEnd(15)} → ${v.kind} ${fmtShape(v.shape)}  ${attrs(node)}`,
    );
  });
  lines.push("", "tensors:");
  let bits = 0;
  let total = 0;
  for (const t of info.tensors) {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (t.dtype === "bit") bits += elements;
    total += elements;
    lines.push(
      `  ${t.name.padEnd(28)} ${t.dtype.padEnd(7)} ${fmtShape(t.shape).padEnd(16)} ${fmtBytes(t.byteLength).padStart(10)} @ ${info.dataStart + t.offset}`,
    );
  }
  lines.push(
    `  ${info.tensors.length} tensors, ${total} values, ${bits} of them 1-bit; as float32: ${fmtBytes(4 * total)} (${((4 * total) / Math.max(info.fileLength, 1)).toFixed(1)}× this file)`,
  );
  lines.push("", "metadata:");
  if (m.labels) lines.push(`  labels: ${m.labels.join(", ")}`);
  for (const [k, v] of Object.entries(m.provenance ?? {})) lines.push(`  ${k}: ${v}`);
  for (const [k, v] of Object.entries(m.extra ?? {})) lines.push(`  ${k}: ${v}`);
  return lines.join("\n");
}

/** Attributes of a version 2 node in a few words: windows, groups, padding, output form, tensors. */
function graphAttrs(node: { readonly op: string } & Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const pair = (k: string) => (node[k] as readonly number[]).join("×");
  if (Array.isArray(node["kernel"])) {
    parts.push(`kernel=${pair("kernel")} stride=${pair("stride")}`);
    if (Array.isArray(node["dilation"]) && (node["dilation"] as number[]).some((d) => d !== 1))
      parts.push(`dilation=${pair("dilation")}`);
    parts.push(String(node["padding"]));
  }
  if (typeof node["groups"] === "number" && node["groups"] !== 1) parts.push(`groups=${node["groups"]}`);
  if (node["padValue"] !== undefined && node.op !== "conv2d" && node.op !== "depthwiseConv2d")
    parts.push(`padValue=${node["padValue"]}`);
  const o = node["output"] as { kind?: string; clamp?: number[] } | undefined;
  if (o?.kind)
    parts.push(
      o.kind === "bits"
        ? "→ bits (thresholds)"
        : o.kind === "int32"
          ? "→ int32"
          : `→ float32 (m·z + b${o.clamp ? `, clamp ${o.clamp.join("…")}` : ""})`,
    );
  return parts.join(" ");
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
  const byName = new Map(info.tensors.map((t) => [t.name, t]));
  lines.push("", "graph:");
  for (const input of info.graph.inputs)
    lines.push(`  input ${input.name} ${input.dtype} ${fmtShape(input.shape)}`);
  info.graph.nodes.forEach((node, i) => {
    const v = info.values.get(node.name)!;
    let bits = 0;
    let other = 0;
    for (const ref of new Set(opDef(node.op)!.tensors(node as never))) {
      const t = byName.get(ref);
      if (!t) continue;
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.dtype === "bit") bits += n;
      else other += n;
    }
    const c = info.cost.nodes[i]!;
    const macs = c.binaryMacs + c.int8Macs + c.floatMacs;
    lines.push(
      `  ${String(i).padStart(3)} ${node.name.padEnd(16)} ${node.op.padEnd(15)} (${node.inputs.join(", ")}) → ${v.kind} ${fmtShape(v.shape)}` +
        `${bits ? ` ${bits} 1-bit` : ""}${other ? ` ${other} 32-bit` : ""}${macs ? ` ${fmtCount(macs)} MACs` : ""}  ${graphAttrs(node as never)}`,
    );
  });
  lines.push(`  outputs: ${info.graph.outputs.join(", ")}`);
  const total = info.tensors.reduce((s, t) => s + tensorInfoBytes(t), 0);
  lines.push("", `tensors: ${info.tensors.length}, ${fmtBytes(total)}`);
  lines.push("", "metadata:");
  if (m.labels) lines.push(`  labels: ${m.labels.join(", ")}`);
  for (const [k, v] of Object.entries(m.provenance ?? {})) lines.push(`  ${k}: ${v}`);
  for (const [k, v] of Object.entries(m.extra ?? {})) lines.push(`  ${k}: ${v}`);
  return lines.join("\n");
}
