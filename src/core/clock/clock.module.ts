import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { createServiceClock } from './clock-anchor.js';
import { Clock } from './clock.js';

@Global()
@Module({
  providers: [{ provide: Clock, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createServiceClock(config) }],
  exports: [Clock],
})
export class ClockModule {}
