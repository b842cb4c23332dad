import { Injectable, Logger } from '@nestjs/common';
import type { Job, JobState } from 'bullmq';
import { JOBS, type DrawStepPayload } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import type { DrawPhase } from './draw.entity.js';

/** Job names on the `draws` queue (declared with their payloads in core/queue/job-contracts.ts). */
export const DrawJob = JOBS.draws;

/** The id of the tick's job scheduler (upserted once by the worker at start-up). */
export const DRAW_TICK_SCHEDULER_ID = 'draw-tick';
/** How often the tick runs, in real time (it reads the service clock to decide what is due). */
export const DRAW_TICK_EVERY_MS = 60_000;

/**
 * A step's payload: the draw id and nothing else. Why a step is due is derived from the database when it
 * runs (the schedule, the approved request), never taken from the job.
 */
export type DrawStepJobData = DrawStepPayload;

export const DRAW_PHASES: readonly DrawPhase[] = ['freeze', 'draw', 'publish'];

/**
 * The deterministic job id of a draw step, e.g. `freeze-henan-2022-2022-08`. BullMQ ignores an add whose id
 * already exists, so duplicated ticks and approvals queue the step once. (BullMQ refuses custom ids with a
 * single `:`, hence the dash.)
 */
export function drawJobId(phase: DrawPhase, drawId: string): string {
  return `${phase}-${drawId}`;
}

export interface EnqueueResult {
  jobId: string;
  /** false when a job with this id was already waiting, delayed or running (then nothing was added). */
  added: boolean;
  /** The state of the job found instead, when not added. */
  existingState?: JobState | 'unknown';
}

export interface DrawJobView {
  phase: DrawPhase;
  jobId: string;
  state: JobState | 'unknown';
  attemptsMade: number;
  progress: unknown;
  failedReason: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Producer of draw steps, used by the API (approvals, retries) and the worker (tick, chaining). The database
 * is the source of truth: the callers decide from a draw's status what is due; this only makes sure the step
 * is queued exactly once at a time.
 */
@Injectable()
export class DrawJobs {
  private readonly logger = new Logger('DrawJobs');

  constructor(private readonly queues: QueueService) {}

  /**
   * Queues `phase` for a draw with its deterministic job id. A finished (completed or failed) job of the same
   * id is removed first, so a step can run again after an operator's retry or a tick that finds it still due;
   * a waiting, delayed or active one is left alone. The lifecycle steps are idempotent, so running a step
   * once more than needed is harmless; the point is not to pile up duplicates.
   */
  async enqueue(phase: DrawPhase, drawId: string): Promise<EnqueueResult> {
    const queue = this.queues.queue(QueueName.draws);
    const jobId = drawJobId(phase, drawId);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return { jobId, added: false, existingState: state };
      try {
        await existing.remove();
      } catch (error) {
        // Another producer removed or re-added it in between: leave it to that one.
        this.logger.debug(`Could not remove finished job ${jobId}: ${(error as Error).message}`);
        return { jobId, added: false, existingState: 'unknown' };
      }
    }
    const data: DrawStepJobData = { drawId };
    // Should a concurrent producer have added the same id in between, BullMQ keeps theirs and ignores this add.
    await this.queues.add(QueueName.draws, phase, data, { jobId });
    return { jobId, added: true };
  }

  /** The BullMQ job of a step, if one is kept (finished jobs are kept for days, then removed). */
  async job(phase: DrawPhase, drawId: string): Promise<Job | undefined> {
    return this.queues.queue(QueueName.draws).getJob(drawJobId(phase, drawId));
  }

  /** True while a step's job is running or waiting for its next attempt (backoff). */
  async isRunning(phase: DrawPhase, drawId: string): Promise<boolean> {
    const job = await this.job(phase, drawId);
    if (!job) return false;
    const state = await job.getState();
    return state === 'active' || state === 'delayed';
  }

  /** The kept jobs of the three steps of a draw, for the admin view. */
  async views(drawId: string): Promise<DrawJobView[]> {
    const views: DrawJobView[] = [];
    for (const phase of DRAW_PHASES) {
      const job = await this.job(phase, drawId);
      if (!job) continue;
      const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);
      views.push({
        phase,
        jobId: job.id ?? drawJobId(phase, drawId),
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        progress: job.progress,
        failedReason: job.failedReason ?? null,
        queuedAt: iso(job.timestamp),
        startedAt: iso(job.processedOn),
        finishedAt: iso(job.finishedOn),
      });
    }
    return views;
  }
}
