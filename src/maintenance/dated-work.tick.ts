import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../core/clock/clock.js';
import { JOBS, type JobHandlers } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { QueueService } from '../core/queue/queue.service.js';
import { PendingRecheckSchedule } from '../invoices/pending-recheck.schedule.js';
import { InstantDaysTick, type InstantDueResult } from '../instant/instant-days.tick.js';
import { InstantPrizes, type InstantCheckResult } from '../prizes/instant-prizes.js';
import { PrizeForfeitureService, type ForfeitureRunResult } from '../prizes/prize-forfeiture.service.js';

/** Job names on the `maintenance` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const MaintenanceJob = JOBS.maintenance;

export const MAINTENANCE_TICK_SCHEDULER_ID = 'maintenance-tick';
/** Every real minute, like the draw tick: the clock may run faster than real time, so days are never waited for. */
export const MAINTENANCE_TICK_EVERY_MS = 60_000;
/** The real-time daily schedulers this tick replaces, removed from Redis at start-up. */
const RETIRED_SCHEDULERS: Array<[QueueName, string]> = [
  [QueueName.maintenance, 'prize-forfeiture-daily'],
  [QueueName.registry, 'recheck-pending-daily'],
];

export interface DatedWorkResult {
  /** The service clock's time the tick decided by. */
  now: string;
  prizes: ForfeitureRunResult;
  /** The service-clock day whose re-check of pending registrations is queued (once per day). */
  recheckDay: string;
  /** Instant prizes' second checks (payable or revoked) and forfeitures. */
  instantPrizes: InstantCheckResult;
  /** Instant-draw days: commitments, steps (open, close, publish) and re-queued lost requests. */
  instantDays: InstantDueResult;
}

/**
 * The dated work outside the draw lifecycle, on the service clock: prize revocation and forfeiture (with the
 * pass to alternates), the daily re-check of pending registrations, the second check of instant prizes and
 * the instant-draw days (commit before a day opens, open, close, publish). Each module says what is due at a
 * given instant; this only reads the clock once and asks them. A sibling of the draw tick rather than part
 * of it, so a long forfeiture run never holds back a freeze or a draw.
 */
@Injectable()
export class DatedWorkTick {
  private readonly logger = new Logger('DatedWorkTick');

  constructor(
    private readonly clock: Clock,
    private readonly forfeiture: PrizeForfeitureService,
    private readonly recheck: PendingRecheckSchedule,
    private readonly instantPrizes: InstantPrizes,
    private readonly instantDays: InstantDaysTick,
  ) {}

  /** Idempotent: each step does only what is due at `now` and not done yet; a second tick at the same time changes nothing. */
  async tick(): Promise<DatedWorkResult> {
    const now = this.clock.now();
    const prizes = await this.forfeiture.runDue(now);
    const { day } = await this.recheck.runDue(now);
    // Second checks before the day commitments: a prize revoked now returns its budget to the next day committed.
    const instantPrizes = await this.instantPrizes.runDue(now);
    const instantDays = await this.instantDays.runDue(now);
    if (prizes.forfeited || prizes.revoked) this.logger.log(`Tick at ${now.toISOString()}: ${JSON.stringify(prizes)}`);
    return { now: now.toISOString(), prizes, recheckDay: day, instantPrizes, instantDays };
  }
}

/**
 * Worker only: the `maintenance` queue. Runs DatedWorkTick every real minute through a BullMQ job scheduler
 * (upserted at start-up, so restarts and replicas keep exactly one; kept by QueueService should Redis lose
 * it), and once at start-up.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.maintenance, lockDurationMs: 5 * 60_000 })
export class MaintenanceProcessor implements JobHandler<'maintenance'>, OnApplicationBootstrap {
  private readonly logger = new Logger('MaintenanceProcessor');

  constructor(
    private readonly tick: DatedWorkTick,
    private readonly queues: QueueService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      for (const [queue, id] of RETIRED_SCHEDULERS) await this.queues.queue(queue).removeJobScheduler(id);
      await this.queues
        .queue(QueueName.maintenance)
        .upsertJobScheduler(
          MAINTENANCE_TICK_SCHEDULER_ID,
          { every: MAINTENANCE_TICK_EVERY_MS },
          { name: MaintenanceJob.tick, data: {}, opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } } },
        );
      // And one tick now: a restart that moved the clock past a deadline is caught up at once, not at the
      // scheduler's next run.
      await this.queues.add(QueueName.maintenance, MaintenanceJob.tick, {}, { jobId: `tick-at-start-${randomUUID()}`, attempts: 1 });
    } catch (error) {
      // Kept all the same: QueueService creates it once Redis answers.
      this.logger.warn(`Could not upsert the maintenance tick scheduler now (retried while the worker runs): ${(error as Error).message}`);
    }
  }

  readonly handlers: JobHandlers<'maintenance'> = {
    tick: () => this.tick.tick(),
  };
}
