import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError, readModel, writeModel } from "../src/index.js";
import { buildFile, convModel, fixChecksum, mlpModel, randomModel, splitFile } from "./fixtures.js";

// Mutated and truncated files must give a FormatError (or, when the change is harmless, a valid
// model) — never another exception, a hang or an allocation beyond the file's size.
// ONEBIT_FUZZ_RUNS scales the number of cases (default 1000 per property, about 5000 in all).
const RUNS = Number(process.env["ONEBIT_FUZZ_RUNS"] ?? 1000);
// Generous per-test time so that large ONEBIT_FUZZ_RUNS values are not cut off (≈0.1 ms a case).
const TIMEOUT = 30_000 + RUNS * 2;

const files = [
  writeModel(mlpModel()),
  writeModel(convModel()),
  writeModel(randomModel([0, 1, 0, 3, 1, 1, 2, 0, 1], 7)),
  writeModel(randomModel([1, 0, 3, 2, 1, 0, 1, 1, 0, 2, 1], 8)),
];

/** Reads `bytes`; fails the property on any non-FormatError exception. Returns the outcome. */
function readSafely(bytes: Uint8Array): "ok" | string {
  try {
    const model = readModel(bytes);
    let total = 0;
    for (const t of model.tensors.values()) total += t.data.byteLength;
    expect(total).toBeLessThanOrEqual(bytes.length);
    return "ok";
  } catch (e) {
    if (!(e instanceof FormatError))
      throw new Error(`readModel threw a non-FormatError: ${String(e)}`, { cause: e });
    expect(e.message.length).toBeGreaterThan(0);
    return e.code;
  }
}

const fileIndex = fc.nat(files.length - 1);

describe("fuzz: readModel never crashes on damaged files", () => {
  it(
    "random byte flips (checksum left stale) are always rejected",
    () => {
      fc.assert(
        fc.property(
          fileIndex,
          fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          (f, flips) => {
            const b = files[f]!.slice();
            for (const { at, xor } of flips) b[at % b.length]! ^= xor;
            // Several flips can cancel out; otherwise the file must be rejected.
            if (b.every((x, i) => x === files[f]![i])) return;
            expect(readSafely(b)).not.toBe("ok");
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "random byte flips with a recomputed checksum reach the deeper checks",
    () => {
      const codes = new Set<string>();
      fc.assert(
        fc.property(
          fileIndex,
          fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), header: fc.boolean() }), {
            minLength: 1,
            maxLength: 6,
          }),
          (f, flips) => {
            const b = files[f]!.slice();
            const headerEnd = 32 + new DataView(b.buffer).getUint32(24, true);
            // Half the flips land in the preamble + JSON header, where structure lives.
            for (const { at, xor, header } of flips) b[at % (header ? headerEnd : b.length - 4)]! ^= xor;
            codes.add(readSafely(fixChecksum(b)));
          },
        ),
        { numRuns: RUNS },
      );
      expect(codes.size).toBeGreaterThan(3);
    },
    TIMEOUT,
  );

  it(
    "truncations and extensions, checksum stale or recomputed",
    () => {
      fc.assert(
        fc.property(fileIndex, fc.nat(), fc.boolean(), fc.nat(200), (f, cut, fix, extra) => {
          const src = files[f]!;
          const n = cut % src.length;
          expect(readSafely(fix ? fixChecksum(src.slice(0, Math.max(n, 40))) : src.subarray(0, n))).toBe(
            "TRUNCATED",
          );
          if (extra > 0) {
            const longer = new Uint8Array(src.length + extra);
            longer.set(src);
            expect(readSafely(fixChecksum(longer))).not.toBe("ok");
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "structural mutations of the JSON header (rebuilt with valid lengths and checksum)",
    () => {
      const weird: unknown[] = [
        null,
        true,
        -1,
        0,
        1,
        0.5,
        2 ** 31,
        2 ** 53,
        1e308,
        -1e308,
        "",
        "x",
        "bit",
        "float32",
        "__proto__",
        [],
        [1, 2, 3],
        [2 ** 30, 2 ** 30],
        {},
        { rows: 1, cols: 1, wordsPerRow: 1 },
        { kind: "bits", thresholds: "fc1.thresholds" },
      ];
      const codes = new Set<string>();
      fc.assert(
        fc.property(fileIndex, fc.nat(), fc.nat(weird.length + 2), fc.nat(), (f, target, action, other) => {
          const { header, data } = splitFile(files[f]!);
          // Every object/array in the header, with its parent and key.
          const slots: { parent: Record<string | number, unknown>; key: string | number }[] = [];
          const walk = (v: unknown) => {
            if (typeof v !== "object" || v === null) return;
            for (const key of Object.keys(v)) {
              const k = Array.isArray(v) ? Number(key) : key;
              slots.push({ parent: v as Record<string | number, unknown>, key: k });
              walk((v as Record<string, unknown>)[key]);
            }
          };
          walk(header);
          const slot = slots[target % slots.length]!;
          if (action === weird.length) {
            if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
            else delete slot.parent[slot.key];
          } else if (action === weird.length + 1) {
            slot.parent[slot.key] = structuredClone(
              slots[other % slots.length]!.parent[slots[other % slots.length]!.key],
            );
          } else if (action === weird.length + 2) {
            if (Array.isArray(slot.parent)) slot.parent.push(structuredClone(slot.parent[slot.key]));
            else slot.parent[`${String(slot.key)}_copy`] = 1;
          } else slot.parent[slot.key] = structuredClone(weird[action]);
          codes.add(readSafely(buildFile(header, data)));
        }),
        { numRuns: RUNS },
      );
      expect(codes.size).toBeGreaterThan(3);
    },
    TIMEOUT,
  );
});
