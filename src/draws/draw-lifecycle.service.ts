import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { escape as escapeSql } from 'mysql2';
import { DataSource, IsNull, type EntityManager, type QueryRunner } from 'typeorm';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import type { CampaignDefinition } from '../campaigns/campaign-definition.js';
import { CampaignRecord } from '../campaigns/campaign.entity.js';
import { periodsOf } from '../campaigns/periods.js';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { QueueName } from '../core/queue/queue-names.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { QueueService } from '../core/queue/queue.service.js';
import { Notification } from '../notifications/notification.entity.js';
import { incidentalIncomeTax } from '../prizes/prize.entity.js';
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
import { DrawAuditService } from './draw-audit.service.js';
import { Draw, type DrawPhase } from './draw.entity.js';

export type DrawProgress = { phase: string; processed: number; total: number };
type OnProgress = (progress: DrawProgress) => Promise<void> | void;

/** A draw's stored data disagrees with its own commitment: never retried, an operator must look. */
export class DrawIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrawIntegrityError';
  }
}

/** The draw's beacon is no longer the one a result was computed with (a request was approved meanwhile). */
class BeaconChanged {
  constructor(readonly beacon: string | null) {}
}

/** Another process holds the draw's lifecycle lock right now; retry later. */
export class DrawBusyError extends Error {
  constructor(drawId: string) {
    super(`Draw ${drawId} is being processed by another worker`);
    this.name = 'DrawBusyError';
  }
}

const READ_BATCH = 10_000;
/** The entries of a read batch are written with one multi-row INSERT (about 2 MB, far below max_allowed_packet). */
const INSERT_ENTRIES = 'INSERT INTO draw_entries (draw_id, position, ref, holder, tickets, invoice_id, consumer_id, paid_cents) VALUES ';
/**
 * One batch of the freeze's read: a period's verified registrations after a ref, in ref order, from the
 * covering index IX_invoices_period_cover alone (migration 1700000005000). FORCE INDEX: without it MariaDB
 * plans this as `ref` access on the first three columns with `ref > ?` as a mere index condition, so every
 * batch would walk the period from its start (quadratic); forced, it is a `range` on all four.
 */
export const FREEZE_READ_SQL = `SELECT id, consumer_id, ref, paid_cents FROM invoices FORCE INDEX (IX_invoices_period_cover)
  WHERE campaign_id = ? AND period_key = ? AND status = 'verified' AND ref > ? ORDER BY ref LIMIT ${READ_BATCH}`;
const SYSTEM = 'system';

type FreezeRow = { id: number | string; consumer_id: number | string; ref: string; paid_cents: number | string };

/** A database id as an SQL literal (ids here are safe integers; anything else is refused, never inlined). */
function sqlId(value: number | string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 0) throw new DrawIntegrityError(`Unexpected id ${String(value)}`);
  return id;
}

