import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { AuthSubject } from '../auth/auth-subject.js';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { StaffAccount } from '../staff/staff-account.entity.js';
import { ALGORITHM_ID } from './algorithm/index.js';
import { DrawAuditService, staffActor } from './draw-audit.service.js';
import { DrawJobs } from './draw-jobs.js';
import { DrawLifecycleService } from './draw-lifecycle.service.js';
import { DrawPick } from './draw-pick.entity.js';
import { DrawRequest } from './draw-request.entity.js';
import { Draw } from './draw.entity.js';
import type { DueStep } from './draw-state-machine.js';
import type { DrawAuditEntryDto, DrawDetailDto, DrawNextStepDto, DrawRequestDto, DrawSummaryDto } from './dto/draw-admin.dto.js';

export type StaffSubject = Extract<AuthSubject, { kind: 'staff' }>;

export { staffActor };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The state machine's answer for the admin view: the step due now, or why none is and until when. */
const nextStepView = (due: DueStep): DrawNextStepDto =>
  due.step
    ? { step: due.step, trigger: due.trigger, requestId: due.requestId ?? null, code: null, reason: null, waitUntil: null }
    : { step: null, trigger: null, requestId: null, code: due.code, reason: due.reason, waitUntil: iso(due.waitUntil) };

const notFound = (drawId: string) => DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
const requestNotFound = (requestId: number) => DomainError.notFound('DRAW_REQUEST_NOT_FOUND', `No draw request ${requestId} for this draw`);
const notFrozen = (draw: Draw) =>
  DomainError.conflict('DRAW_NOT_FROZEN', `Draw ${draw.id} is ${draw.status}: a draw can be requested and approved only while it is frozen`, {
    status: draw.status,
  });
const alreadyDecided = (request: DrawRequest) =>
  DomainError.conflict('DRAW_REQUEST_ALREADY_DECIDED', `Draw request ${request.id} is already ${request.status}`, { status: request.status });

/**
 * Staff side of the draws: the two-person rule for running a frozen draw early (an operator requests,
 * another person with the auditor role approves; only then is the draw queued), retries of failed draws,
 * and the admin views. Every action is written to the draw's append-only audit log.
 */
@Injectable()
export class DrawRequestsService {
  private readonly logger = new Logger('DrawRequests');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lifecycle: DrawLifecycleService,
    private readonly audit: DrawAuditService,
    private readonly jobs: DrawJobs,
    private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------------------------------------------
  // Two-person draw requests

  /**
   * An operator asks for the frozen draw to run now, optionally with a beacon. A newer request supersedes
   * the pending one; once a request is approved no more can be made for the draw.
   */
  async request(drawId: string, beacon: string | undefined, staff: StaffSubject): Promise<DrawRequestDto> {
    const id = await this.dataSource.transaction(async (em) => {
      const draw = await this.lockDraw(em, drawId);
      if (draw.status !== 'frozen') throw notFrozen(draw);
      await this.refuseIfApproved(em, drawId);
      const now = this.clock.now();
      const pending = await em.getRepository(DrawRequest).find({ where: { drawId, status: 'pending' }, order: { id: 'ASC' } });
      for (const old of pending) {
        await em.update(DrawRequest, { id: old.id, status: 'pending' }, { status: 'superseded', decidedAt: now });
        await this.audit.append(drawId, staffActor(staff), 'draw-request-superseded', { role: 'operator', requestId: old.id }, em);
      }
      const request = em.getRepository(DrawRequest).create({
        drawId,
        requestedBy: staff.id,
        requestedAt: now,
        beacon: beacon ?? null,
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
        rejectionReason: null,
      });
      await em.getRepository(DrawRequest).insert(request);
      await this.audit.append(drawId, staffActor(staff), 'draw-requested', { role: 'operator', requestId: request.id, beacon: request.beacon }, em);
      return request.id;
    });
    return this.requestView(drawId, id);
  }

