/**
 * What the benchmarks that run the service as child processes share: scratch names for a database and a
 * Redis prefix of their own, a free port, an API (or any server) started and waited for, and the RSS of a
 * child read from /proc.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (benchmarks run from dist/bench). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A database URL and Redis prefix no other run uses: `il_bench_<kind>_<run>` and `ilbench:<kind>:<run>`. */
export function scratchNames(kind: string): { runId: string; env: { DATABASE_URL: string; REDIS_URL: string; REDIS_PREFIX: string } } {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  return { runId, env: { DATABASE_URL: `${DATABASE_SERVER}/il_bench_${kind}_${runId}`, REDIS_URL, REDIS_PREFIX: `ilbench:${kind}:${runId}` } };
}

/**
 * What NODE_ENV=production requires (config.schema.ts), with fresh random secrets. Production needs an
 * identity provider; the benchmarks never call it (their consumers are verified), so it points at a closed port.
 */
export function productionSettings(runId: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    JWT_AUDIENCE: `il-bench-${runId}`,
    PII_KEY: randomBytes(32).toString('hex'),
    REGISTRY_API_KEY: randomBytes(24).toString('base64url'),
    IDENTITY_VERIFIER: 'http',
    IDENTITY_PROVIDER_URL: 'http://127.0.0.1:9',
    IDENTITY_PROVIDER_KEY: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Polls `url` until it answers 2xx; fails if `child` exits first or after 60 s. */
export async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

export interface StartedProcess {
  child: ChildProcess;
  port: number;
  base: string;
}

/**
 * Starts `script` (a path under the repository root, e.g. dist/src/main.api.js) with `env` on a free port
 * and waits until `readyPath` answers.
 */
export async function startServerProcess(
  script: string,
  env: Record<string, string>,
  options: { readyPath?: string; stdio?: StdioOptions; nodeArgs?: string[] } = {},
): Promise<StartedProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: options.stdio ?? ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${base}${options.readyPath ?? '/health/ready'}`, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, port, base };
}

/** Starts the API (dist/src/main.api.js) and waits until it is ready. */
export const startApiProcess = (env: Record<string, string>, options: { stdio?: StdioOptions; nodeArgs?: string[] } = {}) =>
  startServerProcess('dist/src/main.api.js', env, options);

/** Resident set size of a process, MiB. */
export const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
