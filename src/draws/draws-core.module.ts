import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignRecord } from '../campaigns/campaign.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { Prize } from '../prizes/prize.entity.js';
import { DrawArtifactsService } from './draw-artifacts.service.js';
import { DrawAuditLogEntry } from './draw-audit-log.entity.js';
import { DrawAuditService } from './draw-audit.service.js';
import { DrawEntry } from './draw-entry.entity.js';
import { DrawLifecycleService } from './draw-lifecycle.service.js';
import { DrawPick } from './draw-pick.entity.js';
import { DrawRequest } from './draw-request.entity.js';
import { Draw } from './draw.entity.js';

/** The draw lifecycle and audit log, shared by the API (requests, public reads) and the worker (jobs). */
@Module({
  imports: [TypeOrmModule.forFeature([CampaignRecord, Draw, DrawEntry, DrawPick, DrawRequest, DrawAuditLogEntry, Prize, Notification])],
  providers: [DrawLifecycleService, DrawAuditService, DrawArtifactsService],
  exports: [DrawLifecycleService, DrawAuditService, DrawArtifactsService, TypeOrmModule],
})
export class DrawsCoreModule {}
