import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { CHROMIUM_MISSING, findChromium, SKIP_MESSAGE } from "./chromium-path.mjs";

// Shared by the browser tests of runtime-web and apps/demo. Debian's Chromium driven by
// playwright-core (no browser download). CI installs it with apt-get (.ci/run). Where it is missing
// the browser tests skip and `pnpm test` ends with a line saying so; under CI (CI set) a missing
// Chromium fails the test files instead, so a CI run can never pass without its browser tests.

/** The Chromium executable, or undefined when none is installed. */
export const chromiumPath: string | undefined = findChromium();
if (!chromiumPath && process.env["CI"])
  throw new Error(`CI is set: browser tests cannot skip. ${CHROMIUM_MISSING}`);

export { SKIP_MESSAGE };

export interface LaunchedBrowser {
  /** One context (touch-enabled, so pages take both mouse and touch input). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (its own --user-data-dir), nothing phoning home. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!chromiumPath) throw new Error(SKIP_MESSAGE);
  const profile = mkdtempSync(join(tmpdir(), "onebit-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    hasTouch: true,
    viewport: { width: 900, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
