import { Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { NotificationJob, type DrawPublishedJobData, type PrizePassedJobData } from './notification-jobs.js';
import { PrizeSmsService } from './prize-sms.service.js';

/** Worker only: the `notifications` queue. Every job is idempotent (SMS are recorded per prize). */
@Injectable()
@QueueProcessor({ queue: QueueName.notifications })
export class NotificationsProcessor implements JobHandler {
  constructor(private readonly prizeSms: PrizeSmsService) {}

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case NotificationJob.drawPublished: {
        const { drawId } = job.data as DrawPublishedJobData;
        if (typeof drawId !== 'string' || drawId === '') throw new UnrecoverableError('draw-published needs a drawId');
        return this.prizeSms.notifyDrawWinners(drawId);
      }
      case NotificationJob.prizePassed: {
        const prizeId = Number((job.data as PrizePassedJobData).prizeId);
        if (!Number.isSafeInteger(prizeId) || prizeId <= 0) throw new UnrecoverableError('prize-passed needs a prizeId');
        return this.prizeSms.notifyPrizeHolder(prizeId);
      }
      default:
        throw new UnrecoverableError(`Unknown notifications job ${job.name}`);
    }
  }
}
