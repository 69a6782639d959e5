/**
 * Headless Chromium for the browser tests: a static server with the cross-origin isolation headers
 * (COOP/COEP, so SharedArrayBuffer exists in the page as it does under `sparse24 lab`), and a
 * puppeteer-core page. Chromium is Debian's /usr/bin/chromium (`.ci/run` installs it) or
 * $SPARSE24_CHROMIUM, launched by src/lab/server/chromium.ts; a missing binary is an error that says
 * so, never a skipped test.
 */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { ensureAssets } from '../../src/lab/server/index.js';
import { defaultChromium, launchChromium, requireChromium } from '../../src/lab/server/chromium.js';

/** The launcher and its flags live in src/lab/server/chromium.ts (`sparse24 bench --browser` uses them too). */
export { launchChromium, requireChromium };

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** dist/browser/sparse24.js, the library bundle users load. */
export const LIBRARY_BUNDLE = join(root, 'dist/browser/sparse24.js');

/** tools/build-browser.mjs's bundler (esbuild, with the Node-only modules stubbed). */
export async function bundleForBrowser(entry: string, outfile: string): Promise<number> {
  const tool = (await import(join(root, 'tools/build-browser.mjs'))) as {
    bundleForBrowser: (entry: string, outfile: string) => Promise<number>;
  };
  return tool.bundleForBrowser(entry, outfile);
}

/**
 * LIBRARY_BUNDLE, rebuilt first when a file under src/ is newer (a stale bundle would test old code):
 * the lab server's own rule, `ensureAssets`.
 */
export async function freshLibraryBundle(): Promise<string> {
  ensureAssets();
  return LIBRARY_BUNDLE;
}

export const CHROMIUM = defaultChromium();

export interface BrowserSession {
  page: Page;
  url: string;
  /** Console errors and uncaught page errors, for failure messages. */
  log: string[];
  close(): Promise<void>;
}

/**
 * Serves `files` (URL path → file on disk) and an empty module page, and opens it in Chromium. The
 * page is cross-origin isolated (COOP/COEP) unless `isolated` is false.
 */
export async function openPage(
  files: Record<string, string>,
  chromium: string = CHROMIUM,
  { isolated = true }: { isolated?: boolean } = {},
): Promise<BrowserSession> {
  requireChromium(chromium);
  const html = '<!doctype html><meta charset="utf-8"><title>sparse24 browser tests</title>';
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string> = isolated
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {};
    const file = files[req.url ?? ''];
    if (file !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' });
      res.end(readFileSync(file));
    } else if (req.url === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      res.end(html);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204, headers);
      res.end();
    } else {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(chromium);
    const page = await browser.newPage();
    const log: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') log.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => log.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
    await page.goto(url);
    const opened = browser;
    return {
      page,
      url,
      log,
      close: async () => {
        await opened.close();
        server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
