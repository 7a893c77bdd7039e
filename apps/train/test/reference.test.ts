import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/cli.js";

// The files that cite the repository's REFERENCE.md (apps/train, apps/bench, @onebit/nn).
const CITING = [
  "apps/train/README.md",
  "apps/bench/src/sections/random-convnet.ts",
  "packages/nn/src/initializers.ts",
];

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");

describe("REFERENCE.md", () => {
  const reference = readFileSync(join(REPO_ROOT, "REFERENCE.md"), "utf8");
  const anchors = new Set(
    reference
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .map((l) => anchor(l.replace(/^#+/, ""))),
  );

  it("exists in the repository and every citation's anchor is one of its headings", () => {
    for (const file of CITING) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      expect(text, file).toMatch(/REFERENCE\.md/);
      for (const m of text.matchAll(/REFERENCE\.md#([\w-]+)/g))
        expect(anchors, `${file}: #${m[1]}`).toContain(m[1]);
    }
  });

  it("holds the figures the train README quotes from it, with the papers they come from", () => {
    for (const figure of ["99.38 %", "99.13 %", "98.71 %", "87.84 %", "U(−1, 1)"])
      expect(reference).toContain(figure);
    for (const source of [
      "arXiv:1602.02830",
      "arXiv:1603.05279",
      "arXiv:1808.00278",
      "arXiv:2003.03488",
      "arXiv:1906.02107",
      "doi:10.21105/joss.01746",
    ]) {
      expect(reference).toContain(source);
    }
  });
});