  /**
   * An auditor approves a pending request: the beacon is stored on the draw (while it is still frozen) and
   * the draw job is queued. The requester can never approve their own request, whatever their roles.
   */
  async approve(drawId: string, requestId: number, staff: StaffSubject): Promise<DrawRequestDto> {
    const request = await this.findRequest(drawId, requestId);
    if (request.requestedBy === staff.id)
      throw DomainError.forbidden('SELF_APPROVAL_FORBIDDEN', 'A draw request must be approved by someone other than the requester');
    if (request.status !== 'pending') throw alreadyDecided(request);
    // A draw already running (or waiting to retry): refuse rather than change its beacon under it. This check
    // is only the usual answer, not the guarantee: should an approval slip in while a draw runs anyway, the draw
    // commits only with the beacon stored here (it re-checks it under the row lock taken below) and so is drawn
    // again with it, or it committed first and the approval finds the draw no longer frozen (409).
    if (await this.jobs.isRunning('draw', drawId))
      throw DomainError.conflict('DRAW_IN_PROGRESS', `Draw ${drawId} is being drawn right now; its beacon can no longer change`);

    await this.dataSource.transaction(async (em) => {
      const draw = await this.lockDraw(em, drawId);
      if (draw.status !== 'frozen') throw notFrozen(draw);
      await this.refuseIfApproved(em, drawId);
      const now = this.clock.now();
      // The two-person rule, again on the locked request: the requester can never be the approver.
      const locked = await em.getRepository(DrawRequest).findOne({ where: { id: requestId, drawId }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw requestNotFound(requestId);
      if (locked.requestedBy === staff.id)
        throw DomainError.forbidden('SELF_APPROVAL_FORBIDDEN', 'A draw request must be approved by someone other than the requester');
      if (locked.status !== 'pending') throw alreadyDecided(locked);
      await em.update(DrawRequest, { id: requestId, drawId, status: 'pending' }, { status: 'approved', decidedBy: staff.id, decidedAt: now });
      await em.update(Draw, { id: drawId, status: 'frozen' }, { beacon: locked.beacon, updatedAt: now });
      const actor = staffActor(staff);
      await this.audit.append(drawId, actor, 'draw-request-approved', { role: 'auditor', requestId, requestedBy: locked.requestedBy }, em);
      await this.audit.append(drawId, actor, 'beacon-set', { role: 'auditor', requestId, beacon: locked.beacon }, em);
    });
    await this.queueDueStep(drawId);
    return this.requestView(drawId, requestId);
  }

  /**
   * An auditor turns a pending request down, or the requester withdraws it, saying why (`reason`, already
   * trimmed and 1-500 characters by RejectDrawRequestDto): stored on the request and in the audit entry.
   * Not idempotent by design: a second call finds the request decided (409).
   */
  async reject(drawId: string, requestId: number, reason: string, staff: StaffSubject): Promise<DrawRequestDto> {
    const request = await this.findRequest(drawId, requestId);
    if (!staff.roles.includes('auditor') && request.requestedBy !== staff.id)
      throw DomainError.forbidden('ROLE_REQUIRED', 'Only an auditor or the requester can reject a draw request');
    if (request.status !== 'pending') throw alreadyDecided(request);
    await this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const decided = await em.update(DrawRequest, { id: requestId, drawId, status: 'pending' }, {
        status: 'rejected',
        decidedBy: staff.id,
        decidedAt: now,
        rejectionReason: reason,
      });
      if (!decided.affected) throw alreadyDecided((await em.findOneBy(DrawRequest, { id: requestId })) ?? request);
      const role = staff.roles.includes('auditor') && request.requestedBy !== staff.id ? 'auditor' : 'requester';
      await this.audit.append(drawId, staffActor(staff), 'draw-request-rejected', { role, requestId, requestedBy: request.requestedBy, reason }, em);
    });
    return this.requestView(drawId, requestId);
  }

