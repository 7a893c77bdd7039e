import { Builder } from "flatbuffers";
import { encode } from "flatbuffers/js/flexbuffers.js";
import { BuiltinOperator, Field, TensorType } from "../src/schema.js";

// Test helper: writes small TensorFlow Lite files with the official FlatBuffers Builder, field ids from
// schema.ts, so tests can feed the importer graphs of their choosing (and broken ones).

export interface TensorSpec {
  readonly shape: readonly number[];
  readonly type?: number;
  /** Constant data; its raw bytes become the tensor's buffer. */
  readonly data?: Float32Array | Int32Array | Uint8Array;
  readonly name?: string;
}

export type OptionValue = number | boolean | readonly number[];
export interface OpSpec {
  /** A builtin name from schema.ts or a builtin code number, or a custom code (any other string). */
  readonly op: keyof typeof BuiltinOperator | string | number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Builtin options: union tag and fields as [id, kind, value]. */
  readonly options?: {
    readonly type: number;
    readonly fields: readonly (readonly [
      number,
      "int8" | "int32" | "float32" | "bool" | "int32s",
      OptionValue,
    ])[];
  };
  /** Custom options, encoded as a FlexBuffers map. */
  readonly custom?: Readonly<Record<string, number>>;
  /** Raw custom options bytes (to feed damaged ones). */
  readonly customBytes?: Uint8Array;
}

export interface ModelSpec {
  readonly tensors: readonly TensorSpec[];
  readonly ops: readonly OpSpec[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly version?: number;
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function bytesOf(data: Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function buildTflite(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);
  // Buffers: 0 is the empty sentinel, then one per constant tensor.
  const bufferOffsets: number[] = [];
  const emptyBuffer = (() => {
    b.startObject(1);
    return b.endObject();
  })();
  bufferOffsets.push(emptyBuffer);
  const tensorBuffer: number[] = [];
  for (const tensor of spec.tensors) {
    if (!tensor.data) {
      tensorBuffer.push(0);
      continue;
    }
    b.startVector(1, tensor.data.byteLength, 16);
    const bytes = bytesOf(tensor.data);
    for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]!);
    const data = b.endVector();
    b.startObject(1);
    b.addFieldOffset(Field.Buffer.data, data, 0);
    tensorBuffer.push(bufferOffsets.length);
    bufferOffsets.push(b.endObject());
  }

  const tensorOffsets = spec.tensors.map((tensor, i) => {
    const name = b.createString(tensor.name ?? `t${i}`);
    const shape = int32Vector(b, tensor.shape);
    b.startObject(5);
    b.addFieldOffset(Field.Tensor.shape, shape, 0);
    b.addFieldInt8(Field.Tensor.type, tensor.type ?? TensorType.FLOAT32, -1);
    b.addFieldInt32(Field.Tensor.buffer, tensorBuffer[i]!, -1);
    b.addFieldOffset(Field.Tensor.name, name, 0);
    return b.endObject();
  });

  // Operator codes: one per distinct op name, in order of first use.
  const codeIndex = new Map<string | number, number>();
  for (const op of spec.ops) if (!codeIndex.has(op.op)) codeIndex.set(op.op, codeIndex.size);
  const codeOffsets = [...codeIndex.keys()].map((name) => {
    const builtin = typeof name === "number" ? name : (BuiltinOperator as Record<string, number>)[name];
    const custom = builtin === undefined ? b.createString(String(name)) : 0;
    const code = builtin ?? BuiltinOperator.CUSTOM;
    b.startObject(4);
    b.addFieldInt8(Field.OperatorCode.deprecatedBuiltinCode, Math.min(code, 127), -1);
    if (custom) b.addFieldOffset(Field.OperatorCode.customCode, custom, 0);
    b.addFieldInt32(Field.OperatorCode.version, 1, -1);
    b.addFieldInt32(Field.OperatorCode.builtinCode, code, -1);
    return b.endObject();
  });

  const opOffsets = spec.ops.map((op) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    let options = 0;
    if (op.options) {
      const vectors = op.options.fields.map(([, kind, value]) =>
        kind === "int32s" ? int32Vector(b, value as readonly number[]) : 0,
      );
      b.startObject(8);
      op.options.fields.forEach(([id, kind, value], k) => {
        if (kind === "int8") b.addFieldInt8(id, value as number, -999);
        else if (kind === "bool") b.addFieldInt8(id, value ? 1 : 0, -999);
        else if (kind === "int32") b.addFieldInt32(id, value as number, -999);
        else if (kind === "float32") b.addFieldFloat32(id, value as number, -999);
        else b.addFieldOffset(id, vectors[k]!, 0);
      });
      options = b.endObject();
    }
    const customBytes = op.customBytes ?? (op.custom ? encode(op.custom) : null);
    const custom = customBytes ? b.createByteVector(customBytes) : 0;
    b.startObject(7);
    b.addFieldInt32(Field.Operator.opcodeIndex, codeIndex.get(op.op)!, -1);
    b.addFieldOffset(Field.Operator.inputs, inputs, 0);
    b.addFieldOffset(Field.Operator.outputs, outputs, 0);
    if (op.options) {
      b.addFieldInt8(Field.Operator.builtinOptionsType, op.options.type, -1);
      b.addFieldOffset(Field.Operator.builtinOptions, options, 0);
    }
    if (custom) b.addFieldOffset(Field.Operator.customOptions, custom, 0);
    return b.endObject();
  });

  const tensors = offsetVector(b, tensorOffsets);
  const operators = offsetVector(b, opOffsets);
  const inputs = int32Vector(b, spec.inputs);
  const outputs = int32Vector(b, spec.outputs);
  b.startObject(5);
  b.addFieldOffset(Field.SubGraph.tensors, tensors, 0);
  b.addFieldOffset(Field.SubGraph.inputs, inputs, 0);
  b.addFieldOffset(Field.SubGraph.outputs, outputs, 0);
  b.addFieldOffset(Field.SubGraph.operators, operators, 0);
  const subgraph = b.endObject();

  const codes = offsetVector(b, codeOffsets);
  const subgraphs = offsetVector(b, [subgraph]);
  const buffers = offsetVector(b, bufferOffsets);
  const description = b.createString("built by the @onebit/lce tests");
  b.startObject(5);
  b.addFieldInt32(Field.Model.version, spec.version ?? 3, -1);
  b.addFieldOffset(Field.Model.operatorCodes, codes, 0);
  b.addFieldOffset(Field.Model.subgraphs, subgraphs, 0);
  b.addFieldOffset(Field.Model.description, description, 0);
  b.addFieldOffset(Field.Model.buffers, buffers, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}
