/**
 * The lab tests' set-up: builds the page and bundle from the current sources, runs `sparse24 lab
 * --port 0 --no-open [args]` as a child process, and opens its URL in headless Chromium, collecting
 * console errors and uncaught page errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Browser, Page } from 'puppeteer-core';
import { ensureAssets } from '../../src/lab/server/index.js';
import { launchChromium, requireChromium } from '../browser/harness.js';

export interface LabSession {
  page: Page;
  url: string;
  /** `console: …` and `pageerror: …` lines, in order. */
  errors: string[];
  close(): Promise<void>;
}

/** Resolves with the child's first line of stdout (the URL), rejects if it exits first. */
function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    c.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    c.on('exit', (code) => reject(new Error(`sparse24 lab exited with ${code} before printing its URL: ${err}`)));
  });
}

/** Starts the lab and opens `query` (e.g. `?bench=off`) on it; waits for `sparse24Results.done`. */
export async function openLab(args: string[], query: string, timeoutMs: number): Promise<LabSession> {
  requireChromium();
  // The page and bundle under test are the current sources, not whatever dist/ held (rebuilt if older).
  ensureAssets();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/cli_process.ts', 'lab', '--port', '0', '--no-open', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    child.kill('SIGTERM');
  };
  try {
    const url = await firstLine(child);
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
    await page.goto(`${url}${query}`);
    await page.waitForFunction('window.sparse24Results?.done === true', { timeout: timeoutMs, polling: 50 });
    return { page, url, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}
