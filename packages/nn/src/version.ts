import pkg from "../package.json" with { type: "json" };

/** This package's version, recorded in exported models' provenance. */
export const VERSION: string = pkg.version;
