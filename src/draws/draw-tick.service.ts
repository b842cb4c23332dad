import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignLoader } from '../campaigns/campaign-loader.js';
import { Clock } from '../core/clock/clock.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { DRAW_TICK_EVERY_MS, DRAW_TICK_SCHEDULER_ID, DrawJob, DrawJobs, type DrawJobTrigger, type EnqueueResult } from './draw-jobs.js';
import type { DrawPhase } from './draw.entity.js';

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
 * Due: `scheduled` draws whose freezeAt has passed -> freeze; `frozen` draws whose drawAt has passed, or with
 * an approved two-person draw request -> draw; `drawn` draws -> publish.
 */
@Injectable()
export class DrawTickService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DrawTick');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const ids = async (sql: string, params: unknown[]): Promise<string[]> =>
      ((await this.dataSource.query(sql, params)) as Array<{ id: string }>).map((r) => r.id);

    const dueFreeze = await ids(`SELECT id FROM draws WHERE status = 'scheduled' AND freeze_at <= ? ORDER BY freeze_at, id`, [now]);
    const dueDraw = await ids(
      `SELECT d.id FROM draws d
        WHERE d.status = 'frozen'
          AND (d.draw_at <= ? OR EXISTS (SELECT 1 FROM draw_requests r WHERE r.draw_id = d.id AND r.status = 'approved'))
        ORDER BY d.draw_at, d.id`,
      [now],
    );
    const duePublish = await ids(`SELECT id FROM draws WHERE status = 'drawn' ORDER BY draw_at, id`, []);

    for (const [phase, due] of [
      ['freeze', dueFreeze],
      ['draw', dueDraw],
      ['publish', duePublish],
    ] as Array<[DrawPhase, string[]]>) {
      for (const drawId of due) {
        const queued = await this.enqueue(phase, drawId, 'tick');
        if (queued.added) result[phase].push(drawId);
      }
    }
    if (result.freeze.length + result.draw.length + result.publish.length > 0)
      this.logger.log(`Tick at ${result.now}: freeze [${result.freeze}] draw [${result.draw}] publish [${result.publish}]`);
    return result;
  }

  private enqueue(phase: DrawPhase, drawId: string, trigger: DrawJobTrigger): Promise<EnqueueResult> {
    return this.jobs.enqueue(phase, drawId, trigger);
  }
}
