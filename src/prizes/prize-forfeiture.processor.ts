import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { QueueService } from '../core/queue/queue.service.js';
import { PrizeForfeitureService } from './prize-forfeiture.service.js';

export const MaintenanceJob = {
  prizeForfeiture: 'prize-forfeiture',
} as const;

export const PRIZE_FORFEITURE_SCHEDULER = 'prize-forfeiture-daily';

/**
 * Worker only: the `maintenance` queue. Runs the prize forfeiture daily through a BullMQ job scheduler
 * (upserted at start-up, so restarts and replicas keep exactly one).
 */
@Injectable()
@QueueProcessor({ queue: QueueName.maintenance, lockDurationMs: 5 * 60_000 })
export class PrizeForfeitureProcessor implements JobHandler, OnApplicationBootstrap {
  private readonly logger = new Logger('PrizeForfeitureProcessor');

  constructor(
    private readonly forfeiture: PrizeForfeitureService,
    private readonly queues: QueueService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queues
        .queue(QueueName.maintenance)
        .upsertJobScheduler(PRIZE_FORFEITURE_SCHEDULER, { every: 24 * 60 * 60 * 1000 }, { name: MaintenanceJob.prizeForfeiture, data: {} });
    } catch (error) {
      this.logger.warn(`Could not upsert the daily prize forfeiture scheduler: ${(error as Error).message}`);
    }
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case MaintenanceJob.prizeForfeiture:
        return this.forfeiture.runDaily();
      default:
        throw new UnrecoverableError(`Unknown maintenance job ${job.name}`);
    }
  }
}
