import { PrizeReadRepository } from './prize-read.repository.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsumersModule } from '../consumers/consumers.module.js';
import { DrawAuditLogEntry } from '../draws/draw-audit-log.entity.js';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PayoutsController } from './payouts.controller.js';
import { PayoutsService } from './payouts.service.js';
import { Prize } from './prize.entity.js';
import { PrizesController } from './prizes.controller.js';
import { PrizesService } from './prizes.service.js';

/** API side of prizes: the winner's list and claim, the finance payout list. Notifications come along. */
@Module({
  imports: [TypeOrmModule.forFeature([Prize, DrawAuditLogEntry]), ConsumersModule, DrawsCoreModule, NotificationsModule],
  controllers: [PrizesController, PayoutsController],
  providers: [PrizesService, PayoutsService, PrizeReadRepository],
  exports: [PrizesService, PrizeReadRepository],
})
export class PrizesModule {}
