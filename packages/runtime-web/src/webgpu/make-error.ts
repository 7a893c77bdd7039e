import type { RuntimeErrorCode } from "@onebit/runtime";

/**
 * Makes the package's RuntimeError. Handed in by the main chunk, so that this lazily loaded chunk
 * imports nothing from it at run time (a bundler then splits no shared chunk off the entry).
 */
export type MakeError = (code: RuntimeErrorCode, message: string, cause?: unknown) => Error;