export const drawIdFor = (campaignId: string, periodKey: string) => `${campaignId}-${periodKey}`;

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
    private readonly artifacts: DrawArtifactsService,
  ) {}

  /**
   * Records the campaign and schedules one draw per period. Idempotent: existing draws are left as they
   * are (their tiers and times were fixed when first scheduled); the campaign's stored definition follows
   * the file.
   */
  async ensureCampaign(campaign: CampaignDefinition): Promise<void> {
    const now = this.clock.now();
    const definition = JSON.stringify(campaign);
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(CampaignRecord)
      .values({
        id: campaign.id,
        name: campaign.name,
        definition,
        definitionHash: createHash('sha256').update(definition).digest('hex'),
        loadedAt: now,
        endedAt: null,
      })
      .orUpdate(['name', 'definition', 'definition_hash'], ['id'])
      .execute();
    const draws = periodsOf(campaign).map((p) => ({
      id: drawIdFor(campaign.id, p.key),
      campaignId: campaign.id,
      periodKey: p.key,
      periodStart: p.startDate,
      periodEnd: p.endDate,
      freezeAt: p.freezeAt,
      drawAt: p.drawAt,
      status: 'scheduled' as const,
      tiers: campaign.tiers.map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })),
      winLimitPerHolder: campaign.winLimitPerHolder,
      alternateCount: campaign.alternateCount,
      ticketUnitCents: campaign.tickets.unitCents,
      ticketCap: campaign.tickets.cap,
      createdAt: now,
      updatedAt: now,
    }));
    await this.dataSource.createQueryBuilder().insert().into(Draw).values(draws).orIgnore().execute();
  }

  /**
   * Freeze: from one consistent snapshot of the period's verified registrations, writes the entries in
   * canonical order, computes the digest, generates and seals the secret and publishes the commitment.
   * Pending registrations of the period leave the draw and their owners are told. Idempotent: a no-op
   * unless the draw is `scheduled`; entries left by a freeze cut off half-way are removed and rebuilt.
   */
  async freezeDraw(drawId: string, onProgress?: OnProgress): Promise<Draw> {
    const frozen = await this.withDrawLock(drawId, async (runner) => {
      const draw = await this.load(drawId);
      if (draw.status !== 'scheduled') return draw;
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
        const [{ total }] = await snapshot.query(
          `SELECT COUNT(*) AS total FROM invoices WHERE campaign_id = ? AND period_key = ? AND status = 'verified'`,
          [draw.campaignId, draw.periodKey],
        );
        const expected = Number(total);
        // Keyset batches in ref order from the covering index (see FREEZE_READ_SQL).
        const readAfter = (lastRef: string): Promise<FreezeRow[]> => snapshot.query(FREEZE_READ_SQL, [draw.campaignId, draw.periodKey, lastRef]);
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
      return this.commitTransition(runner, drawId, 'scheduled', async (em) => {
        await em.update(
          Draw,
          { id: drawId, status: 'scheduled' },
          { ...commitment, status: 'frozen', secretEncrypted: this.pii.encrypt(secret), frozenAt: now, progress: null, updatedAt: now },
        );
        const missed = await this.excludePendingRegistrations(em, draw, now);
        await this.audit.append(drawId, SYSTEM, 'frozen', { ...commitment, pendingExcluded: missed }, em);
      });
    });
    this.artifacts.afterFreeze(drawId, () => this.entriesCsv(drawId)); // written in the background
    return frozen;
  }

  /**
   * Draw: reveals the secret, re-reads the committed entries (checking them against the commitment), runs
   * ILD-1 with the stored beacon, and stores winners, alternates and the audit bundle. The result is committed
   * only while the stored beacon is still the one it was computed with (checked under the draws row lock, the
   * one an approval takes to set it); otherwise it is drawn again with the new beacon. Idempotent: a no-op
   * unless `frozen`; the result depends only on committed data, so a retried draw has the same winners.
   */
  async runDraw(drawId: string, onProgress?: OnProgress): Promise<Draw> {
    return this.withDrawLock(drawId, async (runner) => {
      const draw = await this.load(drawId, true);
      if (draw.status !== 'frozen') return draw;
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
        const outcome = await this.drawAndCommit(runner, draw, { entriesDigest, entryCount, totalTickets, secret }, table, beacon, onProgress);
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
    onProgress?: OnProgress,
  ): Promise<Draw | BeaconChanged> {
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
    const after = await this.commitTransition(runner, drawId, 'frozen', async (em, lockedBeacon) => {
      if (lockedBeacon !== beacon) {
        changed = new BeaconChanged(lockedBeacon);
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
      await this.audit.append(drawId, SYSTEM, 'drawn', { seed, beacon: beacon ?? '', winners: result.winners.length, alternates: result.alternates.length }, em);
      return true;
    });
    return changed ?? after;
  }

  /**
   * Publish: winners become visible; one prize per winner (claim window from now) and a notice to each
   * winner; after the campaign's last draw the campaign ends. Idempotent: a no-op unless `drawn`; the
   * notification job is added with a deterministic id.
   */
  async publishDraw(drawId: string): Promise<Draw> {
    const published = await this.withDrawLock(drawId, async (runner) => {
      const draw = await this.load(drawId);
      if (draw.status !== 'drawn') return draw;
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
      const tierOf = new Map(draw.tiers.map((t) => [t.tier, t]));
      return this.commitTransition(runner, drawId, 'drawn', async (em) => {
        await em.update(Draw, { id: drawId, status: 'drawn' }, { status: 'published', publishedAt: now, updatedAt: now });
        const prizes: unknown[] = [];
        const notices: Partial<Notification>[] = [];
        for (const w of winners) {
          const tier = tierOf.get(Number(w.tier));
          if (!tier) throw new DrawIntegrityError(`Draw ${drawId}: winner of unknown tier ${w.tier}`);
          const { taxCents, netCents } = incidentalIncomeTax(tier.prizeCents);
          prizes.push(drawId, w.tier, tier.name, w.slot, 0, w.pick_index, null, w.consumer_id, w.invoice_id, w.ref);
          prizes.push(tier.prizeCents, taxCents, netCents, 'awaiting_claim', deadline, now);
          notices.push({
            consumerId: Number(w.consumer_id),
            kind: 'prize-won',
            title: `恭喜中奖：${tier.name}`,
            body: `您登记的发票在 ${draw.periodKey} 期抽奖中获得${tier.name}（¥${(tier.prizeCents / 100).toFixed(2)}），请在 ${shanghaiDate(deadline)} 前领取。`,
            dedupeKey: `prize-won:${drawId}:${w.tier}:${w.slot}`,
            createdAt: now,
            readAt: null,
          });
        }
        await this.insertRows(
          em.queryRunner as QueryRunner,
          'prizes (draw_id, tier, tier_name, slot, attempt, pick_index, alternate_rank, consumer_id, invoice_id, ref, gross_cents, tax_cents, net_cents, status, claim_deadline, created_at)',
          16,
          prizes,
        );
        if (notices.length) await em.createQueryBuilder().insert().into(Notification).values(notices).orIgnore().execute();
        await this.audit.append(drawId, SYSTEM, 'published', { prizes: winners.length, claimDeadline: deadline.toISOString() }, em);
        const [{ open }] = await em.query(`SELECT COUNT(*) AS open FROM draws WHERE campaign_id = ? AND status <> 'published'`, [draw.campaignId]);
        if (Number(open) === 0) await em.update(CampaignRecord, { id: draw.campaignId, endedAt: IsNull() }, { endedAt: now });
      });
    });
    if (published.status === 'published') await this.announce(drawId);
    this.artifacts.afterPublication(drawId, () => this.entriesCsv(drawId));
    return published;
  }

  /** Marks the draw failed in a phase with a reason an operator can read. Idempotent. */
  async markFailed(drawId: string, phase: DrawPhase, reason: string): Promise<void> {
    const before = { freeze: 'scheduled', draw: 'frozen', publish: 'drawn' } as const;
    const now = this.clock.now();
    const result = await this.dataSource
      .getRepository(Draw)
      .update({ id: drawId, status: before[phase] }, { status: 'failed', failedPhase: phase, failureReason: reason.slice(0, 1000), progress: null, updatedAt: now });
    if (result.affected) await this.audit.append(drawId, SYSTEM, 'failed', { phase, reason: reason.slice(0, 500) });
  }

  /** Returns a failed draw to the status before its failed phase so the next tick runs it again. Idempotent. */
  async retryFailed(drawId: string): Promise<Draw> {
    const draw = await this.load(drawId);
    if (draw.status !== 'failed' || !draw.failedPhase) return draw;
    const before = { freeze: 'scheduled', draw: 'frozen', publish: 'drawn' } as const;
    await this.dataSource
      .getRepository(Draw)
      .update({ id: drawId, status: 'failed' }, { status: before[draw.failedPhase], failedPhase: null, failureReason: null, updatedAt: this.clock.now() });
    return this.load(drawId);
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
      await this.queues.add(QueueName.notifications, 'draw-published', { drawId }, { jobId: `draw-published-${drawId}` });
    } catch (error) {
      // The notices are in the database already; the SMS job is re-added by the next publish call or tick.
      this.logger.warn(`Could not queue the SMS notices of ${drawId}: ${(error as Error).message}`);
    }
  }

  private async excludePendingRegistrations(em: EntityManager, draw: Draw, now: Date): Promise<number> {
    const pending: Array<{ id: string; consumer_id: string }> = await em.query(
      `SELECT id, consumer_id FROM invoices WHERE campaign_id = ? AND period_key = ? AND status = 'pending' FOR UPDATE`,
      [draw.campaignId, draw.periodKey],
    );
    if (pending.length === 0) return 0;
    await em.query(
      `UPDATE invoices SET status = 'rejected', status_reason = 'NOT_VERIFIED_BEFORE_FREEZE'
        WHERE campaign_id = ? AND period_key = ? AND status = 'pending'`,
      [draw.campaignId, draw.periodKey],
    );
    const notices = pending.map((p) => ({
      consumerId: Number(p.consumer_id),
      kind: 'invoice-missed-draw',
      title: '发票未能参加本期抽奖',
      body: `您登记的一张发票在 ${draw.periodKey} 期抽奖截止前仍未通过税务核验，未能参加本期抽奖。`,
      dedupeKey: `missed-draw:${p.id}`,
      createdAt: now,
      readAt: null,
    }));
    for (let i = 0; i < notices.length; i += 1000)
      await em.createQueryBuilder().insert().into(Notification).values(notices.slice(i, i + 1000)).orIgnore().execute();
    return pending.length;
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

  /**
   * Runs `work` in a transaction on `runner` that must move the draw out of `from`, with the draws row locked
   * (`work` gets the locked row's beacon; returning false rolls the transaction back); reloads the draw.
   */
  private async commitTransition(
    runner: QueryRunner,
    drawId: string,
    from: string,
    work: (em: EntityManager, lockedBeacon: string | null) => Promise<boolean | void>,
  ): Promise<Draw> {
    await runner.startTransaction();
    try {
      const [row] = await runner.query(`SELECT status, beacon FROM draws WHERE id = ? FOR UPDATE`, [drawId]);
      if (row?.status !== from) {
        await runner.rollbackTransaction();
        return this.load(drawId);
      }
      if ((await work(runner.manager, row.beacon ?? null)) === false) await runner.rollbackTransaction();
      else await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
    return this.load(drawId);
  }

  /** Serializes every lifecycle step of one draw across workers with a MySQL named lock on a dedicated connection. */
  private async withDrawLock<T>(drawId: string, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
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

  private async load(drawId: string, withSecret = false): Promise<Draw> {
    const qb = this.dataSource.getRepository(Draw).createQueryBuilder('d').where('d.id = :drawId', { drawId });
    if (withSecret) qb.addSelect('d.secretEncrypted');
    const draw = await qb.getOne();
    if (!draw) throw new DrawIntegrityError(`No draw ${drawId}`);
    return draw;
  }

  private async campaignDefinition(campaignId: string): Promise<CampaignDefinition> {
    const fromCatalog = this.catalog.get(campaignId);
    if (fromCatalog) return fromCatalog;
    const record = await this.dataSource.getRepository(CampaignRecord).findOneBy({ id: campaignId });
    if (!record) throw new DrawIntegrityError(`No campaign ${campaignId}`);
    return JSON.parse(record.definition) as CampaignDefinition;
  }
}
