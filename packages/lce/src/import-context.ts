import { LceError } from "./errors.js";
import type { GraphNode, LceGraph, ValueInfo, ValueType } from "./graph.js";
import type { TfliteModel, TfliteOperator, TfliteTensor } from "./read-tflite.js";
import { ActivationFunctionType, TensorType, tensorTypeName } from "./schema.js";

/** State shared by the per-op importers while a TFLite subgraph becomes an {@link LceGraph}. */
export class ImportContext {
  readonly nodes: GraphNode[] = [];
  readonly values = new Map<string, ValueInfo>();
  readonly notes: string[] = [];
  /** TFLite tensor index → name of the graph value holding it. */
  private readonly valueOfTensor = new Map<number, string>();
  /** float value → its quantized (±1) twin, made once for all binary consumers. */
  private readonly quantized = new Map<string, string>();

  constructor(readonly model: TfliteModel) {}

  /** The error for an operator or operand this importer does not implement. */
  unsupported(op: TfliteOperator, why: string): LceError {
    return new LceError(
      "UNSUPPORTED_MODEL",
      `operator ${op.index} (${op.name}, inputs [${op.inputs}]): ${why}`,
    );
  }

  /** The error for an operator whose operands contradict each other. */
  bad(op: TfliteOperator, why: string): LceError {
    return new LceError("BAD_MODEL", `operator ${op.index} (${op.name}, inputs [${op.inputs}]): ${why}`);
  }

  tensor(index: number): TfliteTensor {
    return this.model.tensors[index]!;
  }

  /** Input `slot` of `op`, which must be present. */
  input(op: TfliteOperator, slot: number, what: string): TfliteTensor {
    const index = op.inputs[slot];
    if (index === undefined || index < 0) throw this.bad(op, `input ${slot} (${what}) is missing`);
    return this.tensor(index);
  }

  optionalInput(op: TfliteOperator, slot: number): TfliteTensor | null {
    const index = op.inputs[slot];
    return index === undefined || index < 0 ? null : this.tensor(index);
  }

  output(op: TfliteOperator): TfliteTensor {
    if (op.outputs.length !== 1) throw this.bad(op, `has ${op.outputs.length} outputs; 1 expected`);
    return this.tensor(op.outputs[0]!);
  }

  expectInputs(op: TfliteOperator, counts: readonly number[]): void {
    if (!counts.includes(op.inputs.length))
      throw this.bad(op, `has ${op.inputs.length} inputs; ${counts.join(" or ")} expected`);
  }

  /** The per-image shape of an activation tensor: its batch dimension must be 1 and is dropped. */
  imageShape(op: TfliteOperator, tensor: TfliteTensor): number[] {
    if (tensor.shape.length === 0 || tensor.shape[0] !== 1)
      throw this.unsupported(
        op,
        `tensor ${tensor.index} "${tensor.name}" has shape [${tensor.shape}]; batch 1 is required`,
      );
    return tensor.shape.slice(1);
  }

  /** The graph value of an activation input, checked to have the expected type. */
  value(op: TfliteOperator, tensor: TfliteTensor, type: ValueType): ValueInfo {
    const name = this.valueOfTensor.get(tensor.index);
    if (name === undefined) {
      if (tensor.data)
        throw this.unsupported(op, `constant tensor ${tensor.index} used where an activation is expected`);
      throw this.bad(op, `tensor ${tensor.index} "${tensor.name}" is read before any operator writes it`);
    }
    const info = this.values.get(name)!;
    if (info.type !== type)
      throw this.unsupported(op, `tensor ${tensor.index} holds ${info.type} values; ${type} expected`);
    return info;
  }

  /** The ±1 twin of an input: bits as they are, float values through one shared `quantize` node. */
  bits(op: TfliteOperator, tensor: TfliteTensor): ValueInfo {
    const name = this.valueOfTensor.get(tensor.index);
    const info = name === undefined ? undefined : this.values.get(name);
    if (info?.type !== "float32") return this.value(op, tensor, "bits");
    const done = this.quantized.get(info.name);
    if (done) return this.values.get(done)!;
    const quantized: ValueInfo = { name: `${info.name}:sign`, type: "bits", shape: info.shape };
    this.nodes.push({ op: "quantize", name: quantized.name, inputs: [info.name], source: op.index });
    this.values.set(quantized.name, quantized);
    this.quantized.set(info.name, quantized.name);
    this.notes.push(
      `operator ${op.index} (${op.name}) binarizes float input "${info.name}": quantize node added`,
    );
    return quantized;
  }

  /** Declares a graph input. */
  defineInput(tensor: TfliteTensor): ValueInfo {
    if (tensor.type !== TensorType.FLOAT32)
      throw new LceError(
        "UNSUPPORTED_MODEL",
        `graph input ${tensor.index} "${tensor.name}" is ${tensorTypeName(tensor.type)}; float32 is supported`,
      );
    if (tensor.shape[0] !== 1)
      throw new LceError(
        "UNSUPPORTED_MODEL",
        `graph input ${tensor.index} has shape [${tensor.shape}]; batch 1 is required`,
      );
    const info: ValueInfo = { name: this.uniqueName(tensor), type: "float32", shape: tensor.shape.slice(1) };
    this.values.set(info.name, info);
    this.valueOfTensor.set(tensor.index, info.name);
    return info;
  }

