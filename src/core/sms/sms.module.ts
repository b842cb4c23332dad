import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogSmsSender, MeteredSmsSender, SignedSmsSender, SmsSender } from './sms-sender.js';

/**
 * Provides SmsSender everywhere (global): signed with SMS_SIGNATURE, counted by MeteredSmsSender. The default is LogSmsSender until a gateway is wired in;
 * tests replace it with overrideProvider(SmsSender). Imported by ConsumersModule; a process that sends
 * SMS without ConsumersModule (e.g. the worker for winner notices) imports it itself.
 */
@Global()
@Module({
  providers: [
    {
      provide: SmsSender,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SignedSmsSender(config.SMS_SIGNATURE, new MeteredSmsSender(new LogSmsSender())),
    },
  ],
  exports: [SmsSender],
})
export class SmsModule {}
