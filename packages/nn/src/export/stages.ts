import { NnError } from "../errors.js";
import { HardTanh, QuantizerActivation } from "../layers/activations.js";
import { BatchNorm } from "../layers/batch-norm.js";
import { Conv2d } from "../layers/conv2d.js";
import { Dense } from "../layers/dense.js";
import { Dropout } from "../layers/dropout.js";
import { Flatten } from "../layers/flatten.js";
import type { Layer } from "../layers/layer.js";
import { MaxPool2d } from "../layers/max-pool2d.js";
import { isPlainSign } from "../quantizers.js";

export type Producer = Dense | Conv2d;

/** A layer with a kernel and what follows it up to the next one, as the inference graph sees it. */
export interface Stage {
  readonly producer: Producer;
  /** Pools between the producer and its BatchNorm (max before a decreasing BN becomes min). */
  readonly prePools: readonly MaxPool2d[];
  readonly batchNorm: BatchNorm | undefined;
  /** Pools and flattens after the BatchNorm, in order. */
  readonly post: readonly (MaxPool2d | Flatten)[];
  /** The stage ends in a sign: an explicit `sign()` or the next layer's sign input quantizer. */
  readonly binarized: boolean;
}

/** What comes before the first layer with a kernel. */
export interface Plan {
  readonly leading: readonly (MaxPool2d | Flatten)[];
  readonly stages: readonly Stage[];
}

export const isProducer = (l: Layer): l is Producer => l instanceof Dense || l instanceof Conv2d;

function refuse(layer: Layer, why: string): never {
  throw new NnError("UNSUPPORTED_EXPORT", `cannot export layer "${layer.name}" (${layer.type}): ${why}`);
}

/**
 * Splits a model's layers into stages and checks that each is foldable: the graph carries only
 * bits between binary layers, BatchNorm must directly follow a kernel (pools may sit between),
 * and real-valued activations other than a sign are only allowed right before one.
 */
export function planExport(layers: readonly Layer[]): Plan {
  // Dropout is the identity in evaluation mode, which is what gets exported.
  const ls = layers.filter((l) => !(l instanceof Dropout));
  const leading: (MaxPool2d | Flatten)[] = [];
  let i = 0;
  for (; i < ls.length && !isProducer(ls[i]!); i++) {
    const l = ls[i]!;
    if (l instanceof Flatten || l instanceof MaxPool2d) leading.push(l);
    else refuse(l, "only flatten and max-pooling may come before the first dense/conv layer");
  }
  if (i === ls.length) {
    throw new NnError("UNSUPPORTED_EXPORT", "the model has no dense or conv layer to export");
  }
  const stages: Stage[] = [];
  while (i < ls.length) {
    const producer = ls[i] as Producer;
    const prePools: MaxPool2d[] = [];
    const post: (MaxPool2d | Flatten)[] = [];
    let batchNorm: BatchNorm | undefined;
    let sign = false;
    let hardTanh: HardTanh | undefined;
    let j = i + 1;
    for (; j < ls.length && !isProducer(ls[j]!); j++) {
      const l = ls[j]!;
      if (l instanceof BatchNorm) {
        if (batchNorm) refuse(l, `a second BatchNorm after "${batchNorm.name}" cannot be folded`);
        if (sign) refuse(l, "a BatchNorm after a sign cannot be folded");
        if (post.length > 0)
          refuse(l, `BatchNorm after "${post[0]!.name}" cannot be folded (move it before)`);
        batchNorm = l;
      } else if (l instanceof MaxPool2d) {
        if (!batchNorm && !sign) prePools.push(l);
        else post.push(l);
      } else if (l instanceof Flatten) {
        if (!batchNorm && producer instanceof Conv2d && hasLaterBatchNorm(ls, j)) {
          refuse(l, "flatten between a convolution and its BatchNorm changes the channel axis");
        }
        post.push(l);
      } else if (l instanceof QuantizerActivation) {
        if (!isPlainSign(l.quantizer)) refuse(l, `quantizer ${l.quantizer.name} is not a plain sign`);
        if (sign) refuse(l, "two signs in a row");
        sign = true;
      } else if (l instanceof HardTanh) {
        hardTanh = l;
      } else refuse(l, "no inference-graph equivalent");
    }
    const next = ls[j] as Producer | undefined;
    if (next?.inputQuantizer && !isPlainSign(next.inputQuantizer)) {
      refuse(next, `input quantizer ${next.inputQuantizer.name} is not a plain sign`);
    }
    const binarized = sign || next?.inputQuantizer !== undefined;
    if (hardTanh && !binarized) {
      refuse(
        hardTanh,
        "a real-valued hardTanh output has no inference-graph equivalent (only sign(hardTanh(x)) = sign(x) does)",
      );
    }
    if (hardTanh && ls.indexOf(hardTanh) < ls.indexOf(batchNorm ?? producer)) {
      refuse(hardTanh, "hardTanh before BatchNorm cannot be folded");
    }
    if (
      !binarized &&
      next === undefined &&
      prePools.length + post.filter((p) => p instanceof MaxPool2d).length > 0
    ) {
      refuse(producer, "max-pooling in the last (logits) stage is not supported");
    }
    stages.push({ producer, prePools, batchNorm, post, binarized });
    i = j;
  }
  return { leading, stages };
}

function hasLaterBatchNorm(ls: readonly Layer[], from: number): boolean {
  for (let k = from + 1; k < ls.length && !isProducer(ls[k]!); k++)
    if (ls[k] instanceof BatchNorm) return true;
  return false;
}
