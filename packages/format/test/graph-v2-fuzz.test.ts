import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FormatError,
  readGraphModel,
  readGraphModelInfo,
  runReference,
  writeGraphModel,
} from "../src/index.js";
import { buildFile, splitFile } from "./fixtures.js";
import { type Json, jsonPaths, residualModel, withValueAt } from "./graph-builder.js";

// Version 2 headers are untrusted input: any member replaced by any JSON value gives a model that
// checks out (and then evaluates) or a FormatError — never another exception.

const jsonValue = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1.5,
    65_536,
    2 ** 31,
    "",
    "b1",
    "stem",
    "bits",
    "float32",
    [],
    {},
    [1, 1],
    [0],
  ),
  fc.integer({ min: -5, max: 70_000 }),
  fc.string({ maxLength: 6 }),
);

describe("version 2 headers, mutated", () => {
  const file = writeGraphModel(residualModel());
  const { header, data } = splitFile(file);
  const graphPaths = jsonPaths(header.graph as Json, ["graph"]);

  it("give a valid graph or a FormatError", () => {
    fc.assert(
      fc.property(fc.nat(graphPaths.length - 1), jsonValue, (i, value) => {
        const mutated = buildFile(withValueAt(header as Json, graphPaths[i]!, value) as object, data, {
          major: 2,
        });
        try {
          readGraphModelInfo(mutated);
          const model = readGraphModel(mutated);
          runReference(model, { image: new Uint8Array(8 * 8 * 3) });
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
    expect(graphPaths.length).toBeGreaterThan(100);
  });
});
