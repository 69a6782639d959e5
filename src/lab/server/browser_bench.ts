/**
 * `sparse24 bench --browser`, the Node side: starts the lab server on a free port, opens its bench
 * page (/bench.html, src/lab/page/bench_page.ts) in headless Chromium, forwards the page's progress
 * lines, waits (bounded by a timeout) for `window.sparse24Bench.done`, and returns a BenchReport whose
 * machine is the host plus what the page saw of the browser. Chromium is closed and the server
 * stopped on every path.
 */
import type { Browser } from 'puppeteer-core';
import {
  BROWSER_BENCH_DONE,
  BROWSER_BENCH_PROGRESS,
  type BenchReport,
  type BenchSuite,
  type BrowserBenchOutcome,
  machineInfo,
} from '../../bench/index.js';
import { defaultChromium, launchChromium, requireChromium } from './chromium.js';
import { LabError } from './errors.js';
import { startLabServer } from './server.js';

export interface BrowserBenchOptions {
  suite: BenchSuite;
  quick: boolean;
  only: readonly string[] | null;
  /** Browser backend names to keep (null: all). */
  backends: readonly string[] | null;
  /** Threads of the multi-threaded wasm rows; null: the browser's navigator.hardwareConcurrency. */
  threads: number | null;
  /** The Chromium binary (default: $SPARSE24_CHROMIUM, else /usr/bin/chromium). */
  chromium?: string;
  /** The whole page run, from launch to `done`. */
  timeoutMs: number;
  /** Sample budget of one row in ms (default: the page's, 150 quick / 1000 full). */
  budgetMs?: number;
  onProgress?: (line: string) => void;
  /** Package folder whose dist/ is served (default: this package). */
  root?: string;
}

function pageQuery(o: BrowserBenchOptions): string {
  const q = new URLSearchParams({ suite: o.suite });
  if (o.quick) q.set('quick', '1');
  if (o.only !== null) q.set('only', o.only.join(','));
  if (o.backends !== null) q.set('backends', o.backends.join(','));
  if (o.threads !== null) q.set('threads', String(o.threads));
  if (o.budgetMs !== undefined) q.set('budget', String(o.budgetMs));
  return q.toString();
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Runs the bench page in headless Chromium and returns its report (rows, failures, machine). */
export async function runBrowserBench(o: BrowserBenchOptions): Promise<BenchReport> {
  const chromium = o.chromium ?? defaultChromium();
  requireChromium(chromium);
  const server = await startLabServer({ port: 0, ...(o.root === undefined ? {} : { root: o.root }) });
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    browser = await launchChromium(chromium);
    const page = await browser.newPage();
    // The page says it is done in a console message, and only then is it asked for its outcome: a
    // CDP call left pending while the page computes (waitForFunction) fails after puppeteer's
    // protocol timeout (180 s), shorter than one slow row (gpu.js webgl2 GEMM 1024² on SwiftShader).
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      page.on('console', (m) => {
        const text = m.text();
        if (text === BROWSER_BENCH_DONE) resolve();
        else if (text.startsWith(BROWSER_BENCH_PROGRESS))
          o.onProgress?.(`browser: ${text.slice(BROWSER_BENCH_PROGRESS.length)}`);
        else if (m.type() === 'error') pageErrors.push(text);
      });
      // An uncaught error means the page cannot finish (each row catches its own): fail now, not at --timeout.
      page.on('pageerror', (e) => reject(new Error(`threw an uncaught error: ${firstLine(e)}`)));
      page.on('error', (e) => reject(new Error(`the page crashed (${firstLine(e)})`)));
      page.on('close', () => reject(new Error('the page closed')));
      timer = setTimeout(
        () => reject(new Error(`did not finish within ${Math.round(o.timeoutMs / 1000)} s (--timeout)`)),
        o.timeoutMs,
      );
    });
    finished.catch(() => {}); // awaited below; a rejection after goto failed is not unhandled
    let outcome: BrowserBenchOutcome;
    try {
      await page.goto(`${server.url}bench.html?${pageQuery(o)}`, { timeout: o.timeoutMs });
      await finished;
      outcome = (await page.evaluate('window.sparse24Bench')) as BrowserBenchOutcome;
    } catch (e) {
      const log = pageErrors.length === 0 ? '' : `; page errors: ${pageErrors.slice(0, 3).join(' | ')}`;
      throw new LabError(`sparse24 bench --browser: the bench page ${firstLine(e)}${log}`);
    } finally {
      clearTimeout(timer);
    }
    if (outcome.error !== null) {
      throw new LabError(`sparse24 bench --browser: the bench page failed: ${outcome.error}`);
    }
    return {
      suite: o.suite,
      date: new Date().toISOString(),
      quick: o.quick,
      machine: { ...machineInfo(), ...(outcome.browser === null ? {} : { browser: outcome.browser }) },
      rows: outcome.rows,
      failures: outcome.failures,
    };
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }
}