  /**
   * Adds `node` producing an intermediate value of `shape`; `tensor`, when given, is the TFLite tensor the
   * value stands for (checked to agree in element type and size).
   */
  emit(node: GraphNode, type: ValueType, shape: readonly number[], tensor?: TfliteTensor): ValueInfo {
    const info: ValueInfo = { name: node.name, type, shape: [...shape] };
    this.nodes.push(node);
    this.values.set(info.name, info);
    if (tensor) this.valueOfTensor.set(tensor.index, info.name);
    return info;
  }

  /** A name for the value that will hold `tensor` (the tensor's name, made unique). */
  uniqueName(tensor: TfliteTensor, suffix = ""): string {
    let name = `${tensor.name}${suffix}`;
    if (this.values.has(name)) name = `${tensor.name}#${tensor.index}${suffix}`;
    return name;
  }

  /** A float32 constant's values (copied out of the file, aligned), checked to have `shape` when given. */
  floats(op: TfliteOperator, tensor: TfliteTensor, what: string, shape?: readonly number[]): Float32Array {
    if (!tensor.data) throw this.unsupported(op, `${what} (tensor ${tensor.index}) is not a constant`);
    if (tensor.type !== TensorType.FLOAT32)
      throw this.unsupported(
        op,
        `${what} (tensor ${tensor.index}) is ${tensorTypeName(tensor.type)}; float32 expected`,
      );
    if (shape && !sameShape(tensor.shape, shape))
      throw this.bad(op, `${what} (tensor ${tensor.index}) has shape [${tensor.shape}]; [${shape}] expected`);
    return new Float32Array(new Uint8Array(tensor.data).buffer);
  }

  /** An int32 constant's values, checked like {@link floats}. */
  ints(op: TfliteOperator, tensor: TfliteTensor, what: string, shape?: readonly number[]): Int32Array {
    if (!tensor.data) throw this.unsupported(op, `${what} (tensor ${tensor.index}) is not a constant`);
    if (tensor.type !== TensorType.INT32)
      throw this.unsupported(
        op,
        `${what} (tensor ${tensor.index}) is ${tensorTypeName(tensor.type)}; int32 expected`,
      );
    if (shape && !sameShape(tensor.shape, shape))
      throw this.bad(op, `${what} (tensor ${tensor.index}) has shape [${tensor.shape}]; [${shape}] expected`);
    return new Int32Array(new Uint8Array(tensor.data).buffer);
  }

  /** Checks that the output tensor's per-image shape is `shape`. */
  checkOutputShape(op: TfliteOperator, tensor: TfliteTensor, shape: readonly number[]): void {
    const stored = this.imageShape(op, tensor);
    if (!sameShape(stored, shape))
      throw this.bad(
        op,
        `output tensor ${tensor.index} has shape [1,${stored}]; the operator computes [1,${shape}]`,
      );
  }

  /** Emits a relu node after `input` for a fused activation; returns the value that holds the result. */
  fusedActivation(op: TfliteOperator, code: number, input: ValueInfo, tensor: TfliteTensor): ValueInfo {
    const range = activationRange(op, code, this);
    if (!range) return input;
    this.notes.push(`operator ${op.index} (${op.name}): fused activation → relu node`);
    return this.emit(
      {
        op: "relu",
        name: this.uniqueName(tensor),
        inputs: [input.name],
        source: op.index,
        min: range[0],
        max: range[1],
      },
      "float32",
      input.shape,
      tensor,
    );
  }

  finish(outputs: readonly number[]): LceGraph {
    const names = outputs.map((index) => {
      const name = this.valueOfTensor.get(index);
      if (name === undefined)
        throw new LceError("BAD_MODEL", `graph output tensor ${index} is never written`);
      return name;
    });
    const inputs = this.model.inputs.map((index) => this.values.get(this.valueOfTensor.get(index)!)!);
    return { inputs, outputs: names, nodes: this.nodes, values: this.values, notes: this.notes };
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** [min, max] of a fused activation, or null for none. */
export function activationRange(
  op: TfliteOperator,
  code: number,
  ctx: ImportContext,
): [number, number] | null {
  switch (code) {
    case ActivationFunctionType.NONE:
      return null;
    case ActivationFunctionType.RELU:
      return [0, Number.POSITIVE_INFINITY];
    case ActivationFunctionType.RELU_N1_TO_1:
      return [-1, 1];
    case ActivationFunctionType.RELU6:
      return [0, 6];
    default:
      throw ctx.unsupported(op, `fused activation ${code} (TANH/SIGN_BIT or unknown) is not supported`);
  }
}
