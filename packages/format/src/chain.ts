// `@onebit/format/chain`: what a runtime needs to load version 1 files (.onebit 1.x chains) and run
// them as version 2 graphs, without the version 2 reader, checker and op table. A browser bundler
// puts everything the modules of an entry import into the first chunk of a page that imports it,
// even what only chunks loaded on demand use (it assigns whole files to chunks): importing this
// entry instead of the main one keeps the version 2 code in the chunks that need it.
export { chainGraphValues, chainToGraph } from "./chain-to-graph.js";
export { type ModelCost, modelCost } from "./cost.js";
export { describeCost } from "./describe-cost.js";
export { FormatError, type FormatErrorCode } from "./errors.js";
export { inferValueInfos } from "./graph-check.js";
export { type CheckedModel, checkModel } from "./model-check.js";
export { type ReadOptions, readModel } from "./read.js";
export { type WindowAxis, windowAxis } from "./window.js";
