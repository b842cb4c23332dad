import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { escape as escapeSql } from 'mysql2';
import { DataSource, type QueryRunner } from 'typeorm';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import type { CampaignDefinition } from '../campaigns/campaign-definition.js';
import { CampaignRecords } from '../campaigns/campaign-records.js';
import { poolDrawsOf } from '../campaigns/pool-draws.js';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { FREEZE_READ_BATCH, InvoiceFreezeSource, type FreezeRow } from '../invoices/invoice-freeze.source.js';
import { NotificationJob } from '../notifications/notification-jobs.js';
import { PrizeAwards } from '../prizes/prize-awards.js';
import {
  ENTRIES_HEADER,
  EntriesDigest,
  EntryTableBuilder,
  type EntryTable,
  buildAuditBundle,
  computeTickets,
  deriveSeed,
  formatEntryLine,
  generateSecret,
  hashSecret,
  holderPseudonym,
  runDraw as drawWinners,
} from './algorithm/index.js';
import { DrawArtifactsService } from './draw-artifacts.service.js';
import { DrawAuditService, WORKER_ACTOR, staffActor } from './draw-audit.service.js';
import { DrawScheduleRepository } from './draw-schedule.repository.js';
import { canTransition, dueStep, statusBefore, type DueStep } from './draw-state-machine.js';
import { DrawIntegrityError, DrawTransitions, type DrawProgress, type StepContext, type StepOutcome } from './draw-transitions.js';
import { Draw, type DrawPhase } from './draw.entity.js';

export { DrawBusyError, DrawIntegrityError, type DrawProgress, type StepContext, type StepOutcome } from './draw-transitions.js';

/** The draw's beacon is no longer the one a result was computed with (a request was approved meanwhile). */
class BeaconChanged {
  constructor(readonly beacon: string | null) {}
}

const READ_BATCH = FREEZE_READ_BATCH;
/** The entries of a read batch are written with one multi-row INSERT (about 2 MB, far below max_allowed_packet). */
const INSERT_ENTRIES = 'INSERT INTO draw_entries (draw_id, position, ref, holder, tickets, invoice_id, consumer_id, paid_cents) VALUES ';

/** A database id as an SQL literal (ids here are safe integers; anything else is refused, never inlined). */
function sqlId(value: number | string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 0) throw new DrawIntegrityError(`Unexpected id ${String(value)}`);
  return id;
}

export { drawIdFor } from '../campaigns/pool-draws.js';

/**
 * The draw lifecycle: scheduled -> frozen -> drawn -> published. Each step runs under a MySQL named lock
 * for the draw and ends with one conditional UPDATE of the draw's status, so a duplicated, retried or
 * re-delivered job can never commit a second snapshot, secret or set of winners; a step cut off half-way
 * leaves the status unchanged and is simply done again (with the same result for the draw itself).
 */
