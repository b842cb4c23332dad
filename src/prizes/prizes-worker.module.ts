import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DrawAuditLogEntry } from '../draws/draw-audit-log.entity.js';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { NotificationsWorkerModule } from '../notifications/notifications-worker.module.js';
import { Prize } from './prize.entity.js';
import { PrizeForfeitureService } from './prize-forfeiture.service.js';

/** Worker side of prizes: forfeiture and revocation (run by the maintenance tick) and, through NotificationsWorkerModule, the SMS. */
@Module({
  imports: [TypeOrmModule.forFeature([Prize, DrawAuditLogEntry]), DrawsCoreModule, NotificationsWorkerModule],
  providers: [PrizeForfeitureService],
  exports: [PrizeForfeitureService],
})
export class PrizesWorkerModule {}
