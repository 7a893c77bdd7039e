// Where the browser tests find Chromium: Debian's package (apt-get install -y chromium), or
// CHROMIUM_PATH. Shared by the test launcher (chromium.ts) and the root test command (scripts/test.mjs).
import { existsSync } from "node:fs";

/** The Chromium executable, or undefined when none is installed. */
export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p) => !!p && existsSync(p));
}

export const CHROMIUM_MISSING =
  "Chromium not found at /usr/bin/chromium (apt-get install -y chromium, or set CHROMIUM_PATH)";
export const SKIP_MESSAGE = `${CHROMIUM_MISSING}: browser tests skipped`;