  async listRequests(drawId: string): Promise<DrawRequestDto[]> {
    await this.findDraw(drawId);
    return this.requestViews(await this.dataSource.getRepository(DrawRequest).find({ where: { drawId }, order: { id: 'ASC' } }));
  }

  // ---------------------------------------------------------------------------------------------------
  // Failed draws

  /**
   * Puts a failed draw back to the status before its failed step (audit-logged with the operator in the same
   * transaction) and queues the step the state machine finds due, if any; the step's own guard decides again
   * when it runs. Not idempotent by design: a second call finds the draw no longer failed (409).
   */
  async retry(drawId: string, staff: StaffSubject): Promise<DrawDetailDto> {
    await this.findDraw(drawId);
    const { draw, retried } = await this.lifecycle.retryFailed(drawId, staff);
    if (!retried)
      throw DomainError.conflict('DRAW_NOT_FAILED', `Draw ${drawId} is ${draw.status}; only a failed draw can be retried`, { status: draw.status });
    await this.queueDueStep(drawId);
    return this.detail(drawId);
  }

  // ---------------------------------------------------------------------------------------------------
  // Views

  async list(filter: { campaignId?: string; status?: string }): Promise<DrawSummaryDto[]> {
    const where: Record<string, string> = {};
    if (filter.campaignId) where.campaignId = filter.campaignId;
    if (filter.status) where.status = filter.status;
    const draws = await this.dataSource.getRepository(Draw).find({ where, order: { campaignId: 'ASC', freezeAt: 'ASC' } });
    return draws.map((d) => this.summary(d));
  }

  async detail(drawId: string): Promise<DrawDetailDto> {
    const draw = await this.findDraw(drawId);
    const picks: Array<{ kind: string; n: string }> = await this.dataSource
      .getRepository(DrawPick)
      .createQueryBuilder('p')
      .select('p.kind', 'kind')
      .addSelect('COUNT(*)', 'n')
      .where('p.drawId = :drawId', { drawId })
      .groupBy('p.kind')
      .getRawMany();
    const count = (kind: string) => Number(picks.find((p) => p.kind === kind)?.n ?? 0);
    let jobs: DrawDetailDto['jobs'] = null;
    try {
      jobs = await this.jobs.views(drawId);
    } catch (error) {
      this.logger.warn(`Could not read the jobs of ${drawId}: ${(error as Error).message}`);
    }
    const committed = draw.entriesDigest !== null && draw.secretHash !== null && draw.entryCount !== null && draw.totalTickets !== null;
    return {
      ...this.summary(draw),
      progress: draw.progress,
      commitment: committed
        ? {
            algorithm: ALGORITHM_ID,
            drawId: draw.id,
            entryCount: draw.entryCount as number,
            totalTickets: draw.totalTickets as number,
            entriesDigest: draw.entriesDigest as string,
            secretHash: draw.secretHash as string,
          }
        : null,
      beacon: draw.beacon,
      next: nextStepView(await this.lifecycle.due(drawId)),
      seed: draw.seed,
      rules: {
        tiers: draw.tiers,
        winLimitPerHolder: draw.winLimitPerHolder,
        alternateCount: draw.alternateCount,
        ticketUnitCents: draw.ticketUnitCents,
        ticketCap: draw.ticketCap,
      },
      results: draw.drawnAt || picks.length ? { winners: count('winner'), alternates: count('alternate') } : null,
      createdAt: draw.createdAt.toISOString(),
      updatedAt: draw.updatedAt.toISOString(),
      jobs,
      requests: await this.requestViews(await this.dataSource.getRepository(DrawRequest).find({ where: { drawId }, order: { id: 'ASC' } })),
    };
  }

