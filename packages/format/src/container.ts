// Byte layout of the fixed part of a .onebit file (SPEC.md §1).

/** `"ONEBIT"` followed by two zero bytes. */
export const MAGIC = Uint8Array.of(0x4f, 0x4e, 0x45, 0x42, 0x49, 0x54, 0x00, 0x00);

/** The version this library writes; it reads every file with the same major. */
export const FORMAT_VERSION = { major: 1, minor: 0 } as const;

/** The version of graph files (SPEC.md appendix C), written by `writeGraphModel`. */
export const GRAPH_FORMAT_VERSION = { major: 2, minor: 0 } as const;

export const PREAMBLE_BYTES = 32;
export const CHECKSUM_BYTES = 4;

export const OFFSET = {
  major: 8,
  minor: 10,
  flags: 12,
  fileLength: 16,
  headerLength: 24,
  reserved: 28,
} as const;

/** True on little-endian hosts (all mainstream ones): typed arrays can then view file bytes directly. */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
