import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JOBS, type JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { QueueService } from '../core/queue/queue.service.js';
import { PrizeForfeitureService } from './prize-forfeiture.service.js';

/** Job names on the `maintenance` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const MaintenanceJob = JOBS.maintenance;

export const PRIZE_FORFEITURE_SCHEDULER = 'prize-forfeiture-daily';

/**
 * Worker only: the `maintenance` queue. Runs the prize forfeiture daily through a BullMQ job scheduler
 * (upserted at start-up, so restarts and replicas keep exactly one).
 */
@Injectable()
@QueueProcessor({ queue: QueueName.maintenance, lockDurationMs: 5 * 60_000 })
export class PrizeForfeitureProcessor implements JobHandler<'maintenance'>, OnApplicationBootstrap {
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

  readonly handlers: JobHandlers<'maintenance'> = {
    'prize-forfeiture': () => this.forfeiture.runDaily(),
  };
}
