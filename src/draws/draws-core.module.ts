import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvoiceFreezeModule } from '../invoices/invoice-freeze.source.js';
import { PrizeAwardsModule } from '../prizes/prize-awards.js';
import { DrawArtifactsService } from './draw-artifacts.service.js';
import { DrawAuditLogEntry } from './draw-audit-log.entity.js';
import { DrawAuditService } from './draw-audit.service.js';
import { DrawEntry } from './draw-entry.entity.js';
import { DrawLifecycleService } from './draw-lifecycle.service.js';
import { DrawPick } from './draw-pick.entity.js';
import { DrawReadRepository } from './draw-read.repository.js';
import { DrawRequest } from './draw-request.entity.js';
import { DrawScheduleRepository } from './draw-schedule.repository.js';
import { validateDrawGraph } from './draw-state-machine.js';
import { DrawTransitions } from './draw-transitions.js';
import { Draw } from './draw.entity.js';

/**
 * The draw lifecycle and audit log, shared by the API (requests, public reads) and the worker (jobs). The
 * draws module owns draws, draw_entries, draw_picks, draw_requests and draw_audit_log; a freeze takes its
 * entries from the invoices module's port, a publication has the prizes module create prizes and notices,
 * and campaign rows are the campaigns module's (CampaignRecords, global).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Draw, DrawEntry, DrawPick, DrawRequest, DrawAuditLogEntry]), InvoiceFreezeModule, PrizeAwardsModule],
  providers: [DrawLifecycleService, DrawTransitions, DrawAuditService, DrawScheduleRepository, DrawArtifactsService, DrawReadRepository],
  exports: [DrawLifecycleService, DrawAuditService, DrawScheduleRepository, DrawArtifactsService, DrawReadRepository, TypeOrmModule],
})
export class DrawsCoreModule implements OnModuleInit {
  /** Start-up fails on a malformed draw state graph (an unknown status, a step that is no edge, an unreachable status). */
  onModuleInit(): void {
    validateDrawGraph();
  }
}
