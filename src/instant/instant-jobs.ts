import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { JOBS } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';

/** Job names on the `instant` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const InstantJob = JOBS.instant;

/** The deterministic id of a registration's draw job: the API's request, its retries and the worker's sweep queue it once. */
export const instantEntryJobId = (invoiceId: number): string => `instant-entry-${invoiceId}`;

/** Producer of `draw-entries` jobs (API at registration, worker's sweep). */
@Injectable()
export class InstantJobs {
  constructor(private readonly queues: QueueService) {}

  /**
   * Queues the draw of one registration under its deterministic id; while a job of that id is kept (waiting,
   * running, or finished and not yet removed) BullMQ returns it instead of adding another. The draw itself is
   * idempotent, so a job added again after removal answers the same log line.
   */
  request(invoiceId: number): Promise<Job> {
    return this.queues.add(QueueName.instant, InstantJob.drawEntries, { invoiceIds: [invoiceId] }, { jobId: instantEntryJobId(invoiceId), attempts: 5, backoff: { type: 'exponential', delay: 200 } });
  }

  /** Queues the draws of several registrations in one job (a random id: the draws are idempotent per registration). */
  requestMany(invoiceIds: number[]): Promise<Job> {
    // Every batch waiting for its answer listens for the queue's closing (BullMQ waitUntilFinished): many at
    // once are normal here, not a leak.
    this.queues.queue(QueueName.instant).setMaxListeners(0);
    return this.queues.add(QueueName.instant, InstantJob.drawEntries, { invoiceIds }, { jobId: `instant-batch-${randomUUID()}`, attempts: 5, backoff: { type: 'exponential', delay: 200 } });
  }

  /**
   * For the sweep: queues the draw when no job of the registration is kept, or again when its job failed
   * (removed first). A completed job's answer stands (a registration answered `not-entered` has no log line).
   * Returns whether a job was added.
   */
  async requestAgain(invoiceId: number): Promise<boolean> {
    const existing = await this.queues.queue(QueueName.instant).getJob(instantEntryJobId(invoiceId));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'failed' && state !== 'unknown') return false;
      await existing.remove().catch(() => undefined);
    }
    await this.request(invoiceId);
    return true;
  }
}
