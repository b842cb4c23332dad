import { Global, Module } from '@nestjs/common';
import { LogSmsSender, MeteredSmsSender, SmsSender } from './sms-sender.js';

/**
 * Provides SmsSender everywhere (global), counted by MeteredSmsSender. The default is LogSmsSender until a gateway is wired in;
 * tests replace it with overrideProvider(SmsSender). Imported by ConsumersModule; a process that sends
 * SMS without ConsumersModule (e.g. the worker for winner notices) imports it itself.
 */
@Global()
@Module({
  providers: [{ provide: SmsSender, useFactory: () => new MeteredSmsSender(new LogSmsSender()) }],
  exports: [SmsSender],
})
export class SmsModule {}
