import { Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { InvoiceVerificationService, type InvoiceIdentity } from './invoice-verification.service.js';

export const RegistryJob = {
  recheckPending: 'recheck-pending',
  revokeInvoices: 'revoke-invoices',
} as const;

export interface RevokeInvoicesJobData {
  invoices: Array<InvoiceIdentity & { kind: 'voided' | 'red' }>;
}

/**
 * Worker only: re-checks pending registrations (after every import, and once a service-clock day through
 * PendingRecheckSchedule) and applies voids.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.registry })
export class InvoiceVerificationProcessor implements JobHandler {
  constructor(private readonly verification: InvoiceVerificationService) {}

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case RegistryJob.recheckPending:
        return this.verification.recheckPending((processed) => job.updateProgress({ phase: 'recheck', processed }));
      case RegistryJob.revokeInvoices:
        return { revoked: await this.verification.revoke((job.data as RevokeInvoicesJobData).invoices ?? []) };
      default:
        throw new UnrecoverableError(`Unknown registry job ${job.name}`);
    }
  }
}
