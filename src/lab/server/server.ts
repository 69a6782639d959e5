/**
 * The lab's HTTP server: the page, its script and worker, the library bundle at /sparse24.js and the
 * demo checkpoint, on 127.0.0.1 only. Every response carries the cross-origin isolation headers
 * (COOP same-origin, COEP require-corp), without which a browser hides SharedArrayBuffer and the wasm
 * backend runs on one thread. POST /results takes the page's `window.sparse24Results` (the page sends
 * it when it finishes) and hands it to `onResults`, so `sparse24 lab --bench-out DIR` can record it.
 * /demo-model.safetensors, /demo-dense.safetensors and /demo-test.safetensors are the trained 2:4 demo
 * model, its dense weights before pruning, and its test set (./demo_model.ts: trained on first request).
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PACKAGE_ROOT, ensureAssets, readAsset } from './assets.js';
import { type DemoModelFiles, demoModelFiles } from './demo_model.js';
import { demoCheckpoint } from './demo_weights.js';
import { LabError } from './errors.js';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Largest results body accepted: the page's report is a few KiB. */
const MAX_RESULTS_BYTES = 1 << 20;

export interface LabServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Package folder holding dist/ (default: this package). */
  readonly root?: string;
  /** Progress lines (training the demo model); default: none. */
  readonly onLog?: (line: string) => void;
  /** Called with each parsed POST /results body. */
  readonly onResults?: (results: unknown) => Promise<void> | void;
}

export interface LabServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: Uint8Array | string): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESULTS_BYTES) throw new LabError(`POST /results: body over ${MAX_RESULTS_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The trained demo model's files by URL path (./demo_model.ts). */
const DEMO_MODEL_FILES: ReadonlyMap<string, keyof DemoModelFiles> = new Map([
  ['/demo-model.safetensors', 'checkpoint'],
  ['/demo-dense.safetensors', 'dense'],
  ['/demo-test.safetensors', 'testSet'],
]);

async function handle(req: IncomingMessage, res: ServerResponse, o: LabServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (req.method === 'POST' && path === '/results') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch (e) {
      send(res, 400, 'text/plain', `bad results: ${(e as Error).message}`);
      return;
    }
    await o.onResults?.(parsed);
    send(res, 204, 'text/plain', '');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', `${req.method} not allowed`);
    return;
  }
  if (path === '/demo.safetensors') {
    send(res, 200, 'application/octet-stream', demoCheckpoint());
    return;
  }
  const demoFile = DEMO_MODEL_FILES.get(path);
  if (demoFile !== undefined) {
    send(res, 200, 'application/octet-stream', (await demoModelFiles(o.onLog))[demoFile]);
    return;
  }
  const asset = await readAsset(path, o.root ?? PACKAGE_ROOT);
  if (asset === null) send(res, 404, 'text/plain', `not found: ${path}`);
  else send(res, 200, asset.type, asset.bytes);
}

/** Builds missing assets, then listens on 127.0.0.1:`port`. */
export async function startLabServer(o: LabServerOptions): Promise<LabServer> {
  ensureAssets(o.root ?? PACKAGE_ROOT);
  const server = createServer((req, res) => {
    handle(req, res, o).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', String((e as Error).message ?? e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
