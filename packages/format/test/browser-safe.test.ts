import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Every source file the main entry reaches through relative imports. */
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, "utf8");
  for (const [, spec] of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
    reachable(resolve(entry, "..", spec!.replace(/\.js$/, ".ts")), seen);
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
