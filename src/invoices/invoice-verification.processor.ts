import { Injectable } from '@nestjs/common';
import { JOBS, type JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { InvoiceVerificationService } from './invoice-verification.service.js';

/** Job names on the `registry` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const RegistryJob = JOBS.registry;

/**
 * Worker only: re-checks pending registrations (after every import, and once a service-clock day through
 * PendingRecheckSchedule) and applies voids.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.registry })
export class InvoiceVerificationProcessor implements JobHandler<'registry'> {
  constructor(private readonly verification: InvoiceVerificationService) {}

  readonly handlers: JobHandlers<'registry'> = {
    'recheck-pending': (job) => this.verification.recheckPending((processed) => job.updateProgress({ phase: 'recheck', processed })),
    'revoke-invoices': async (job) => ({ revoked: await this.verification.revoke(job.data.invoices ?? []) }),
  };
}
