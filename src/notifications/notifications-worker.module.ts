import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer } from '../consumers/consumer.entity.js';
import { ConsumersService } from '../consumers/consumers.service.js';
import { SmsModule } from '../core/sms/sms.module.js';
import { Prize } from '../prizes/prize.entity.js';
import { Notification } from './notification.entity.js';
import { NotificationsProcessor } from './notifications.processor.js';
import { NotificationsCoreModule } from './notifications-core.module.js';
import { PrizeSmsService } from './prize-sms.service.js';

/**
 * Worker side: the `notifications` queue processor (winner and alternate SMS). ConsumersService is provided
 * here directly (for contactPhone) rather than through ConsumersModule, which would bring the sign-in
 * controllers and their Redis stores into the worker.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Consumer, Notification, Prize]), SmsModule, NotificationsCoreModule],
  providers: [PrizeSmsService, NotificationsProcessor, ConsumersService],
  exports: [NotificationsCoreModule, PrizeSmsService],
})
export class NotificationsWorkerModule {}
