import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { PrizeSmsService } from './prize-sms.service.js';

/** Worker only: the `notifications` queue. Every job is idempotent (SMS are recorded per prize). */
@Injectable()
@QueueProcessor({ queue: QueueName.notifications })
export class NotificationsProcessor implements JobHandler<'notifications'> {
  constructor(private readonly prizeSms: PrizeSmsService) {}

  readonly handlers: JobHandlers<'notifications'> = {
    'draw-published': async (job) => {
      const { drawId } = job.data;
      if (typeof drawId !== 'string' || drawId === '') throw new UnrecoverableError('draw-published needs a drawId');
      return this.prizeSms.notifyDrawWinners(drawId);
    },
    'prize-passed': async (job) => {
      const prizeId = Number(job.data.prizeId);
      if (!Number.isSafeInteger(prizeId) || prizeId <= 0) throw new UnrecoverableError('prize-passed needs a prizeId');
      return this.prizeSms.notifyPrizeHolder(prizeId);
    },
  };
}
