import { crc32, readSafetensors, type SafetensorsTensor, writeSafetensors } from "@onebit/format";
import { Rng } from "@onebit/tensor";
import { assertAllFinite, NnError } from "./errors.js";
import type { Model } from "./model-base.js";
import type { Optimizer, OptimizerState } from "./optimizers/optimizer.js";
import { VERSION } from "./version.js";

/** What a training checkpoint holds besides the model's weights and statistics. */
export interface CheckpointInfo {
  /** Completed epochs: resume with `fit(…, { initialEpoch: epoch, rng })`. */
  readonly epoch: number;
  /** The training generator positioned where the interrupted run left it. */
  readonly rng: Rng;
  /** The optimizer state (also restored into `optimizer` when one is passed to the decoder). */
  readonly optimizerState: OptimizerState;
  /** Free-form string metadata stored with the checkpoint. */
  readonly extra: Readonly<Record<string, string>>;
}

/** A checkpoint read and checked on its own, before it is matched against a model. */
export interface ParsedCheckpoint extends CheckpointInfo {
  /** The name of the model it was saved from. */
  readonly modelName: string;
  /** Weights and statistics by name (`<layer>/<role>`), as `Model.getState` gives them. */
  readonly modelState: Readonly<Record<string, Float32Array>>;
  /** The architecture signature (tensor names and sizes) a model must match to load it. */
  readonly layout: string;
}

const FORMAT = "onebit-nn-checkpoint";
/** Version 2 adds the `checksum` metadata entry; version 1 files (without it) are still read. */
const VERSION_WRITTEN = "2";
const MODEL = "model/";
const OPTIMIZER = "optimizer/";
const RNG = "rng/state";
const CHECKSUM = "checksum";
const RESERVED = [
  "format",
  "formatVersion",
  "library",
  "model",
  "seed",
  "epoch",
  "optimizerType",
  "optimizerScalars",
  "layout",
  CHECKSUM,
];

function layerSignature(model: Model): string {
  return JSON.stringify(Object.entries(model.getState()).map(([k, v]) => [k, v.length]));
}

const utf8 = new TextEncoder();

/**
 * CRC-32 over everything a checkpoint stores except the checksum itself: each tensor's name, dtype,
 * shape and bytes in name order, then the metadata entries in key order. Any flipped bit changes it.
 */
function contentChecksum(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  metadata: Readonly<Record<string, string>>,
): string {
  let crc = 0;
  const text = (s: string) => {
    const b = utf8.encode(`${s}\u0000`);
    crc = crc32(b, 0, b.length, crc);
  };
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    text(`${name}|${t.dtype}|${t.shape.join(",")}`);
    const data = t.data as Float32Array | Uint32Array;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    crc = crc32(bytes, 0, bytes.length, crc);
  }
  for (const key of Object.keys(metadata).sort()) {
    if (key !== CHECKSUM) text(`${key}=${metadata[key]}`);
  }
  return `crc32:${crc.toString(16).padStart(8, "0")}`;
}

/**
 * Serializes a training checkpoint to safetensors bytes: latent weights and BatchNorm statistics
 * (`model/…`), optimizer slots (`optimizer/…`), the generator state (`rng/state`, U32 [4]) and, in
 * the string metadata, the epoch, optimizer type and scalars and a CRC-32 of all of it. Plain
 * safetensors, so PyTorch and Hugging Face tools can read the weights.
 */
export function encodeCheckpoint(
  model: Model,
  optimizer: Optimizer | OptimizerState,
  epoch: number,
  rng: Rng,
  extra: Readonly<Record<string, string>> = {},
): Uint8Array {
  const c = checkpointContents(model, optimizer, epoch, rng, extra);
  return writeSafetensors(c.tensors, c.metadata);
}

/** The tensors and string metadata of a checkpoint (what `encodeCheckpoint` serializes). */
export function checkpointContents(
  model: Model,
  optimizer: Optimizer | OptimizerState,
  epoch: number,
  rng: Rng,
  extra: Readonly<Record<string, string>> = {},
): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new NnError("INVALID_ARGUMENT", `checkpoint epoch must be a non-negative integer, got ${epoch}`);
  }
  for (const key of Object.keys(extra)) {
    if (RESERVED.includes(key)) {
      throw new NnError(
        "INVALID_ARGUMENT",
        `checkpoint extra metadata may not use the reserved key "${key}"`,
      );
    }
  }
  const opt = "getState" in optimizer ? optimizer.getState() : optimizer;
  const tensors = new Map<string, SafetensorsTensor>();
  const state = model.getState();
  const shapes = new Map<string, readonly number[]>();
  for (const p of model.params()) shapes.set(p.name, p.shape);
  for (const [name, data] of Object.entries(state)) {
    tensors.set(MODEL + name, { dtype: "F32", shape: shapes.get(name) ?? [data.length], data });
  }
  for (const [name, data] of Object.entries(opt.slots)) {
    tensors.set(OPTIMIZER + name, { dtype: "F32", shape: [data.length], data: data.slice() });
  }
  tensors.set(RNG, { dtype: "U32", shape: [4], data: rng.getState() });
  const metadata: Record<string, string> = {
    ...extra,
    format: FORMAT,
    formatVersion: VERSION_WRITTEN,
    library: `@onebit/nn ${VERSION}`,
    model: model.name,
    seed: String(model.seed),
    epoch: String(epoch),
    optimizerType: opt.type,
    optimizerScalars: JSON.stringify(opt.scalars),
    layout: layerSignature(model),
  };
  metadata[CHECKSUM] = contentChecksum(tensors, metadata);
  return { tensors, metadata };
}

const mismatch = (message: string): never => {
  throw new NnError("STATE_MISMATCH", message);
};

