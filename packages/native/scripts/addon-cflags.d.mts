// Types of addon-cflags.mjs, for the tests that compile C with the addon's flags.
export declare const ADDON_CFLAGS: readonly string[];
