import { Injectable } from '@nestjs/common';
import { JOBS, type JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { AutoEntryService } from './auto-entry.service.js';
import { InvoiceVerificationService } from './invoice-verification.service.js';

/** Job names on the `registry` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const RegistryJob = JOBS.registry;

/**
 * Worker only: re-checks pending registrations and enters invoices automatically (after every import, and
 * once a service-clock day through PendingRecheckSchedule) and applies voids.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.registry })
export class InvoiceVerificationProcessor implements JobHandler<'registry'> {
  constructor(
    private readonly verification: InvoiceVerificationService,
    private readonly autoEntry: AutoEntryService,
  ) {}

  readonly handlers: JobHandlers<'registry'> = {
    // After every import and daily: pending registrations re-matched, then automatic entries of the records
    // that arrived (or of consumers who opted in since).
    'recheck-pending': async (job) => {
      const recheck = await this.verification.recheckPending((processed) => job.updateProgress({ phase: 'recheck', processed }));
      return { ...recheck, autoEntry: await this.autoEntry.run() };
    },
    'revoke-invoices': async (job) => ({ revoked: await this.verification.revoke(job.data.invoices ?? []) }),
  };
}
