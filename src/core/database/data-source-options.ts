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

/** The error a query gets when the database did not answer it within the bound (the API answers 503). */
export const QUERY_TIMEOUT_CODE = 'DB_QUERY_TIMEOUT';

const QUERY_TIME_BOUNDED = Symbol('queryTimeBounded');

type BoundableConnection = Record<'query' | 'execute', (...args: unknown[]) => unknown> & {
  stream?: { destroy(error?: Error): void };
  [QUERY_TIME_BOUNDED]?: true;
};

/**
 * Bounds the time of every query (with a callback, i.e. every query TypeORM sends; streamed queries are left
 * alone) on the connections of the data source's pool: after `timeoutMs` without an answer the connection is
 * destroyed as a network failure would destroy it, so the query, and any queued behind it, fail with code
 * DB_QUERY_TIMEOUT and the pool drops the connection (its transaction, if any, is rolled back by the
 * server when it notices). This is what notices a silent network (no FIN, no RST: a partition, a peer
 * that lost power) on a connection that was already open: mysql2 would wait until TCP gives up, many
 * minutes, and its own per-query `timeout` fails the query but leaves the dead connection in the pool.
 *
 * For the API only (configureApiApp), where a query is part of a request that should answer within
 * seconds; the worker's batch queries over millions of rows may legitimately run longer.
 */
export function boundQueryTime(dataSource: DataSource, timeoutMs: number): void {
  const pool = (dataSource.driver as unknown as { pool?: { getConnection(callback: PoolCallback): void } }).pool;
  if (!pool) return;
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback: PoolCallback) =>
    getConnection((error, connection) => {
      if (!error && connection) boundConnection(connection as unknown as BoundableConnection, timeoutMs);
      callback(error, connection);
    });
}

function boundConnection(connection: BoundableConnection, timeoutMs: number): void {
  if (connection[QUERY_TIME_BOUNDED]) return;
  connection[QUERY_TIME_BOUNDED] = true;
  for (const method of ['query', 'execute'] as const) {
    const original = connection[method];
    connection[method] = function (this: unknown, ...args: unknown[]) {
      const at = args.findLastIndex((a) => typeof a === 'function');
      if (at < 0) return original.apply(this, args);
      const callback = args[at] as (...results: unknown[]) => unknown;
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`The database did not answer within ${timeoutMs} ms`), { code: QUERY_TIMEOUT_CODE, fatal: true });
        connection.stream?.destroy(error);
      }, timeoutMs);
      timer.unref();
      args[at] = function (this: unknown, ...results: unknown[]) {
        clearTimeout(timer);
        return callback.apply(this, results);
      };
      return original.apply(this, args);
    };
  }
}
