import { writeGraphModel } from "@onebit/format";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFile, splitFile } from "../../format/test/fixtures.js";
import { type Json, jsonPaths, residualModel, withValueAt } from "../../format/test/graph-builder.js";
import { Engine, RuntimeError } from "../src/index.js";

// A mutated version 2 file either runs or is refused with a RuntimeError — never another exception.

describe("version 2 files, mutated, in the engine", () => {
  it("run or give a RuntimeError", () => {
    const { header, data } = splitFile(writeGraphModel(residualModel()));
    const graphPaths = jsonPaths(header.graph as Json, ["graph"]);
    const values = fc.constantFrom<Json>(
      null,
      0,
      1,
      2,
      3,
      7,
      "same",
      "valid",
      "bits",
      "b1",
      [1, 1],
      [2, 2],
      [3, 1],
      {},
    );
    fc.assert(
      fc.property(fc.nat(graphPaths.length - 1), values, (i, value) => {
        const bytes = buildFile(withValueAt(header as Json, graphPaths[i]!, value) as object, data, {
          major: 2,
        });
        try {
          const engine = Engine.createSync(bytes, { backend: "typescript" });
          const x = new Uint8Array(engine.inputInfo.size);
          expect(engine.runSync(x).logits.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof RuntimeError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
