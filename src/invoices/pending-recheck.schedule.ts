import { Injectable } from '@nestjs/common';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { RegistryJob } from './invoice-verification.processor.js';

/**
 * The daily re-check of pending registrations, on the service clock: once per Asia/Shanghai day of the
 * service clock (the re-checks after every import are queued by the registry). The tick asks this every
 * minute; the job id names the day, so the first tick of a day queues the re-check and later ones (and
 * other workers) find it queued or done already (completed jobs are kept for 7 days).
 */
@Injectable()
export class PendingRecheckSchedule {
  constructor(private readonly queues: QueueService) {}

  /** Queues the re-check of the service-clock day of `now` unless queued already. Idempotent per day. */
  async runDue(now: Date): Promise<{ day: string }> {
    const day = shanghaiDate(now);
    await this.queues.add(QueueName.registry, RegistryJob.recheckPending, {}, { jobId: recheckJobIdFor(day) });
    return { day };
  }
}

export const recheckJobIdFor = (day: string) => `recheck-pending-day-${day}`;
