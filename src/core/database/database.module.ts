import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { boundPoolAcquireWait, dataSourceOptions } from './data-source-options.js';

/** The TypeORM connection; entities register themselves through TypeOrmModule.forFeature in each feature module. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL),
        autoLoadEntities: true,
        migrationsRun: false,
        // At start-up wait up to ~30 s for the database (compose starts it alongside); later outages
        // are handled per request (503) because mysql2's pool opens new connections on demand.
        retryAttempts: 10,
        retryDelay: 3000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        boundPoolAcquireWait(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
