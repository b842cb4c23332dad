import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JOBS, type JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { QueueService } from '../core/queue/queue.service.js';
import { InvoiceVerificationService } from './invoice-verification.service.js';

/** Job names on the `registry` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const RegistryJob = JOBS.registry;

/** Worker only: re-checks pending registrations (after every import and daily) and applies voids. */
@Injectable()
@QueueProcessor({ queue: QueueName.registry })
export class InvoiceVerificationProcessor implements JobHandler<'registry'>, OnApplicationBootstrap {
  private readonly logger = new Logger('InvoiceVerificationProcessor');

  constructor(
    private readonly verification: InvoiceVerificationService,
    private readonly queues: QueueService,
  ) {}

  /** The daily re-check, as a BullMQ job scheduler (upserted, so restarts and replicas keep one). */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queues
        .queue(QueueName.registry)
        .upsertJobScheduler('recheck-pending-daily', { every: 24 * 60 * 60 * 1000 }, { name: RegistryJob.recheckPending, data: {} });
    } catch (error) {
      this.logger.warn(`Could not upsert the daily recheck scheduler: ${(error as Error).message}`);
    }
  }

  readonly handlers: JobHandlers<'registry'> = {
    'recheck-pending': (job) => this.verification.recheckPending((processed) => job.updateProgress({ phase: 'recheck', processed })),
    'revoke-invoices': async (job) => ({ revoked: await this.verification.revoke(job.data.invoices ?? []) }),
  };
}
