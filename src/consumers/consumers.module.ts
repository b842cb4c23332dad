import { ConsumerReadRepository } from './consumer-read.repository.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SmsModule } from '../core/sms/sms.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { Consumer } from './consumer.entity.js';
import { ConsumerAuthController } from './consumer-auth.controller.js';
import { ConsumerAuthService } from './consumer-auth.service.js';
import { ConsumerSessionController } from './consumer-session.controller.js';
import { ConsumersService } from './consumers.service.js';
import { IdentityBindingService } from './identity-binding.service.js';
import { MeController } from './me.controller.js';
import { OtpStore } from './otp.store.js';
import { AuthRateLimiter } from './rate-limits.js';

/** Consumer accounts: phone sign-in with SMS codes, real-name identity, /me. Exports ConsumersService for other features. */
@Module({
  imports: [TypeOrmModule.forFeature([Consumer]), SmsModule, NotificationsModule],
  controllers: [ConsumerAuthController, ConsumerSessionController, MeController],
  providers: [ConsumersService, ConsumerAuthService, IdentityBindingService, OtpStore, AuthRateLimiter, ConsumerReadRepository],
  exports: [ConsumersService, ConsumerReadRepository],
})
export class ConsumersModule {}
