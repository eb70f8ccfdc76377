import { type Browser, chromium } from 'playwright-core';

// Debian's package; tools/scripts/ensure-test-peers.sh installs it. No browser is downloaded.
const CHROMIUM_PATH = process.env.SEALPOST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium driven by playwright-core, as a recipient's browser. Without JavaScript:
 * the portal must work with plain forms, and this proves it does.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Chromium's sandbox refuses to run as root, which test containers usually are.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
