import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { QueueService } from '../core/queue/queue.service.js';
import { AutoEntryService } from './auto-entry.service.js';
import { InvoiceVerificationService, type InvoiceIdentity } from './invoice-verification.service.js';

export const RegistryJob = {
  recheckPending: 'recheck-pending',
  revokeInvoices: 'revoke-invoices',
} as const;

export interface RevokeInvoicesJobData {
  invoices: Array<InvoiceIdentity & { kind: 'voided' | 'red' }>;
}

/** Worker only: re-checks pending registrations and enters invoices automatically (after every import and daily), applies voids. */
@Injectable()
@QueueProcessor({ queue: QueueName.registry })
export class InvoiceVerificationProcessor implements JobHandler, OnApplicationBootstrap {
  private readonly logger = new Logger('InvoiceVerificationProcessor');

  constructor(
    private readonly verification: InvoiceVerificationService,
    private readonly queues: QueueService,
    private readonly autoEntry: AutoEntryService,
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

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case RegistryJob.recheckPending: {
        // After every import and daily: pending registrations re-matched, then automatic entries of the
        // records that arrived (or of consumers who opted in since).
        const recheck = await this.verification.recheckPending((processed) => job.updateProgress({ phase: 'recheck', processed }));
        return { ...recheck, autoEntry: await this.autoEntry.run() };
      }
      case RegistryJob.revokeInvoices:
        return { revoked: await this.verification.revoke((job.data as RevokeInvoicesJobData).invoices ?? []) };
      default:
        throw new UnrecoverableError(`Unknown registry job ${job.name}`);
    }
  }
}
