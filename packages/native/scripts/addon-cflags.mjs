// The C compiler flags of the addon, shared by its build (build-addon.mjs) and the aarch64 cross
// build (check-neon.mjs), so the NEON check compiles what ships.
export const ADDON_CFLAGS = [
  "-std=c11",
  "-O3",
  // Float epilogue: multiply then add, two roundings, exactly as WebAssembly (no FMA contraction).
  "-ffp-contract=off",
  "-fPIC",
  "-shared",
  "-fvisibility=hidden",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-pthread",
  "-Wno-unused-parameter",
];
