import { Global, Module } from '@nestjs/common';
import { LogSmsSender, SmsSender } from './sms-sender.js';

/**
 * Provides SmsSender everywhere (global). The default is LogSmsSender until a gateway is wired in;
 * tests replace it with overrideProvider(SmsSender). Imported by ConsumersModule; a process that sends
 * SMS without ConsumersModule (e.g. the worker for winner notices) imports it itself.
 */
@Global()
@Module({
  providers: [{ provide: SmsSender, useClass: LogSmsSender }],
  exports: [SmsSender],
})
export class SmsModule {}
