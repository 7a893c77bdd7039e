import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readModel, readSafetensors, writeModel } from "../src/index.js";
import { findDuplicateKey } from "../src/json-check.js";
import { buildFile, mlpModel, splitFile } from "./fixtures.js";

describe("duplicate JSON member names", () => {
  it("are found at any depth, through escapes, and only among one object's members", () => {
    expect(findDuplicateKey('{"a":1,"a":2}')).toBe("a");
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toBe("a");
    expect(findDuplicateKey('{"x":[{"k":1},{"k":2}],"y":{"k":"k","z":{"q":1,"q":1}}}')).toBe("q");
    expect(findDuplicateKey('{"a":"a","b":["a","a"],"c":{"a":{}},"d":"\\"a\\""}')).toBeUndefined();
    expect(findDuplicateKey('[{"a":1},{"a":1}]')).toBeUndefined();
  });

  it("agree with a parse-based check on random JSON (property)", () => {
    const hasDuplicate = (v: unknown): boolean =>
      Array.isArray(v)
        ? v.some(hasDuplicate)
        : typeof v === "object" && v !== null
          ? Object.values(v).some(hasDuplicate)
          : false;
    fc.assert(
      fc.property(fc.json(), fc.string({ maxLength: 3 }), (text, name) => {
        // Valid JSON from fast-check has no duplicates; splice one member twice into an object.
        expect(findDuplicateKey(text)).toBeUndefined();
        expect(hasDuplicate(JSON.parse(text))).toBe(false);
        const key = JSON.stringify(name);
        const doubled = `{${key}:${text},${key}:0}`;
        expect(findDuplicateKey(doubled)).toBe(name);
      }),
    );
  });

  it("make both readers reject the header", () => {
    const { header, data } = splitFile(writeModel(mlpModel()));
    const json = JSON.stringify(header).replace('"metadata":{', '"metadata":{"name":"shadow",');
    expect(() => readModel(buildFile(json, data))).toThrow(
      expect.objectContaining({ code: "BAD_HEADER", message: expect.stringMatching(/"name" appears twice/) }),
    );
    const st =
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const bytes = Uint8Array.from([st.length, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(st), 7]);
    expect(() => readSafetensors(bytes)).toThrow(
      expect.objectContaining({ code: "BAD_HEADER", message: expect.stringMatching(/"a" appears twice/) }),
    );
  });
});