function parseScalars(text: string | undefined): Record<string, number> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "{}");
  } catch {
    mismatch(`checkpoint optimizerScalars is not JSON: ${JSON.stringify(text)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    mismatch(`checkpoint optimizerScalars must be a JSON object of numbers, got ${text}`);
  }
  const scalars: Record<string, number> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      mismatch(`checkpoint optimizer scalar "${k}" must be a finite number, got ${JSON.stringify(v)}`);
    }
    scalars[k] = v as number;
  }
  return scalars;
}

/**
 * Reads and checks a checkpoint on its own — container, format and version, checksum, tensor
 * dtypes, finite values, epoch, generator state and optimizer scalars — without touching any model.
 * NnError STATE_MISMATCH (NON_FINITE for NaN/±Infinity in a weight or slot).
 */
export function parseCheckpoint(bytes: Uint8Array): ParsedCheckpoint {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    throw new NnError("STATE_MISMATCH", `not a readable checkpoint: ${(e as Error).message}`);
  }
  const meta = file.metadata;
  if (meta["format"] !== FORMAT) {
    mismatch(`not an @onebit/nn checkpoint (metadata format is ${JSON.stringify(meta["format"])})`);
  }
  const version = meta["formatVersion"];
  if (version !== "1" && version !== VERSION_WRITTEN) {
    mismatch(`unsupported checkpoint version ${JSON.stringify(version)} (this library reads 1 and 2)`);
  }
  if (version !== "1" || meta[CHECKSUM] !== undefined) {
    const stored = meta[CHECKSUM];
    if (stored === undefined) mismatch("the checkpoint has no checksum (formatVersion 2 requires one)");
    const actual = contentChecksum(file.tensors, meta);
    if (stored !== actual) {
      mismatch(`checkpoint checksum mismatch: stored ${stored}, computed ${actual}; the file is corrupt`);
    }
  }
  const epoch = Number(meta["epoch"]);
  if (!Number.isInteger(epoch) || epoch < 0) mismatch(`checkpoint epoch ${meta["epoch"]} is invalid`);
  const modelState: Record<string, Float32Array> = {};
  const slots: Record<string, Float32Array> = {};
  let rngState: Uint32Array | undefined;
  for (const [name, t] of file.tensors) {
    if (name === RNG) {
      if (t.dtype !== "U32" || t.data.length !== 4) mismatch(`${RNG} must be U32 [4]`);
      rngState = t.data as Uint32Array;
      continue;
    }
    if (t.dtype !== "F32") mismatch(`checkpoint tensor "${name}" has dtype ${t.dtype}, F32 expected`);
    const data = t.data as Float32Array;
    if (name.startsWith(MODEL)) modelState[name.slice(MODEL.length)] = data;
    else if (name.startsWith(OPTIMIZER)) slots[name.slice(OPTIMIZER.length)] = data;
    else mismatch(`unknown checkpoint tensor "${name}"`);
    assertAllFinite(data, `checkpoint tensor "${name}"`);
  }
  if (!rngState) mismatch(`the checkpoint has no ${RNG}`);
  const rng = new Rng(0);
  try {
    rng.setState(rngState!);
  } catch (e) {
    mismatch(`checkpoint rng state: ${(e as Error).message}`);
  }
  const optimizerState: OptimizerState = {
    type: meta["optimizerType"] ?? "",
    scalars: parseScalars(meta["optimizerScalars"]),
    slots,
  };
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (!RESERVED.includes(k)) extra[k] = v;
  return {
    epoch,
    rng,
    optimizerState,
    extra,
    modelName: meta["model"] ?? "",
    modelState,
    layout: meta["layout"] ?? "",
  };
}

/** Every optimizer slot `[<group>:]<param name>/<slot>` must belong to a parameter of the model. */
function checkSlots(model: Model, slots: Readonly<Record<string, Float32Array>>): void {
  const lengths = new Map(model.params().map((p) => [p.name, p.value.length]));
  for (const [key, values] of Object.entries(slots)) {
    const local = key.replace(/^[A-Za-z0-9_]+:/, "");
    const param = local.slice(0, local.lastIndexOf("/"));
    const length = lengths.get(param);
    if (length === undefined) mismatch(`optimizer slot "${key}" belongs to no parameter of this model`);
    if (values.length !== length) {
      mismatch(`optimizer slot "${key}" holds ${values.length} values, parameter "${param}" has ${length}`);
    }
  }
}

/**
 * Restores a checkpoint from `encodeCheckpoint` into `model` (weights and statistics, in place) and,
 * when given, `optimizer`; returns the epoch, generator and optimizer state. Atomic: everything is
 * checked (see `parseCheckpoint`, then against the model and optimizer) before anything changes,
 * and a failure leaves both as they were. NnError STATE_MISMATCH or NON_FINITE.
 */
export function decodeCheckpoint(bytes: Uint8Array, model: Model, optimizer?: Optimizer): CheckpointInfo {
  const parsed = parseCheckpoint(bytes);
  if (parsed.layout !== layerSignature(model)) {
    mismatch(
      `the checkpoint was saved from a different architecture (model "${parsed.modelName}"), its tensors do not match this model's`,
    );
  }
  model.checkState(parsed.modelState);
  checkSlots(model, parsed.optimizerState.slots);
  if (optimizer) {
    const before = optimizer.getState();
    if (before.type !== parsed.optimizerState.type) {
      mismatch(`the checkpoint's optimizer is "${parsed.optimizerState.type}", this one is "${before.type}"`);
    }
    try {
      optimizer.setState(parsed.optimizerState);
    } catch (e) {
      optimizer.setState(before);
      throw e;
    }
  }
  model.setState(parsed.modelState);
  const { epoch, rng, optimizerState, extra } = parsed;
  return { epoch, rng, optimizerState, extra };
}
