import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ArtifactsModule } from './artifacts/artifacts.module.js';
import { ClockModule } from './clock/clock.module.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { PiiProtector } from './crypto/pii.js';
import { DatabaseModule } from './database/database.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RedisModule } from './redis/redis.module.js';

/** Everything both processes share: config, clock, database, Redis, queue producers, artifact store, personal-data protection. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [ConfigModule.forRoot(config), ClockModule, DatabaseModule, RedisModule, QueueModule, ArtifactsModule, MetricsModule],
      providers: [{ provide: PiiProtector, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new PiiProtector(c.PII_KEY) }],
      exports: [PiiProtector],
    };
  }
}
