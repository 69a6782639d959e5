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
import type { Browser, Page } from 'puppeteer-core';
import { defaultChromium, launchChromium, requireChromium } from '../../src/lab/server/chromium.js';

/** The launcher and its flags live in src/lab/server/chromium.ts (`sparse24 bench --browser` uses them too). */
export { launchChromium, requireChromium };

export const CHROMIUM = defaultChromium();

export interface BrowserSession {
  page: Page;
  url: string;
  /** Console errors and uncaught page errors, for failure messages. */
  log: string[];
  close(): Promise<void>;
}

/** Serves `files` (URL path → file on disk) and an empty module page, and opens it in Chromium. */
export async function openPage(files: Record<string, string>, chromium: string = CHROMIUM): Promise<BrowserSession> {
  requireChromium(chromium);
  const html = '<!doctype html><meta charset="utf-8"><title>sparse24 browser tests</title>';
  const server: Server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
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
