import type { ConvertResult } from "./convert.js";

const millions = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(3)} G` : `${(n / 1e6).toFixed(2)} M`);

/** What `onebit convert` prints: operators by kind, parameters by precision, MACs, what was rewritten. */
export function conversionReport(result: ConvertResult): string {
  const { census, graph } = result;
  const ops = Object.entries(census.operators)
    .map(([name, count]) => `${name} ×${count}`)
    .join(", ");
  // The per-operator notes repeat one pattern per layer; count them by kind instead of listing each.
  const kinds = new Map<string, number>();
  for (const note of graph.notes) {
    const kind = note.replace(/^operators? [\d, ]+/, "").replace(/"[^"]*"/g, "…");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [
    `operators: ${ops}`,
    `parameters: ${millions(census.binaryParameters)} 1-bit, ${millions(census.floatParameters)} 32-bit`,
    `MACs per image: ${millions(census.binaryMacs)} binary, ${millions(census.floatMacs)} float`,
    `imported graph: ${graph.nodes.length} nodes; .onebit file: ${result.bytes.length} bytes`,
    ...[...kinds].map(([kind, count]) => `rewritten ×${count}: ${kind.trim()}`),
  ].join("\n");
}
