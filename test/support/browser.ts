import { test } from '@jest/globals';
import { statSync } from 'node:fs';
import { basename } from 'node:path';

/** Debian's Chromium (apt-get install chromium fonts-noto-cjk), driven by playwright-core; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserTests {
  /** Whether the browser tests of this file run. */
  haveChromium: boolean;
  /** `test` when Chromium is there, `test.skip` otherwise (never under CI: there a missing browser throws). */
  browserTest: (name: string, fn: () => Promise<unknown> | void, timeout?: number) => void;
}

/**
 * The one gate of every browser test file. Under `CI` a missing Chromium fails the run (CI installs it, see
 * .ci/run); locally the file's tests are skipped and one line on stderr says which file and why.
 */
export function browserTests(file: string, chromium = CHROMIUM_PATH, env: NodeJS.ProcessEnv = process.env): BrowserTests {
  const haveChromium = isFile(chromium);
  if (!haveChromium) {
    if (env.CI) throw new Error(`No Chromium at ${chromium}: CI must run the browser tests (.ci/run installs chromium)`);
    process.stderr.write(`browser tests of ${basename(file)} SKIPPED: no Chromium at ${chromium} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)\n`);
  }
  return { haveChromium, browserTest: haveChromium ? test : test.skip };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
