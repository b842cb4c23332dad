import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiModule } from '../../src/app/api.module.js';
import { configureApiApp, createFastifyAdapter } from '../../src/app/api-app.js';
import { WorkerModule } from '../../src/app/worker.module.js';
import { Clock, ManualClock } from '../../src/core/clock/clock.js';
import { loadConfig, type AppConfig } from '../../src/core/config/config.schema.js';
import { dropDatabase } from '../../src/core/database/ensure-database.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { deleteKeysWithPrefix } from '../../src/core/redis/redis.js';

/** Where the tests find MariaDB and Redis (each test file gets its own database and key prefix there). */
export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export const TEST_ADMIN = { username: 'admin', password: 'admin-password-for-tests' };
export const TEST_REGISTRY_KEY = 'registry-key-for-tests-0123456789';
export const TEST_OTP = '246810';

/** A fresh, isolated configuration: its own database name and Redis prefix. */
export function isolatedConfig(env: Record<string, string> = {}): AppConfig {
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `${TEST_DATABASE_SERVER}/il_test_${id}`,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `ilt:${id}`,
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    REGISTRY_API_KEY: TEST_REGISTRY_KEY,
    AUTH_DEV_OTP: TEST_OTP,
    LOG_LEVEL: 'error',
    // Draw ids repeat across test files: each file keeps its draws' artifacts apart.
    ARTIFACTS_DIR: join(tmpdir(), `il_test_artifacts_${id}`),
    ...env,
  });
}

export interface TestOptions {
  /**
   * The clock the app runs on (default: a ManualClock at 2022-08-10T10:00+08:00); `config`: the service's own,
   * from CLOCK_START / CLOCK_RATE / CLOCK_ANCHOR of the configuration.
   */
  clock?: Clock | 'config';
  env?: Record<string, string>;
  /** Reuse a configuration (and so the database) of another app in the same test. */
  config?: AppConfig;
  /** Further overrides, e.g. a capturing SMS sender. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

export interface TestApi {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  clock: Clock;
  http: HttpClient;
  close(): Promise<void>;
}

const created = new Set<AppConfig>();

async function prepare(options: TestOptions) {
  const config = options.config ?? isolatedConfig(options.env);
  if (!created.has(config)) {
    await migrateDatabase(config.DATABASE_URL);
    created.add(config);
  }
  const clock = options.clock ?? new ManualClock('2022-08-10T10:00:00+08:00');
  return { config, clock };
}

function withClock(builder: TestingModuleBuilder, clock: Clock | 'config'): TestingModuleBuilder {
  return clock === 'config' ? builder : builder.overrideProvider(Clock).useValue(clock);
}

/** Starts the API process's module on a real socket (port 0) against a fresh database. */
export async function startTestApi(options: TestOptions = {}): Promise<TestApi> {
  const { config, clock } = await prepare(options);
  let builder = withClock(Test.createTestingModule({ imports: [ApiModule.forRoot(config)] }), clock);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), { logger: ['error'] });
  await configureApiApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return { app, baseUrl, config, clock: app.get(Clock), http: new HttpClient(baseUrl), close: () => app.close() };
}

/** Starts the worker process's module (queue processors, no HTTP). */
export async function startTestWorker(
  options: TestOptions = {},
): Promise<{ app: INestApplicationContext; config: AppConfig; clock: Clock; close(): Promise<void> }> {
  const { config, clock } = await prepare(options);
  let builder = withClock(Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] }), clock);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = await moduleRef.init();
  return { app, config, clock: app.get(Clock), close: () => app.close() };
}

/** Drops the test database and deletes the test's Redis keys. */
export async function destroyTestEnvironment(config: AppConfig): Promise<void> {
  await dropDatabase(config.DATABASE_URL);
  created.delete(config);
  await deleteKeysWithPrefix(config, config.REDIS_PREFIX);
  if (config.ARTIFACTS_DIR.startsWith(join(tmpdir(), 'il_test_artifacts_'))) await rm(config.ARTIFACTS_DIR, { recursive: true, force: true });
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A tiny fetch wrapper over the real socket. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  }

  get<T = any>(path: string, token?: string) {
    return this.request<T>('GET', path, { token });
  }
  post<T = any>(path: string, body?: unknown, token?: string) {
    return this.request<T>('POST', path, { body, token });
  }
  put<T = any>(path: string, body?: unknown, token?: string) {
    return this.request<T>('PUT', path, { body, token });
  }

  async staffToken(username: string, password: string): Promise<string> {
    const res = await this.post('/api/v1/admin/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${res.text}`);
    return res.body.accessToken;
  }
}
