import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../core/config/config.schema.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { CoreModule } from '../core/core.module.js';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { DrawsWorkerModule } from '../draws/draws-worker.module.js';
import { WorkerMetricsModule } from '../core/metrics/metrics.module.js';
import { WorkerRunnerModule } from '../core/queue/queue.module.js';
import { InvoicesWorkerModule } from '../invoices/invoices-worker.module.js';
import { MaintenanceWorkerModule } from '../maintenance/maintenance-worker.module.js';
import { PrizesWorkerModule } from '../prizes/prizes-worker.module.js';
import { PublicWorkerModule } from '../public/public-change-broadcast.js';

/** The worker process: BullMQ processors only, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config), CampaignsModule, DrawsCoreModule, WorkerRunnerModule, WorkerMetricsModule, InvoicesWorkerModule, DrawsWorkerModule, PrizesWorkerModule, MaintenanceWorkerModule, PublicWorkerModule],
    };
  }
}
