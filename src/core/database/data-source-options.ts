import type { DataSourceOptions } from 'typeorm';
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
