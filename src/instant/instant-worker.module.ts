import { Module } from '@nestjs/common';
import { InvoicesWorkerModule } from '../invoices/invoices-worker.module.js';
import { InstantPrizesModule } from '../prizes/instant-prizes.js';
import { InstantDaysRepository } from './instant-days.repository.js';
import { InstantDaysTick } from './instant-days.tick.js';
import { InstantDrawService } from './instant-draw.service.js';
import { InstantJobs } from './instant-jobs.js';
import { InstantProcessor } from './instant.processor.js';
import { InstantSecrets } from './instant-secrets.js';

/**
 * Worker only: the instant-draw days (commitments, steps, publication), the `instant` queue's processor and
 * the day secrets (InstantSecrets, from INSTANT_SECRET_KEY: provided here and nowhere else).
 */
@Module({
  imports: [InvoicesWorkerModule, InstantPrizesModule],
  providers: [InstantDaysRepository, InstantSecrets, InstantDrawService, InstantJobs, InstantProcessor, InstantDaysTick],
  exports: [InstantDaysTick, InstantDrawService, InstantPrizesModule],
})
export class InstantWorkerModule {}
