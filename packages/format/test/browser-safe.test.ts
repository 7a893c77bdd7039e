import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Every source file an entry reaches through relative imports (with `values`: value imports only). */
function reachable(entry: string, seen = new Set<string>(), values = false): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, "utf8");
  const text = values ? source.replace(/(import|export) type [^;]*;/g, "") : source;
  for (const [, spec] of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
    reachable(resolve(entry, "..", spec!.replace(/\.js$/, ".ts")), seen, values);
  }
  return seen;
}

describe("main entry", () => {
  it("is browser-safe: no node: imports, no Node globals anywhere it reaches", () => {
    const files = reachable(resolve(import.meta.dirname, "../src/index.ts"));
    expect(files.size).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/from\s+"node:|require\(|\bprocess\.|\bBuffer\b/);
    }
  });
});

describe("chain entry (@onebit/format/chain)", () => {
  it("imports no version 2 reader, checker or op table: bundlers keep those out of a page's first chunk", () => {
    const src = resolve(import.meta.dirname, "../src");
    const files = reachable(resolve(src, "chain.ts"), new Set(), true);
    expect(files.has(resolve(src, "read.ts"))).toBe(true);
    for (const v2 of ["graph-v2.ts", "graph-model.ts", "graph-cost.ts", "summary.ts", "reference.ts"])
      expect(files.has(resolve(src, v2)), v2).toBe(false);
    expect([...files].filter((f) => f.includes("/ops/"))).toEqual([]);
  });
});
