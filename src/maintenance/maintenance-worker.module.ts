import { Module } from '@nestjs/common';
import { InstantWorkerModule } from '../instant/instant-worker.module.js';
import { InvoicesWorkerModule } from '../invoices/invoices-worker.module.js';
import { PrizesWorkerModule } from '../prizes/prizes-worker.module.js';
import { DatedWorkTick, MaintenanceProcessor } from './dated-work.tick.js';

/** Worker only: the minute tick of dated work outside the draw lifecycle (the `maintenance` queue). */
@Module({
  imports: [PrizesWorkerModule, InvoicesWorkerModule, InstantWorkerModule],
  providers: [DatedWorkTick, MaintenanceProcessor],
  exports: [DatedWorkTick],
})
export class MaintenanceWorkerModule {}