@Injectable()
export class DrawLifecycleService {
  private readonly logger = new Logger('DrawLifecycle');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalog: CampaignCatalog,
    private readonly audit: DrawAuditService,
    private readonly pii: PiiProtector,
    private readonly queues: QueueService,
    private readonly clock: Clock,
    private readonly schedule: DrawScheduleRepository,
    private readonly transitions: DrawTransitions,
    private readonly campaigns: CampaignRecords,
    private readonly invoices: InvoiceFreezeSource,
    private readonly prizes: PrizeAwards,
    private readonly artifacts: DrawArtifactsService,
  ) {}

  /**
   * Records the campaign (through the campaigns module) and schedules one draw per period and periodic pool
   * (poolDrawsOf: its id, pool, band and tiers): draws.freeze_at and draw_at, written here from the campaign
   * definition, are the one source of a period's freeze and draw times. Idempotent: existing draws are left as they are (their tiers and times were fixed when first
   * scheduled); the campaign's stored definition follows the file.
   */
  async ensureCampaign(campaign: CampaignDefinition): Promise<void> {
    const now = this.clock.now();
    await this.campaigns.upsert(campaign, now);
    const draws = poolDrawsOf(campaign).map(({ id, period: p, poolId, poolName, band, tiers }) => ({
      id,
      campaignId: campaign.id,
      periodKey: p.key,
      poolId,
      poolName,
      bandMinCents: band.minCents,
      bandMaxCents: band.maxCents,
      periodStart: p.startDate,
      periodEnd: p.endDate,
      freezeAt: p.freezeAt,
      drawAt: p.drawAt,
      status: 'scheduled' as const,
      tiers: tiers.map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })),
      winLimitPerHolder: campaign.winLimitPerHolder,
      alternateCount: campaign.alternateCount,
      ticketUnitCents: campaign.tickets.unitCents,
      ticketCap: campaign.tickets.cap,
      createdAt: now,
      updatedAt: now,
    }));
    if (draws.length > 0) await this.dataSource.createQueryBuilder().insert().into(Draw).values(draws).orIgnore().execute();
  }

  /**
   * Freeze: from one consistent snapshot of the period's verified registrations whose paid amount lies in the
   * draw's band, writes the entries in canonical order, computes the digest, generates and seals the secret and
   * publishes the commitment. The period closes to registrations as a whole: the first freeze of a period
   * closes every draw of it (each pool's), and rejects the registrations of the period still pending, telling
   * their owners once (a later pool's freeze finds none). Guarded: only a `scheduled`
   * draw whose freeze time has come on the service clock, checked under the draw's lock before anything is
   * written and again in the committing transaction; refused, nothing changes but the refusal in the audit
   * log. Idempotent: entries left by a freeze cut off half-way are removed and rebuilt.
   */
  async freezeDraw(drawId: string, context: StepContext = {}): Promise<StepOutcome> {
    const frozen = await this.freezeUnderLock(drawId, context);
    if (!frozen.refused && frozen.status === 'frozen') await this.afterFreezeCommitted(drawId);
    return frozen;
  }

  /**
   * After a freeze committed (outside its transaction and lock): the place for work that follows it, e.g.
   * writing the published entries file. A repeated freeze is refused, so nothing runs this again should it
   * fail: what it writes must be re-creatable from the committed rows (the first download re-creates the
   * entries file, src/public/public-artifacts.ts).
   */
  private async afterFreezeCommitted(drawId: string): Promise<void> {
    this.artifacts.afterFreeze(drawId, () => this.entriesCsv(drawId)); // written in the background
  }

  private async freezeUnderLock(drawId: string, context: StepContext): Promise<StepOutcome> {
    const { onProgress } = context;
    return this.transitions.withDrawLock(drawId, async (runner) => {
      const due = await this.transitions.guardOrRefuse('freeze', drawId, runner, context);
      if (!('actor' in due)) return due;
      const draw = await this.transitions.load(drawId);
      // Close the period to registrations, committed before the snapshot below is taken: a registration
      // either committed before this (and is in the snapshot) or is refused PERIOD_CLOSED by its INSERT.
      // Every pool draw of the period closes with it (registration reads one of them, see gatePoolOf).
      await runner.query(
        `UPDATE draws SET entries_closed_at = COALESCE(entries_closed_at, ?) WHERE campaign_id = ? AND period_key = ? AND status = 'scheduled'`,
        [this.clock.now(), draw.campaignId, draw.periodKey],
      );
      await this.deleteEntries(runner, drawId);

      const holderKey = this.pii.secretFor('holder');
      const digest = new EntriesDigest();
      const snapshot = this.dataSource.createQueryRunner();
      // The entries are written on two connections, alternate batches each: one INSERT stream keeps a single
      // MariaDB thread busy and leaves the second core mostly idle (~25 % faster on 2 cores).
      const writer = this.dataSource.createQueryRunner();
      const writes: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()];
      try {
        await snapshot.connect();
        await writer.connect();
        // REPEATABLE READ: every read below sees the same snapshot, taken at the first one.
        await snapshot.startTransaction('REPEATABLE READ');
        // The invoices module hands over the period's verified registrations, on this snapshot connection.
        const band = { minCents: draw.bandMinCents, maxCents: draw.bandMaxCents };
        const expected = await this.invoices.countVerified(snapshot, draw.campaignId, draw.periodKey, band);
        // Keyset batches in ref order from the covering index (see FREEZE_READ_SQL).
        const readAfter = (lastRef: string): Promise<FreezeRow[]> => this.invoices.readVerifiedAfter(snapshot, draw.campaignId, draw.periodKey, lastRef, band);
        const writers = [runner, writer];
        const drawIdSql = escapeSql(drawId);
        let position = 0;
        // The stages overlap: while a batch is hashed here, the next one is read (snapshot connection) and the
        // two before it are written (one multi-row INSERT each, batch k on writer k % 2). Each pending promise
        // is awaited, and so its error thrown, before its connection is used again; the no-op catches only
        // keep a failure from counting as unhandled meanwhile. Progress counts registrations whose entries are
        // written: when batch k starts, batches up to k - 2 are.
        const inFlight = [0, 0];
        let written = 0;
        let batch = 0;
        let next = readAfter('');
        for (;; batch++) {
          const rows = await next;
          if (rows.length === 0) break;
          next = rows.length < READ_BATCH ? Promise.resolve([]) : readAfter(rows[rows.length - 1].ref);
          next.catch(() => undefined);
          let values = '';
          for (const row of rows) {
            const paidCents = Number(row.paid_cents);
            const tickets = computeTickets(paidCents, draw.ticketUnitCents, draw.ticketCap);
            if (tickets === 0) continue;
            const holder = holderPseudonym(holderKey, drawId, row.consumer_id);
            // addEntry checks ref and holder (lowercase hex) and tickets, and computeTickets the amount, so
            // every value written below is a plain literal that needs no escaping.
            digest.addEntry(row.ref, holder, tickets);
            values += `${values === '' ? '' : ','}(${drawIdSql},${position++},'${row.ref}','${holder}',${tickets},${sqlId(row.id)},${sqlId(row.consumer_id)},${paidCents})`;
          }
          const lane = batch % 2;
          await writes[lane];
          written += inFlight[lane];
          if (written > 0) await onProgress?.({ phase: 'freeze', processed: written, total: expected });
          writes[lane] = values === '' ? Promise.resolve() : writers[lane].query(`${INSERT_ENTRIES}${values}`);
          writes[lane].catch(() => undefined);
          inFlight[lane] = rows.length;
        }
        await Promise.all(writes);
        if (batch > 0) await onProgress?.({ phase: 'freeze', processed: written + inFlight[0] + inFlight[1], total: expected });
        await snapshot.commitTransaction();
      } catch (error) {
        await Promise.allSettled(writes); // never hand a connection back with an INSERT still running
        if (snapshot.isTransactionActive) await snapshot.rollbackTransaction();
        throw error;
      } finally {
        await writer.release();
        await snapshot.release();
      }

      const entriesDigest = digest.digest();
      const secret = generateSecret();
      const commitment = {
        entryCount: digest.entryCount,
        totalTickets: digest.totalTickets,
        entriesDigest,
        secretHash: hashSecret(secret),
      };
      const now = this.clock.now();
      return this.transitions.commitTransition(runner, drawId, 'freeze', context, async (em, locked) => {
        await em.update(
          Draw,
          { id: drawId, status: 'scheduled' },
          { ...commitment, status: 'frozen', secretEncrypted: this.pii.encrypt(secret), frozenAt: now, progress: null, updatedAt: now },
        );
        const missed = await this.invoices.rejectPendingAtFreeze(em, draw.campaignId, draw.periodKey);
        await this.audit.append(drawId, locked.actor, 'frozen', { ...commitment, pendingExcluded: missed, ...locked.actorDetails }, em);
      });
    });
  }

  /**
   * Draw: reveals the secret, re-reads the committed entries (checking them against the commitment), runs
   * ILD-1 with the stored beacon, and stores winners, alternates and the audit bundle. The result is committed
   * only while the stored beacon is still the one it was computed with (checked under the draws row lock, the
   * one an approval takes to set it); otherwise it is drawn again with the new beacon. Idempotent: a no-op
   * unless `frozen`; the result depends only on committed data, so a retried draw has the same winners.
   * Guarded: at or after drawAt on the service clock, or earlier with a request approved by another staff
   * account than its requester; checked under the lock first and again in the committing transaction.
   */
  async runDraw(drawId: string, context: StepContext = {}): Promise<StepOutcome> {
    const { onProgress } = context;
    return this.transitions.withDrawLock(drawId, async (runner) => {
      const due = await this.transitions.guardOrRefuse('draw', drawId, runner, context);
      if (!('actor' in due)) return due;
      const draw = await this.transitions.load(drawId, true);
      const { secretEncrypted, entriesDigest, entryCount, totalTickets, secretHash } = draw;
      if (!secretEncrypted || !entriesDigest || entryCount === null || totalTickets === null || !secretHash)
        throw new DrawIntegrityError(`Draw ${drawId} is frozen without a complete commitment`);

      const builder = new EntryTableBuilder();
      const digest = new EntriesDigest();
      let lastPosition = -1;
      for (;;) {
        const rows: Array<{ position: number; ref: string; holder: string; tickets: number }> = await runner.query(
          `SELECT position, ref, holder, tickets FROM draw_entries WHERE draw_id = ? AND position > ? ORDER BY position LIMIT ${READ_BATCH * 5}`,
          [drawId, lastPosition],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          if (row.position !== lastPosition + 1) throw new DrawIntegrityError(`Draw ${drawId}: entry positions have a gap at ${lastPosition + 1}`);
          lastPosition = row.position;
          const tickets = Number(row.tickets);
          builder.add(row.ref, row.holder, tickets);
          digest.addEntry(row.ref, row.holder, tickets);
        }
        await onProgress?.({ phase: 'load', processed: lastPosition + 1, total: entryCount });
      }
      const recomputed = digest.digest();
      if (recomputed !== entriesDigest || digest.entryCount !== entryCount || digest.totalTickets !== totalTickets)
        throw new DrawIntegrityError(`Draw ${drawId}: stored entries do not match the commitment (digest ${recomputed})`);
      const secret = this.pii.decrypt(secretEncrypted);
      if (hashSecret(secret) !== secretHash) throw new DrawIntegrityError(`Draw ${drawId}: the sealed secret does not match its hash`);

      const table = builder.build();
      // The beacon is read again, under the draws row lock, when the result is committed: a draw request
      // approved while this draw ran (it may set a beacon) is then drawn with, never silently lost.
      let beacon = draw.beacon;
      for (let round = 1; ; round++) {
        const outcome = await this.drawAndCommit(runner, draw, { entriesDigest, entryCount, totalTickets, secret }, table, beacon, context);
        if (!(outcome instanceof BeaconChanged)) return outcome;
        if (round >= 3) throw new Error(`Draw ${drawId}: its beacon kept changing while it was drawn; retrying later`);
        this.logger.warn(`Draw ${drawId}: the beacon changed while it was drawn; drawing again with the new beacon`);
        beacon = outcome.beacon;
      }
    });
  }

  /** Runs ILD-1 on the committed table with `beacon` and commits the result, provided the beacon is still that. */
  private async drawAndCommit(
    runner: QueryRunner,
    draw: Draw,
    committed: { entriesDigest: string; entryCount: number; totalTickets: number; secret: string },
    table: EntryTable,
    beacon: string | null,
    context: StepContext,
  ): Promise<StepOutcome | BeaconChanged> {
    const { onProgress } = context;
    const drawId = draw.id;
    const { entriesDigest, entryCount, totalTickets, secret } = committed;
    const seed = deriveSeed({ drawId, entriesDigest, secret, beacon: beacon ?? '' });
    const result = drawWinners({
      drawId,
      table,
      tiers: draw.tiers,
      winLimitPerHolder: draw.winLimitPerHolder,
      alternateCount: draw.alternateCount,
      seed,
    });
    await onProgress?.({ phase: 'draw', processed: result.winners.length + result.alternates.length, total: entryCount });
    const bundle = buildAuditBundle({
      campaignId: draw.campaignId,
      drawId,
      entryCount,
      totalTickets,
      entriesDigest,
      secret,
      beacon: beacon ?? '',
      tiers: draw.tiers,
      winLimitPerHolder: draw.winLimitPerHolder,
      alternateCount: draw.alternateCount,
      result,
    });
    const positions = await this.positionsOf(runner, drawId, [...result.winners, ...result.alternates].map((p) => p.ref));
    const picks: unknown[] = [];
    let pickIndex = 0;
    for (const w of result.winners)
      picks.push(drawId, pickIndex++, 'winner', w.tier, w.slot, null, positions.get(w.ref), w.ref, w.holder, w.tickets);
    for (const a of result.alternates)
      picks.push(drawId, pickIndex++, 'alternate', null, null, a.rank, positions.get(a.ref), a.ref, a.holder, a.tickets);

    const now = this.clock.now();
    let changed: BeaconChanged | null = null;
    const after = await this.transitions.commitTransition(runner, drawId, 'draw', context, async (em, locked) => {
      if (locked.beacon !== beacon) {
        changed = new BeaconChanged(locked.beacon);
        return false;
      }
      // The row is locked: its status and beacon are still the ones just checked.
      await em.update(Draw, { id: drawId }, { status: 'drawn', secret, seed, auditBundle: JSON.stringify(bundle), drawnAt: now, progress: null, updatedAt: now });
      await this.insertRows(
        em.queryRunner as QueryRunner,
        'draw_picks (draw_id, pick_index, kind, tier, slot, alternate_rank, position, ref, holder, tickets)',
        10,
        picks,
      );
      await this.audit.append(
        drawId,
        locked.actor,
        'drawn',
        { seed, beacon: beacon ?? '', winners: result.winners.length, alternates: result.alternates.length, ...locked.actorDetails },
        em,
      );
      return true;
    });
    return changed ?? after;
  }

  /**
   * Publish: winners become visible; one prize per winner (claim window from now) and a notice to each
   * winner; after the campaign's last draw the campaign ends. Guarded: only a `drawn` draw (else refused and
   * audit-logged). Idempotent: the notification job is added with a deterministic id.
   */
  async publishDraw(drawId: string, context: StepContext = {}): Promise<StepOutcome> {
    const published = await this.transitions.withDrawLock(drawId, async (runner) => {
      const due = await this.transitions.guardOrRefuse('publish', drawId, runner, context);
      if (!('actor' in due)) return due;
      const draw = await this.transitions.load(drawId);
      const campaign = await this.campaignDefinition(draw.campaignId);
      const now = this.clock.now();
      const deadline = new Date(now.getTime() + campaign.claimWindowDays * 86_400_000);
      const winners: Array<{ pick_index: number; tier: number; slot: number; ref: string; invoice_id: string; consumer_id: string }> =
        await runner.query(
          `SELECT p.pick_index, p.tier, p.slot, p.ref, e.invoice_id, e.consumer_id
             FROM draw_picks p JOIN draw_entries e ON e.draw_id = p.draw_id AND e.position = p.position
            WHERE p.draw_id = ? AND p.kind = 'winner' ORDER BY p.pick_index`,
          [drawId],
        );
      const tiers = new Set(draw.tiers.map((t) => t.tier));
      for (const w of winners) if (!tiers.has(Number(w.tier))) throw new DrawIntegrityError(`Draw ${drawId}: winner of unknown tier ${w.tier}`);
      return this.transitions.commitTransition(runner, drawId, 'publish', context, async (em, locked) => {
        await em.update(Draw, { id: drawId, status: 'drawn' }, { status: 'published', publishedAt: now, updatedAt: now });
        // Prizes (with tax) and winners' notices are the prizes and notifications modules' rows, written by them here.
        await this.prizes.awardPublishedDraw(em, {
          drawId,
          periodKey: draw.periodKey,
          tiers: draw.tiers,
          winners: winners.map((w) => ({
            pickIndex: Number(w.pick_index),
            tier: Number(w.tier),
            slot: Number(w.slot),
            ref: w.ref,
            invoiceId: w.invoice_id,
            consumerId: w.consumer_id,
          })),
          claimDeadline: deadline,
          now,
        });
        await this.audit.append(drawId, locked.actor, 'published', { prizes: winners.length, claimDeadline: deadline.toISOString(), ...locked.actorDetails }, em);
        const [{ open }] = await em.query(`SELECT COUNT(*) AS open FROM draws WHERE campaign_id = ? AND status <> 'published'`, [draw.campaignId]);
        if (Number(open) === 0) await this.campaigns.markEnded(draw.campaignId, now, em);
      });
    });
    // After commit, outside the transaction and lock: work that follows a publication (the winners' SMS job;
    // the place for publishing artifacts such as the audit bundle). Must be idempotent.
    if (!published.refused && published.status === 'published') {
      await this.announce(drawId);
      this.artifacts.afterPublication(drawId, () => this.entriesCsv(drawId)); // written in the background
    }
    return published;
  }

  /** Marks the draw failed in a phase with a reason an operator can read. Idempotent. */
  async markFailed(drawId: string, phase: DrawPhase, reason: string): Promise<void> {
    const from = statusBefore(phase);
    if (!canTransition(from, 'failed')) return;
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const result = await em
        .getRepository(Draw)
        .update({ id: drawId, status: from }, { status: 'failed', failedPhase: phase, failureReason: reason.slice(0, 1000), progress: null, updatedAt: now });
      if (result.affected) await this.audit.append(drawId, WORKER_ACTOR, 'failed', { phase, reason: reason.slice(0, 500) }, em);
    });
  }

  /**
   * Returns a failed draw to the status before its failed step, in one transaction with the audit entry
   * naming the staff member; returns the draw and the step now due (queued by the caller). Idempotent: a
   * draw no longer failed is returned unchanged with `retried: false`.
   */
  async retryFailed(
    drawId: string,
    actor: { id: number; username: string },
  ): Promise<{ draw: Draw; retried: boolean; failedPhase: DrawPhase | null; failureReason: string | null }> {
    const outcome = await this.dataSource.transaction(async (em) => {
      const draw = await em.getRepository(Draw).findOne({ where: { id: drawId }, lock: { mode: 'pessimistic_write' } });
      if (!draw) throw new DrawIntegrityError(`No draw ${drawId}`);
      if (draw.status !== 'failed' || !draw.failedPhase || !canTransition('failed', statusBefore(draw.failedPhase)))
        return { retried: false, failedPhase: draw.failedPhase, failureReason: draw.failureReason };
      const to = statusBefore(draw.failedPhase);
      await em.getRepository(Draw).update({ id: drawId, status: 'failed' }, { status: to, failedPhase: null, failureReason: null, updatedAt: this.clock.now() });
      await this.audit.append(
        drawId,
        staffActor(actor),
        'retry-requested',
        { role: 'operator', failedPhase: draw.failedPhase, failureReason: draw.failureReason, status: to },
        em,
      );
      return { retried: true, failedPhase: draw.failedPhase, failureReason: draw.failureReason };
    });
    return { draw: await this.transitions.load(drawId), ...outcome };
  }

  /** The step due now for a draw, by the state machine (dueStep) on the service clock. Read-only. */
  async due(drawId: string): Promise<DueStep> {
    const facts = await this.schedule.facts(drawId);
    if (!facts) throw new DrawIntegrityError(`No draw ${drawId}`);
    return dueStep(facts, this.clock.now(), facts.approved);
  }

  /** Records a running job's progress for the admin view. Best effort, idempotent. */
  async recordProgress(drawId: string, progress: DrawProgress): Promise<void> {
    await this.dataSource.getRepository(Draw).update({ id: drawId }, { progress });
  }

  /** The exact ILD-1 entries file of a frozen (or later) draw, streamed in chunks from the committed rows. */
  async *entriesCsv(drawId: string): AsyncIterable<string> {
    yield ENTRIES_HEADER;
    let lastPosition = -1;
    for (;;) {
      const rows: Array<{ position: number; ref: string; holder: string; tickets: number }> = await this.dataSource.query(
        `SELECT position, ref, holder, tickets FROM draw_entries WHERE draw_id = ? AND position > ? ORDER BY position LIMIT ${READ_BATCH}`,
        [drawId, lastPosition],
      );
      if (rows.length === 0) return;
      let chunk = '';
      for (const row of rows) chunk += formatEntryLine(row.ref, row.holder, Number(row.tickets));
      lastPosition = rows[rows.length - 1].position;
      yield chunk;
    }
  }

  private async announce(drawId: string): Promise<void> {
    try {
      await this.queues.add(QueueName.notifications, NotificationJob.drawPublished, { drawId }, { jobId: `draw-published-${drawId}` });
    } catch (error) {
      // The notices are in the database already; the SMS job is re-added by the next publish call or tick.
      this.logger.warn(`Could not queue the SMS notices of ${drawId}: ${(error as Error).message}`);
    }
  }

  private async positionsOf(runner: QueryRunner, drawId: string, refs: string[]): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    for (let i = 0; i < refs.length; i += 1000) {
      const batch = refs.slice(i, i + 1000);
      if (batch.length === 0) continue;
      const rows: Array<{ ref: string; position: number }> = await runner.query(
        `SELECT ref, position FROM draw_entries WHERE draw_id = ? AND ref IN (${batch.map(() => '?').join(',')})`,
        [drawId, ...batch],
      );
      for (const row of rows) positions.set(row.ref, Number(row.position));
    }
    return positions;
  }

  private async deleteEntries(runner: QueryRunner, drawId: string): Promise<void> {
    for (;;) {
      const result = await runner.query(`DELETE FROM draw_entries WHERE draw_id = ? LIMIT 50000`, [drawId]);
      if (!result.affectedRows) return;
    }
  }

  /** Multi-row INSERT of `values` (flattened, `width` per row) in batches of at most 60,000 parameters. */
  private async insertRows(runner: QueryRunner, target: string, width: number, values: unknown[]): Promise<void> {
    const rowsPerBatch = Math.floor(60_000 / width);
    for (let i = 0; i < values.length; i += rowsPerBatch * width) {
      const slice = values.slice(i, i + rowsPerBatch * width);
      const row = `(${Array(width).fill('?').join(',')})`;
      await runner.query(`INSERT INTO ${target} VALUES ${Array(slice.length / width).fill(row).join(',')}`, slice);
    }
  }

  private async campaignDefinition(campaignId: string): Promise<CampaignDefinition> {
    const fromCatalog = this.catalog.get(campaignId);
    if (fromCatalog) return fromCatalog;
    const stored = await this.campaigns.definition(campaignId);
    if (!stored) throw new DrawIntegrityError(`No campaign ${campaignId}`);
    return stored;
  }
}
