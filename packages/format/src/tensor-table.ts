import type { FormatErrorCode } from "./errors.js";
import { asArray, asInteger, asObject, asOneOf, asString, checkedProduct, fail, own } from "./json-check.js";
import { LIMITS, TENSOR_ALIGNMENT } from "./limits.js";
import { type BitLayout, DTYPES, type DType } from "./tensor.js";

/** One row of the tensor table in the JSON header (SPEC.md §4). */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Start within the data section (a multiple of 64). */
  readonly offset: number;
  readonly byteLength: number;
  readonly layout?: BitLayout;
}

/** The dtype and logical shape of a tensor: all the graph checks need. */
export interface TensorInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export const DTYPE_BYTES: Readonly<Record<Exclude<DType, "bit">, number>> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  int8: 1,
};

/** The canonical packing of a `bit` tensor of this logical shape (rank ≥ 1). */
export function bitLayoutFor(shape: readonly number[], wordsPerRow?: number): BitLayout {
  const cols = shape[shape.length - 1] ?? 0;
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i]!;
  return { rows, cols, wordsPerRow: wordsPerRow ?? Math.ceil(cols / 32) };
}

/** Bytes a tensor occupies in the data section. */
export function tensorByteLength(dtype: DType, elements: number, layout?: BitLayout): number {
  if (dtype === "bit") return 4 * layout!.rows * layout!.wordsPerRow;
  return DTYPE_BYTES[dtype] * elements;
}

/** Checks a shape from untrusted JSON (or a caller) and returns it with its element count. */
export function parseShape(
  v: unknown,
  path: string,
  code: FormatErrorCode,
): { shape: number[]; elements: number } {
  const dims = asArray(v, path, code, LIMITS.maxRank);
  const shape = dims.map((d, i) => asInteger(d, `${path}[${i}]`, code, 0, LIMITS.maxTensorElements));
  return { shape, elements: checkedProduct(shape, LIMITS.maxTensorElements, path) };
}

function parseLayout(v: unknown, path: string, shape: readonly number[]): BitLayout {
  const o = asObject(v, path, "BAD_TENSOR");
  if (shape.length === 0)
    fail("BAD_TENSOR", path, "a bit tensor needs rank ≥ 1 (it is packed along its last axis)");
  const expected = bitLayoutFor(shape);
  const rows = asInteger(own(o, "rows"), `${path}.rows`, "BAD_TENSOR", 0, LIMITS.maxTensorElements);
  const cols = asInteger(own(o, "cols"), `${path}.cols`, "BAD_TENSOR", 0, LIMITS.maxTensorElements);
  if (rows !== expected.rows || cols !== expected.cols) {
    fail(
      "BAD_TENSOR",
      path,
      `rows × cols = ${rows} × ${cols} but shape [${shape.join(", ")}] packs as ${expected.rows} × ${expected.cols}`,
    );
  }
  // Up to 2¹⁶ words of padding per row is generous for any kernel block width and keeps sizes sane.
  const wordsPerRow = asInteger(
    own(o, "wordsPerRow"),
    `${path}.wordsPerRow`,
    "BAD_TENSOR",
    expected.wordsPerRow,
    expected.wordsPerRow + 65_536,
  );
  if (rows * wordsPerRow > LIMITS.maxTensorElements) {
    fail("TOO_LARGE", path, `${rows} rows × ${wordsPerRow} words exceed ${LIMITS.maxTensorElements} words`);
  }
  return { rows, cols, wordsPerRow };
}

/**
 * Validates the tensor table against a data section of `dataLength` bytes: types, unique names,
 * exact byte lengths, 64-byte-aligned in-bounds offsets, no overlaps. Allocates nothing per byte.
 */
export function parseTensorTable(v: unknown, dataLength: number): TensorEntry[] {
  const items = asArray(v, "tensors", "BAD_TENSOR", LIMITS.maxTensors);
  const names = new Set<string>();
  const entries: TensorEntry[] = [];
  for (let i = 0; i < items.length; i++) {
    const path = `tensors[${i}]`;
    const o = asObject(items[i], path, "BAD_TENSOR");
    const name = asString(own(o, "name"), `${path}.name`, "BAD_TENSOR", LIMITS.maxNameLength, 1);
    if (names.has(name)) fail("BAD_TENSOR", `${path}.name`, `duplicate tensor name ${JSON.stringify(name)}`);
    names.add(name);
    const where = `${path} (${JSON.stringify(name)})`;
    const dtype = asOneOf(own(o, "dtype"), `${where}.dtype`, "BAD_TENSOR", DTYPES);
    const { shape, elements } = parseShape(own(o, "shape"), `${where}.shape`, "BAD_TENSOR");
    const layout = dtype === "bit" ? parseLayout(own(o, "layout"), `${where}.layout`, shape) : undefined;
    if (dtype !== "bit" && own(o, "layout") !== undefined) {
      fail("BAD_TENSOR", `${where}.layout`, `only bit tensors have a layout, this one is ${dtype}`);
    }
    const expectedBytes = tensorByteLength(dtype, elements, layout);
    const byteLength = asInteger(
      own(o, "byteLength"),
      `${where}.byteLength`,
      "BAD_TENSOR",
      0,
      Number.MAX_SAFE_INTEGER,
    );
    if (byteLength !== expectedBytes) {
      fail(
        "BAD_TENSOR",
        `${where}.byteLength`,
        `${byteLength} bytes, but ${dtype} [${shape.join(", ")}] takes ${expectedBytes}`,
      );
    }
    const offset = asInteger(own(o, "offset"), `${where}.offset`, "BAD_TENSOR", 0, Number.MAX_SAFE_INTEGER);
    if (offset % TENSOR_ALIGNMENT !== 0)
      fail("BAD_TENSOR", `${where}.offset`, `${offset} is not a multiple of ${TENSOR_ALIGNMENT}`);
    if (offset + byteLength > dataLength) {
      fail(
        "BAD_TENSOR",
        `${where}.offset`,
        `bytes [${offset}, ${offset + byteLength}) run past the ${dataLength}-byte data section`,
      );
    }
    entries.push(
      layout
        ? { name, dtype, shape, offset, byteLength, layout }
        : { name, dtype, shape, offset, byteLength },
    );
  }
  const byOffset = entries.filter((e) => e.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    if (cur.offset < prev.offset + prev.byteLength) {
      fail(
        "BAD_TENSOR",
        "tensors",
        `${JSON.stringify(cur.name)} at data offset ${cur.offset} overlaps ${JSON.stringify(prev.name)} [${prev.offset}, ${prev.offset + prev.byteLength})`,
      );
    }
  }
  return entries;
}