  async auditLog(drawId: string): Promise<DrawAuditEntryDto[]> {
    await this.findDraw(drawId);
    return (await this.audit.list(drawId)).map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      actor: e.actor,
      action: e.action,
      details: e.details === null ? null : (JSON.parse(e.details) as unknown),
    }));
  }

  // ---------------------------------------------------------------------------------------------------

  private summary(d: Draw): DrawSummaryDto {
    return {
      id: d.id,
      campaignId: d.campaignId,
      periodKey: d.periodKey,
      poolId: d.poolId,
      poolName: d.poolName ?? d.poolId,
      bandMinCents: d.bandMinCents,
      bandMaxCents: d.bandMaxCents,
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      status: d.status,
      freezeAt: d.freezeAt.toISOString(),
      drawAt: d.drawAt.toISOString(),
      entryCount: d.entryCount,
      totalTickets: d.totalTickets,
      frozenAt: iso(d.frozenAt),
      drawnAt: iso(d.drawnAt),
      publishedAt: iso(d.publishedAt),
      failure: d.status === 'failed' && d.failedPhase ? { phase: d.failedPhase, reason: d.failureReason ?? '' } : null,
    };
  }

  /**
   * After a committed change: queues the step the state machine finds due now, if any. Should Redis fail,
   * the next tick queues it.
   */
  private async queueDueStep(drawId: string): Promise<void> {
    try {
      const due = await this.lifecycle.due(drawId);
      if (due.step) await this.jobs.enqueue(due.step, drawId);
    } catch (error) {
      this.logger.warn(`Could not queue the due step of ${drawId} now (the next tick will): ${(error as Error).message}`);
    }
  }

  private async refuseIfApproved(em: EntityManager, drawId: string): Promise<void> {
    const approved = await em.getRepository(DrawRequest).findOneBy({ drawId, status: 'approved' });
    if (approved)
      throw DomainError.conflict('DRAW_ALREADY_APPROVED', `Draw request ${approved.id} of this draw is already approved; the draw is queued`, {
        requestId: approved.id,
      });
  }

  private async lockDraw(em: EntityManager, drawId: string): Promise<Draw> {
    const draw = await em.getRepository(Draw).findOne({ where: { id: drawId }, lock: { mode: 'pessimistic_write' } });
    if (!draw) throw notFound(drawId);
    return draw;
  }

  private async findDraw(drawId: string): Promise<Draw> {
    const draw = await this.dataSource.getRepository(Draw).findOneBy({ id: drawId });
    if (!draw) throw notFound(drawId);
    return draw;
  }

  private async findRequest(drawId: string, requestId: number): Promise<DrawRequest> {
    await this.findDraw(drawId);
    const request = await this.dataSource.getRepository(DrawRequest).findOneBy({ id: requestId, drawId });
    if (!request) throw requestNotFound(requestId);
    return request;
  }

  private async requestView(drawId: string, requestId: number): Promise<DrawRequestDto> {
    const request = await this.dataSource.getRepository(DrawRequest).findOneBy({ id: requestId, drawId });
    if (!request) throw requestNotFound(requestId);
    return (await this.requestViews([request]))[0];
  }

  private async requestViews(requests: DrawRequest[]): Promise<DrawRequestDto[]> {
    const ids = [...new Set(requests.flatMap((r) => [r.requestedBy, r.decidedBy]).filter((id): id is number => id !== null))];
    const staff = ids.length ? await this.dataSource.getRepository(StaffAccount).findBy({ id: In(ids) }) : [];
    const name = (id: number) => staff.find((s) => s.id === id)?.username ?? null;
    return requests.map((r) => ({
      id: r.id,
      drawId: r.drawId,
      status: r.status,
      beacon: r.beacon,
      requestedBy: { id: r.requestedBy, username: name(r.requestedBy) },
      requestedAt: r.requestedAt.toISOString(),
      decidedBy: r.decidedBy === null ? null : { id: r.decidedBy, username: name(r.decidedBy) },
      decidedAt: iso(r.decidedAt),
      rejectionReason: r.rejectionReason,
    }));
  }
}
