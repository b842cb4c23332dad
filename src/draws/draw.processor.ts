import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { JobHandlers, TypedJob } from '../core/queue/job-contracts.js';
import { DomainError } from '../core/errors/domain-error.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueProcessor, type JobHandler } from '../core/queue/queue-processor.js';
import { DrawInputError } from './algorithm/index.js';
import { DrawAuditService, WORKER_ACTOR } from './draw-audit.service.js';
import { DrawJobs } from './draw-jobs.js';
import { DrawBusyError, DrawIntegrityError, DrawLifecycleService, type DrawProgress, type StepOutcome } from './draw-lifecycle.service.js';
import type { DrawPhase } from './draw.entity.js';
import { DrawTickService } from './draw-tick.service.js';

/** How often a running step writes its progress to Redis (Bull Board) and the draws row (admin API). */
const PROGRESS_EVERY_MS = 500;

/** Errors that no retry can fix: the draw fails with the reason for an operator to read. */
export function isPermanentDrawError(error: unknown): boolean {
  if (error instanceof UnrecoverableError || error instanceof DrawIntegrityError || error instanceof DrawInputError) return true;
  if (error instanceof DomainError) return error.statusCode < 500;
  return false;
}

/** A one-line, operator-readable reason (class and message; never stack traces or personal data). */
function reasonOf(error: unknown): string {
  const e = error as Error;
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(error)}`.slice(0, 900);
}

/**
 * Worker only: runs the steps of the `draws` queue. `draw-tick` queues what is due; `freeze`, `draw` and
 * `publish` call the lifecycle (idempotent, serialized per draw, each step guarded under its lock), report
 * `{phase, processed, total}` as the job's progress, and queue the step the state machine finds due next.
 * A job whose step's guard fails (queued early, a stale retry, a replay) changes nothing but one audit entry
 * and completes: it is never retried. Only the job's drawId is read; whatever else its data says is ignored.
 *
 * Transient errors (database or Redis hiccups, another worker holding the draw) are thrown so BullMQ retries
 * with exponential backoff (5 attempts); when the last attempt fails, or at once for permanent errors
 * (invalid input, stored data disagreeing with the commitment), the draw is marked failed with a readable
 * reason and the job fails without further retries. An operator retries a failed draw through the API.
 *
 * Concurrency 1: a freeze or draw of millions of entries holds several hundred MB, one at a time is enough
 * (periods are a month apart). The lock is renewed while the job runs (the lifecycle yields between batches);
 * a worker killed mid-job loses it within 30 s and the job is picked up again by the next stalled-job check.
 */
@Injectable()
@QueueProcessor({ queue: QueueName.draws, concurrency: 1, lockDurationMs: 30_000 })
export class DrawProcessor implements JobHandler<'draws'> {
  private readonly logger = new Logger('DrawProcessor');

  constructor(
    private readonly lifecycle: DrawLifecycleService,
    private readonly audit: DrawAuditService,
    private readonly jobs: DrawJobs,
    private readonly ticks: DrawTickService,
  ) {}

  readonly handlers: JobHandlers<'draws'> = {
    'draw-tick': () => this.ticks.tick(),
    freeze: (job) => this.runStep(job, 'freeze'),
    draw: (job) => this.runStep(job, 'draw'),
    publish: (job) => this.runStep(job, 'publish'),
  };

  private async runStep(job: TypedJob<'draws', DrawPhase>, phase: DrawPhase): Promise<unknown> {
    // The draw id is all a step reads from its job (anything else in the data is ignored).
    const { drawId } = (job.data ?? {}) as Partial<TypedJob<'draws', DrawPhase>['data']>;
    if (typeof drawId !== 'string' || !drawId) throw new UnrecoverableError(`${phase} job ${job.id} has no drawId`);
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    let outcome: StepOutcome;
    try {
      const context = {
        onProgress: this.progressReporter(job, drawId),
        job: { id: String(job.id), attempt, attempts, stalled: job.stalledCounter },
      };
      if (phase === 'freeze') outcome = await this.lifecycle.freezeDraw(drawId, context);
      else if (phase === 'draw') outcome = await this.lifecycle.runDraw(drawId, context);
      else outcome = await this.lifecycle.publishDraw(drawId, context);
    } catch (error) {
      return this.handleFailure(job, phase, drawId, error, attempt, attempts);
    }
    const { refused } = outcome;
    const draw = outcome;
    if (refused) return { drawId, status: draw.status, refused: { code: refused.code, reason: refused.reason } };
    await this.queueNextStep(drawId);
    return { drawId, status: draw.status, entryCount: draw.entryCount, totalTickets: draw.totalTickets };
  }

  /** Queues the step the state machine finds due after this one (a draw past its time, publication after a draw). */
  private async queueNextStep(drawId: string): Promise<void> {
    try {
      const due = await this.lifecycle.due(drawId);
      if (due.step) await this.jobs.enqueue(due.step, drawId);
    } catch (error) {
      // The step itself is done; the next tick queues what follows.
      this.logger.warn(`Could not queue the step after one of ${drawId}: ${(error as Error).message}`);
    }
  }

  private async handleFailure(job: Job, phase: DrawPhase, drawId: string, error: unknown, attempt: number, attempts: number): Promise<never> {
    const reason = reasonOf(error);
    const permanent = isPermanentDrawError(error);
    const last = permanent || attempt >= attempts;
    // Another worker holding the draw is still working on it: never fail the draw for that. The job gives up
    // after its attempts and the next tick queues the step again should it still be due.
    const busy = error instanceof DrawBusyError;
    this.logger.warn(`${phase} ${drawId} attempt ${attempt}/${attempts} failed${permanent ? ' permanently' : ''}: ${reason}`);
    try {
      if (last && !busy) await this.lifecycle.markFailed(drawId, phase, permanent ? reason : `${reason} (gave up after ${attempt} attempts)`);
      else await this.audit.append(drawId, WORKER_ACTOR, `${phase}-job-attempt-failed`, { jobId: job.id, attempt, attempts, reason });
    } catch (logError) {
      this.logger.error(`Could not record the failure of ${phase} ${drawId}: ${(logError as Error).message}`);
    }
    if (permanent && !(error instanceof UnrecoverableError)) throw new UnrecoverableError(reason);
    throw error;
  }

  /** Throttled progress: to the job (Bull Board, QueueEvents) and to the draws row (admin API). */
  private progressReporter(job: Job, drawId: string): (p: DrawProgress) => Promise<void> {
    let last = 0;
    let lastPhase = '';
    return async (progress) => {
      const now = Date.now();
      const done = progress.processed >= progress.total;
      if (progress.phase === lastPhase && !done && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      lastPhase = progress.phase;
      const value = { phase: progress.phase, processed: progress.processed, total: progress.total };
      // Best effort: a lost progress report must not abort the step.
      await job.updateProgress(value).catch((error: Error) => this.logger.debug(`progress of ${job.id}: ${error.message}`));
      await this.lifecycle.recordProgress(drawId, value).catch(() => undefined);
    };
  }
}
