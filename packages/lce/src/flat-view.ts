import { ByteBuffer } from "flatbuffers";
import { LceError } from "./errors.js";

// Bounds-checked access to FlatBuffers tables on top of the official ByteBuffer. ByteBuffer itself
// trusts every offset (an out-of-range read yields undefined bytes, not an error); here each offset,
// vtable, vector length and string is checked against the bytes before it is used.

/** A table located and validated in the buffer. */
export class FlatTable {
  private constructor(
    private readonly view: FlatView,
    /** Byte position of the table. */
    readonly pos: number,
    private readonly vtableSize: number,
    private readonly inlineSize: number,
    /** Where the table is, for error messages ("Model.subgraphs[0].tensors[3]"). */
    readonly where: string,
  ) {}

  /** Validates the table at `pos`: its soffset, its vtable's header and that both lie inside the bytes. */
  static at(view: FlatView, pos: number, where: string): FlatTable {
    view.need(pos, 4, where);
    if (pos % 4 !== 0)
      throw new LceError("MALFORMED", `${where}: table at byte ${pos} is not 4-byte aligned`);
    const vtable = pos - view.bb.readInt32(pos);
    view.need(vtable, 4, `${where} vtable`);
    if (vtable % 2 !== 0) throw new LceError("MALFORMED", `${where}: vtable at byte ${vtable} is misaligned`);
    const vtableSize = view.bb.readUint16(vtable);
    const inlineSize = view.bb.readUint16(vtable + 2);
    if (vtableSize < 4 || vtableSize % 2 !== 0)
      throw new LceError("MALFORMED", `${where}: vtable size ${vtableSize} at byte ${vtable} is invalid`);
    if (inlineSize < 4)
      throw new LceError("MALFORMED", `${where}: table size ${inlineSize} is below 4 bytes`);
    view.need(vtable, vtableSize, `${where} vtable`);
    view.need(pos, inlineSize, where);
    return new FlatTable(view, pos, vtableSize, inlineSize, where);
  }

  /** Byte position of field `id` of `size` bytes, or 0 when absent; checked to lie inside the table. */
  private field(id: number, size: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return 0;
    const offset = this.view.bb.__offset(this.pos, slot);
    if (offset === 0) return 0;
    if (offset < 4 || offset + size > this.inlineSize)
      throw new LceError(
        "MALFORMED",
        `${this.where}.${name}: field offset ${offset} (+${size}) lies outside the table of ${this.inlineSize} bytes`,
      );
    return this.pos + offset;
  }

  has(id: number): boolean {
    const slot = 4 + 2 * id;
    return slot + 2 <= this.vtableSize && this.view.bb.__offset(this.pos, slot) !== 0;
  }

  int8(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 1, name);
    return at === 0 ? fallback : this.view.bb.readInt8(at);
  }

  uint8(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 1, name);
    return at === 0 ? fallback : this.view.bb.readUint8(at);
  }

  bool(id: number, name: string, fallback = false): boolean {
    const at = this.field(id, 1, name);
    return at === 0 ? fallback : this.view.bb.readUint8(at) !== 0;
  }

  int32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at === 0 ? fallback : this.view.bb.readInt32(at);
  }

  uint32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at === 0 ? fallback : this.view.bb.readUint32(at);
  }

  float32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at === 0 ? fallback : this.view.bb.readFloat32(at);
  }

  uint64(id: number, name: string): bigint {
    const at = this.field(id, 8, name);
    return at === 0 ? 0n : this.view.bb.readUint64(at);
  }

  /** Target of a reference field (uoffset relative to the field), checked to lie inside the bytes. */
  private target(id: number, name: string): number {
    const at = this.field(id, 4, name);
    if (at === 0) return 0;
    const target = at + this.view.bb.readUint32(at);
    this.view.need(target, 4, `${this.where}.${name}`);
    return target;
  }

  table(id: number, name: string): FlatTable | null {
    const target = this.target(id, name);
    return target === 0 ? null : FlatTable.at(this.view, target, `${this.where}.${name}`);
  }

  /** A vector of `elementBytes`-sized scalars: where its data start and how many there are. */
  vector(
    id: number,
    elementBytes: number,
    name: string,
    maxLength: number,
    limitName: string,
  ): FlatVector | null {
    const target = this.target(id, name);
    if (target === 0) return null;
    const length = this.view.bb.readUint32(target);
    const where = `${this.where}.${name}`;
    if (length > maxLength)
      throw new LceError(
        "TOO_LARGE",
        `${where}: ${length} entries exceed the limit of ${maxLength} (option ${limitName})`,
      );
    this.view.need(target + 4, length * elementBytes, where);
    return { start: target + 4, length, where };
  }

  int32s(id: number, name: string, maxLength: number, limitName: string): number[] | null {
    const vector = this.vector(id, 4, name, maxLength, limitName);
    if (!vector) return null;
    const out = new Array<number>(vector.length);
    for (let i = 0; i < vector.length; i++) out[i] = this.view.bb.readInt32(vector.start + 4 * i);
    return out;
  }

  /** The bytes of a `[ubyte]` vector as a view into the file (no copy). */
  bytes(id: number, name: string, maxLength: number, limitName: string): Uint8Array | null {
    const vector = this.vector(id, 1, name, maxLength, limitName);
    if (!vector) return null;
    return this.view.bytes.subarray(vector.start, vector.start + vector.length);
  }

  /** A vector of tables, each validated. */
  tables(id: number, name: string, maxLength: number, limitName: string): FlatTable[] | null {
    const vector = this.vector(id, 4, name, maxLength, limitName);
    if (!vector) return null;
    const out: FlatTable[] = [];
    for (let i = 0; i < vector.length; i++) {
      const at = vector.start + 4 * i;
      out.push(FlatTable.at(this.view, at + this.view.bb.readUint32(at), `${vector.where}[${i}]`));
    }
    return out;
  }

  string(id: number, name: string, maxLength = 1 << 20): string | null {
    const vector = this.vector(id, 1, name, maxLength, "maxStringBytes");
    if (!vector) return null;
    this.view.need(vector.start, vector.length + 1, vector.where);
    return this.view.decoder.decode(this.view.bytes.subarray(vector.start, vector.start + vector.length));
  }
}

export interface FlatVector {
  readonly start: number;
  readonly length: number;
  readonly where: string;
}

/** The buffer being read. */
export class FlatView {
  readonly bb: ByteBuffer;
  readonly decoder = new TextDecoder("utf-8", { fatal: false });
  constructor(readonly bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
  }

  /** Throws TRUNCATED unless bytes [pos, pos + size) lie inside the buffer. */
  need(pos: number, size: number, where: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || size < 0 || pos + size > this.bytes.length)
      throw new LceError(
        "TRUNCATED",
        `${where}: bytes ${pos}..${pos + size} lie outside the ${this.bytes.length}-byte file`,
      );
  }

  /** The root table, after checking the size prefix room and the file identifier. */
  root(identifier: string): FlatTable {
    if (this.bytes.length < 8)
      throw new LceError(
        "TRUNCATED",
        `the file has ${this.bytes.length} bytes; a TFLite file has at least 8`,
      );
    const found = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (found !== identifier)
      throw new LceError(
        "BAD_MAGIC",
        `bytes 4..8 are ${JSON.stringify(found)}, not the TensorFlow Lite identifier "${identifier}"`,
      );
    return FlatTable.at(this, this.bb.readUint32(0), "Model");
  }
}
