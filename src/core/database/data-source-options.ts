import type { DataSource, DataSourceOptions } from 'typeorm';
import { GeneratedIdSubscriber } from './generated-id.subscriber.js';
import { migrations } from './migrations/index.js';

/**
 * Connection options shared by the API, the worker, the migration command and the tests.
 * Times are stored in UTC (`timezone: 'Z'`); campaign dates are converted to Asia/Shanghai in code.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'mysql',
    url: databaseUrl,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    // BIGINT values (and insert ids) come back as numbers while they are safe integers, as strings beyond;
    // the bigintAsNumber transformer refuses the latter. Money and ids here stay far below 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: ['DATE'],
    migrations,
    subscribers: [GeneratedIdSubscriber],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: 20,
    extra: { connectTimeout: 5000, enableKeepAlive: true },
  } as DataSourceOptions;
}

/** How long anything waits for a pooled database connection before failing (the API answers 503). */
export const POOL_ACQUIRE_TIMEOUT_MS = 5000;

type PoolCallback = (error: Error | null, connection?: { release(): void }) => void;

/**
 * mysql2's pool has no acquire timeout. While the database is unreachable without refusing (a silent
 * network), each new connection takes connectTimeout to fail and waiters queue behind those attempts, so
 * with more requests than poolSize the wait grows without bound (requests / poolSize × connectTimeout).
 * This bounds every wait for a pooled connection; a waiter that gave up and is served later hands the
 * connection straight back to the pool. The error has code POOL_ACQUIRE_TIMEOUT.
 */
export function boundPoolAcquireWait(dataSource: DataSource, timeoutMs = POOL_ACQUIRE_TIMEOUT_MS): void {
  const pool = (dataSource.driver as unknown as { pool?: { getConnection(callback: PoolCallback): void } }).pool;
  if (!pool) return;
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback: PoolCallback) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      callback(Object.assign(new Error(`No database connection within ${timeoutMs} ms`), { code: 'POOL_ACQUIRE_TIMEOUT' }));
    }, timeoutMs);
    timer.unref();
    getConnection((error, connection) => {
      if (settled) {
        if (!error) connection?.release();
        return;
      }
      settled = true;
      clearTimeout(timer);
      callback(error, connection);
    });
  };
}
