import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { DrawAuditService, SCHEDULER_ACTOR, WORKER_ACTOR, staffActor } from './draw-audit.service.js';
import { DrawScheduleRepository, type DrawFactsRow } from './draw-schedule.repository.js';
import { dueStep, guardStep, type DueStep, type StepRefusal } from './draw-state-machine.js';
import { Draw, type DrawPhase } from './draw.entity.js';

export type DrawProgress = { phase: string; processed: number; total: number };
export type OnProgress = (progress: DrawProgress) => Promise<void> | void;

/** Who runs a step: the progress callback and, from the queue, the job (for the audit log). */
export interface StepContext {
  onProgress?: OnProgress;
  job?: { id: string; attempt: number; attempts: number; stalled?: number };
}

/** A step's result: the draw as it is now, with the refusal when the step's guard failed (then nothing changed). */
export type StepOutcome = Draw & { refused: StepRefusal | null };
export const withRefusal = (draw: Draw, refused: StepRefusal | null): StepOutcome => Object.assign(draw, { refused });

/** A step the state machine found due, with the actor the audit log names for it. */
export type DueNow = Extract<DueStep, { step: DrawPhase }> & { actor: string; actorDetails: object };

/** A draw's stored data disagrees with its own commitment: never retried, an operator must look. */
export class DrawIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrawIntegrityError';
  }
}

/** Another process holds the draw's lifecycle lock right now; retry later. */
export class DrawBusyError extends Error {
  constructor(drawId: string) {
    super(`Draw ${drawId} is being processed by another worker`);
    this.name = 'DrawBusyError';
  }
}

/**
 * How every step of a draw changes it: serialized per draw by a MySQL named lock, guarded by the state
 * machine before any work (nothing written when refused) and again in the transaction that commits it, with
 * the draws row and its approved request locked; refusals become one audit entry. The lifecycle's steps
 * supply only their work.
 */
@Injectable()
export class DrawTransitions {
  private readonly logger = new Logger('DrawTransitions');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly schedule: DrawScheduleRepository,
    private readonly audit: DrawAuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The step's guard before any work, under the draw's named lock (nothing is written yet): returns the due
   * step with its actor, or records the refusal and returns the unchanged draw with it.
   */
  async guardOrRefuse(step: DrawPhase, drawId: string, runner: QueryRunner, context: StepContext): Promise<DueNow | StepOutcome> {
    const facts = await this.schedule.facts(drawId, runner);
    if (!facts) throw new DrawIntegrityError(`No draw ${drawId}`);
    const refusal = guardStep(step, facts, this.clock.now(), facts.approved);
    if (refusal) {
      await this.recordRefusal(drawId, refusal, context);
      return withRefusal(await this.load(drawId), refusal);
    }
    const due = this.dueNow(facts);
    if (context.job) {
      const { id: jobId, attempt, attempts, stalled } = context.job;
      // `stalled` counts the times a worker died (or stalled) holding this job before this run.
      await this.audit.append(drawId, due.actor, `${step}-job-started`, {
        jobId,
        attempt,
        attempts,
        trigger: due.trigger,
        ...(due.requestId !== undefined ? { requestId: due.requestId } : {}),
        ...(stalled ? { stalled } : {}),
      });
    }
    return due;
  }

  /** The due step of `facts` with the actor it is done for: the approver of the request, else the scheduler. */
  dueNow(facts: DrawFactsRow): DueNow {
    const due = dueStep(facts, this.clock.now(), facts.approved);
    if (due.step === null) throw new Error('dueNow called for a draw with nothing due');
    if (due.trigger === 'approved-request' && facts.approved?.decidedBy)
      return {
        ...due,
        actor: staffActor({ id: facts.approved.decidedBy, username: facts.approved.approverUsername ?? '?' }),
        actorDetails: { role: 'auditor', trigger: due.trigger, requestId: facts.approved.id, requestedBy: facts.approved.requestedBy },
      };
    return { ...due, actor: SCHEDULER_ACTOR, actorDetails: { trigger: due.trigger } };
  }

  /** A refused step's only trace: one audit entry saying what was refused and why (never retried). */
  private async recordRefusal(drawId: string, refusal: StepRefusal, context: StepContext): Promise<void> {
    this.logger.warn(`${refusal.step} of ${drawId} refused (${refusal.code}): ${refusal.reason}`);
    await this.audit.append(drawId, WORKER_ACTOR, `${refusal.step}-refused`, {
      code: refusal.code,
      reason: refusal.reason,
      status: refusal.status,
      ...(context.job ? { jobId: context.job.id } : {}),
    });
  }

  /**
   * Runs `work` in a transaction on `runner` that moves the draw by `step`, with the draws row (and its
   * approved request) locked and the step's guard checked again on what is locked; `work` gets the locked
   * row's beacon and the actor. Returning false rolls the transaction back. A guard failing here rolls back
   * and records the refusal. Reloads the draw.
   */
  async commitTransition(
    runner: QueryRunner,
    drawId: string,
    step: DrawPhase,
    context: StepContext,
    work: (em: EntityManager, locked: DueNow & { beacon: string | null }) => Promise<boolean | void>,
  ): Promise<StepOutcome> {
    let refusal: StepRefusal | null = null;
    await runner.startTransaction();
    try {
      const facts = await this.schedule.facts(drawId, runner, true);
      if (!facts) throw new DrawIntegrityError(`No draw ${drawId}`);
      refusal = guardStep(step, facts, this.clock.now(), facts.approved);
      if (refusal) await runner.rollbackTransaction();
      else {
        const [{ beacon }] = await runner.query(`SELECT beacon FROM draws WHERE id = ?`, [drawId]);
        if ((await work(runner.manager, { ...this.dueNow(facts), beacon: beacon ?? null })) === false) await runner.rollbackTransaction();
        else await runner.commitTransaction();
      }
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
    if (refusal) await this.recordRefusal(drawId, refusal, context);
    return withRefusal(await this.load(drawId), refusal);
  }

  /** Serializes every lifecycle step of one draw across workers with a MySQL named lock on a dedicated connection. */
  async withDrawLock<T>(drawId: string, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Named locks are server-wide: include the database so separate deployments (and test databases) never collide.
      const [{ db }] = await runner.query('SELECT DATABASE() AS db');
      const lockName = `il-draw-${createHash('sha256').update(`${db}:${drawId}`).digest('hex').slice(0, 40)}`;
      const [{ got }] = await runner.query(`SELECT GET_LOCK(?, 0) AS got`, [lockName]);
      if (Number(got) !== 1) throw new DrawBusyError(drawId);
      try {
        return await work(runner);
      } finally {
        await runner.query(`SELECT RELEASE_LOCK(?)`, [lockName]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  async load(drawId: string, withSecret = false): Promise<Draw> {
    const qb = this.dataSource.getRepository(Draw).createQueryBuilder('d').where('d.id = :drawId', { drawId });
    if (withSecret) qb.addSelect('d.secretEncrypted');
    const draw = await qb.getOne();
    if (!draw) throw new DrawIntegrityError(`No draw ${drawId}`);
    return draw;
  }
}
