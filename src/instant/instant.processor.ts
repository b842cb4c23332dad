import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { Inject } from '@nestjs/common';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import type { JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { validateInstantDayGraph } from './instant-day-state-machine.js';
import { InstantDrawService } from './instant-draw.service.js';
import { InstantSecretKeyMissing, InstantSecrets } from './instant-secrets.js';

/**
 * Worker only: the `instant` queue. `draw-entries` draws registrations' outcomes (InstantDrawService). The
 * entries of a day are serialized by the day row's lock in the database, so several jobs at once (and several
 * workers) only queue on that lock; the concurrency lets the registrations of a busy moment join one batch (one transaction) per day.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.instant, concurrency: 32, workers: 4, lockDurationMs: 30_000 })
export class InstantProcessor implements JobHandler<'instant'>, OnApplicationBootstrap {
  private readonly logger = new Logger('InstantProcessor');

  constructor(
    private readonly draws: InstantDrawService,
    private readonly secrets: InstantSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    validateInstantDayGraph();
    if (this.draws.instantCampaigns.length > 0 && !this.secrets.available) {
      // Production refuses to start; elsewhere the instant draws wait (registrations answer `pending`).
      if (this.config.NODE_ENV === 'production') throw new InstantSecretKeyMissing();
      this.logger.warn(new InstantSecretKeyMissing().message + '; instant draws stay pending until it is set');
    }
  }

  readonly handlers: JobHandlers<'instant'> = {
    'draw-entries': async (job) => {
      const ids = Array.isArray(job.data?.invoiceIds) ? job.data.invoiceIds.map(Number) : [];
      if (ids.length === 0 || ids.length > 1000 || !ids.every((id) => Number.isSafeInteger(id) && id > 0))
        throw new UnrecoverableError(`draw-entries job ${job.id} has no valid invoiceIds`);
      if (!this.secrets.available) throw new UnrecoverableError(new InstantSecretKeyMissing().message);
      return this.draws.drawEntries(ids);
    },
  };
}
