import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CampaignLoader } from '../campaigns/campaign-loader.js';
import { Clock } from '../core/clock/clock.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { DRAW_TICK_EVERY_MS, DRAW_TICK_SCHEDULER_ID, DrawJob, DrawJobs } from './draw-jobs.js';
import { DrawScheduleRepository } from './draw-schedule.repository.js';
import { dueStep } from './draw-state-machine.js';

export interface TickResult {
  /** The service clock's time the tick decided by. */
  now: string;
  /** Draw ids whose step was queued by this tick (not counting steps already waiting or running). */
  freeze: string[];
  draw: string[];
  publish: string[];
}

/**
 * Worker only. The tick: a cheap query for what is due by the service clock, queueing each due step with its
 * deterministic job id. Runs every minute (real time) as a BullMQ job scheduler upserted at start-up, and can
 * be called directly (tests, the demo driver).
 *
 * The scheduler lives in Redis only. QueueService keeps it: should Redis lose it (restarted without
 * persistence, flushed) or never get it (down when the worker started), it is re-created within seconds, and
 * its immediate first run queues again whatever is due; the jobs queued before were lost with Redis, the
 * database still says what is due.
 *
 * What is due is the draw state machine's decision (dueStep) over each open draw's row and approved request;
 * each step's own guard decides again when it runs.
 */
@Injectable()
export class DrawTickService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DrawTick');

  constructor(
    private readonly schedule: DrawScheduleRepository,
    private readonly clock: Clock,
    private readonly jobs: DrawJobs,
    private readonly queues: QueueService,
    private readonly campaigns: CampaignLoader,
  ) {}

  /** Loads the campaigns, then upserts the tick's job scheduler (one per deployment, whatever the replicas). */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.campaigns.loadAll();
    } catch (error) {
      // The database may still be starting: the tick retries the load until it succeeds once.
      this.logger.warn(`Could not load the campaigns at start-up: ${(error as Error).message}`);
    }
    try {
      await this.queues
        .queue(QueueName.draws)
        .upsertJobScheduler(
          DRAW_TICK_SCHEDULER_ID,
          { every: DRAW_TICK_EVERY_MS },
          { name: DrawJob.tick, data: {}, opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } } },
        );
    } catch (error) {
      // Kept all the same: QueueService creates it once Redis answers.
      this.logger.warn(`Could not upsert the draw tick scheduler now (retried while the worker runs): ${(error as Error).message}`);
    }
  }

  async tick(): Promise<TickResult> {
    await this.campaigns.ensureLoaded();
    const now = this.clock.now();
    const result: TickResult = { now: now.toISOString(), freeze: [], draw: [], publish: [] };
    for (const draw of await this.schedule.open()) {
      const due = dueStep(draw, now, draw.approved);
      if (due.step === null) continue;
      const queued = await this.jobs.enqueue(due.step, draw.id);
      if (queued.added) result[due.step].push(draw.id);
    }
    if (result.freeze.length + result.draw.length + result.publish.length > 0)
      this.logger.log(`Tick at ${result.now}: freeze [${result.freeze}] draw [${result.draw}] publish [${result.publish}]`);
    return result;
  }
}
