import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { destroyTestEnvironment, isolatedConfig } from '../support/test-env.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';

// These run the compiled entry points, as production does (`npm test` builds first).
const API = 'dist/src/main.api.js';
const WORKER = 'dist/src/main.worker.js';

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!output.includes(text)) {
      if (Date.now() > until) throw new Error(`timed out waiting for "${text}"; output:\n${output}`);
      if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before "${text}":\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

beforeAll(() => {
  if (!existsSync(API) || !existsSync(WORKER)) throw new Error('Run `npm run build` first (npm test does it in pretest)');
});

test('a bad configuration value stops the API at start-up with a message naming the variable', async () => {
  const p = run(API, { PORT: 'not-a-port' });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain('PORT');
  const q = run(API, { NODE_ENV: 'production', AUTH_DEV_OTP: '123456' });
  expect(await q.exited).toBe(1);
  expect(q.output()).toMatch(/AUTH_DEV_OTP|JWT_SECRET/);
});

test('the worker starts, connects and stops cleanly on SIGTERM', async () => {
  const config = isolatedConfig();
  await migrateDatabase(config.DATABASE_URL);
  try {
    const p = run(WORKER, { DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL, REDIS_PREFIX: config.REDIS_PREFIX, LOG_LEVEL: 'log' });
    await p.waitFor('Worker started');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  } finally {
    await destroyTestEnvironment(config);
  }
});

test('the API serves /health/ready once started and stops cleanly on SIGTERM', async () => {
  const config = isolatedConfig();
  await migrateDatabase(config.DATABASE_URL);
  try {
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const p = run(API, { DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL, REDIS_PREFIX: config.REDIS_PREFIX, PORT: port, HOST: '127.0.0.1' });
    await p.waitFor('API listening');
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  } finally {
    await destroyTestEnvironment(config);
  }
});
