import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { Clock, ServiceClock } from './clock.js';

@Global()
@Module({
  providers: [
    {
      provide: Clock,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new ServiceClock(config.CLOCK_START ? new Date(config.CLOCK_START) : undefined, config.CLOCK_RATE),
    },
  ],
  exports: [Clock],
})
export class ClockModule {}
