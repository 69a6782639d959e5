/**
 * Headless Chromium through puppeteer-core, the one place its path and flags live: `sparse24 bench
 * --browser` and the browser tests (test/browser/harness.ts) both launch it from here. The binary is
 * Debian's /usr/bin/chromium unless `$SPARSE24_CHROMIUM` (or an explicit path) says otherwise; a
 * missing binary is a LabError (bad environment: the CLI's exit 2) that names the package to install.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { LabError } from './errors.js';

/** Where Chromium is looked for: $SPARSE24_CHROMIUM, else Debian's /usr/bin/chromium. */
export function defaultChromium(): string {
  const env = process.env['SPARSE24_CHROMIUM'];
  return env === undefined || env === '' ? '/usr/bin/chromium' : env;
}

/**
 * WebGL2 through ANGLE on SwiftShader and WebGPU on SwiftShader's Vulkan: software rendering, but
 * real GLSL/WGSL, so the gpu.js modes run (and are checked) on a machine without a GPU.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
];

/** Throws a LabError naming the fix when the Chromium binary is missing (call it before expensive set-up). */
export function requireChromium(chromium: string = defaultChromium()): void {
  if (!existsSync(chromium)) {
    throw new LabError(
      `headless Chromium is needed at ${chromium}, which is missing: apt-get install -y chromium (or set SPARSE24_CHROMIUM to its path)`,
    );
  }
}

/** Starts headless Chromium with CHROMIUM_ARGS; a binary that is missing or does not start is a LabError. */
export async function launchChromium(chromium: string = defaultChromium()): Promise<Browser> {
  requireChromium(chromium);
  try {
    return await puppeteer.launch({ executablePath: chromium, args: [...CHROMIUM_ARGS] });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new LabError(`could not start Chromium at ${chromium}: ${why}`);
  }
}
