/**
 * The browser of the browser tests: Debian's Chromium driven by playwright-core, which downloads
 * no browser. The old headless shell (package `chromium-headless-shell`, what Playwright itself
 * runs for headless tests) renders with the same Blink as the full browser at about half its CPU
 * (these three suites alone: 95 -> 51-60 s of CPU, measured 2026-12-02); the full `chromium` serves where
 * the shell is not installed. CHROMIUM_PATH overrides both.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];

function chromiumPath(): string {
  const chosen = process.env.CHROMIUM_PATH ?? CANDIDATES.find((path) => existsSync(path));
  if (chosen === undefined || !existsSync(chosen)) {
    throw new Error(
      `No Chromium at ${chosen ?? CANDIDATES.join(' or ')}: install Debian's chromium-headless-shell ` +
        '(apt-get install -y chromium-headless-shell, as .ci/run does) or set CHROMIUM_PATH.',
    );
  }
  return chosen;
}

/** A headless Chromium for one suite; close it in afterAll. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
