/**
 * Chromium for the page tests: Debian's /usr/bin/chromium (never a downloaded browser) driven by
 * playwright-core, headless, with a fresh empty profile and every background service off (this
 * machine's network is closed: Chromium's own connections would be refused). Every request the
 * browser makes goes through a route that lets only the page's own origin through and records the rest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.PICKLEGATE_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const SKIP_MESSAGE = `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`;

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots of the tests (git-ignored). */
export const SHOTS = path.join(__dirname, '.screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Requests let through (the allowed origin), in order. */
  allowed: string[];
  /** Requests refused: anything not of the allowed origin. Must stay empty. */
  refused: string[];
  close(): Promise<void>;
}

/** Launch Chromium; only URLs starting with `allowedPrefix` may be requested (the rest fail, and are recorded). */
export async function launch(allowedPrefix: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const allowed: string[] = [];
  const refused: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(allowedPrefix)) {
      allowed.push(url);
      await route.continue();
    } else {
      refused.push(url);
      await route.abort('blockedbyclient');
    }
  });
  context.on('request', (req) => {
    const url = req.url();
    // a request the route did not see (e.g. from a worker) still counts
    if (!url.startsWith(allowedPrefix) && !url.startsWith('data:') && !url.startsWith('blob:') && !refused.includes(url)) refused.push(url);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    allowed,
    refused,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      if (errors.length) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}
