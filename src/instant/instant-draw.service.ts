import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../core/config/config.module.js';
import { databaseNameOf, type AppConfig } from '../core/config/config.schema.js';
import { ARTIFACT_STORE, type ArtifactStore } from '../core/artifacts/artifact-store.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { instantPoolsOf, poolForAmount, type CampaignDefinition, type InstantPool } from '../campaigns/campaign-definition.js';
import { Clock } from '../core/clock/clock.js';
import { violatedUniqueIndex } from '../core/errors/unique-violation.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import {
  buildInstantCommitment,
  drawInstantEntry,
  initialBudgets,
  publishInstantDay,
  type BudgetReturn,
  type InstantBand,
  type InstantDayRules,
} from '../draws/algorithm/index.js';
import { InvoiceReadRepository, type InstantFacts } from '../invoices/invoice-read.repository.js';
import { InstantPrizes, type InstantWin } from '../prizes/instant-prizes.js';
import {
  acceptsEntries,
  daysToCommit,
  instantDayId,
  instantDayTimes,
  instantDueStep,
  isInstantDayOfCampaign,
  INSTANT_DAY_STEPS,
  type InstantDayStep,
} from './instant-day-state-machine.js';
import { InstantDaysRepository, rulesOf, type InstantDayRow, type InstantEntryRow } from './instant-days.repository.js';
import { instantArtifactKeys, INSTANT_COMMITMENT_TYPE, INSTANT_BUNDLE_TYPE, INSTANT_LOG_TYPE } from './instant-artifacts.js';
import { entryResult, type InstantEntryResult } from './instant-result.js';
import { InstantSecrets } from './instant-secrets.js';

/** The published day's data disagree with what was drawn: nothing is published; an operator must look. */
export class InstantDayIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstantDayIntegrityError';
  }
}

/** The ILI-1 bands of a campaign's instant pools, for a day's rules (the pool id is the band id). */
export function bandsOfCampaign(campaign: CampaignDefinition): InstantBand[] {
  return instantPoolsOf(campaign).map((p) => ({
    band: p.id,
    tiers: p.tiers.map((t) => ({ tier: t.tier, name: t.name, prizeCents: t.prizeCents, odds: t.odds, budget: t.dailyBudget })),
  }));
}

/** At most this many registrations are drawn in one transaction of a day. */
const MAX_BATCH = 200;

interface PendingEntry {
  invoiceId: number;
  facts: InstantFacts;
  campaign: CampaignDefinition;
  pool: InstantPool;
  resolve: (result: InstantEntryResult) => void;
  reject: (error: unknown) => void;
}

interface DayQueue {
  pending: PendingEntry[];
  running: boolean;
}

export interface InstantTickResult {
  committed: string[];
  steps: Array<{ dayId: string; step: InstantDayStep }>;
}

/**
 * Worker only: the instant-draw days and their entries. It alone holds the day secrets (InstantSecrets).
 *
 * - `commitDue`/`commitDay`: before a day opens, fixes its rules — the campaign's instant bands with their
 *   daily budgets, plus the prizes revoked since the last commitment (budget returns) — and the hash of its
 *   secret, in one transaction with the returns it takes (a revoked prize is returned once: primary key);
 *   then writes the commitment to the artifact store.
 * - `advance`: the day's steps as the state machine finds them due (open, close, publish).
 * - `drawEntries`: registrations' outcomes: under the day row's lock, the next position, ILI-1 with the
 *   budgets left, the log line, the budgets and (for a win) the prize through the prizes module, in one
 *   transaction shared by the registrations of that day waiting at the same moment (a batch). Idempotent
 *   per registration (a unique key on the invoice: a retried job or a repeated request answers the same line).
 * - publication: the log and the day bundle (secret revealed) written as immutable artifacts, after the
 *   stored outcomes are recomputed from the secret and found equal.
 */
@Injectable()
export class InstantDrawService {
  private readonly logger = new Logger('InstantDraws');
  private readonly namespace: string;
  /** Days known to have a row (committed or later), so a draw does not look again. */
  private readonly knownDays = new Set<string>();
  /** Per day: the registrations waiting for the next batch of this process. */
  private readonly batches = new Map<string, DayQueue>();

  constructor(
    private readonly repo: InstantDaysRepository,
    private readonly secrets: InstantSecrets,
    private readonly catalog: CampaignCatalog,
    private readonly invoices: InvoiceReadRepository,
    private readonly prizes: InstantPrizes,
    private readonly clock: Clock,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.namespace = databaseNameOf(config.DATABASE_URL);
  }

  get instantCampaigns(): CampaignDefinition[] {
    return this.catalog.campaigns.filter((c) => instantPoolsOf(c).length > 0);
  }

  /** What is due at `now` for every instant campaign: commitments, then each unpublished day's steps. Idempotent. */
  async runDue(now: Date = this.clock.now()): Promise<InstantTickResult> {
    const result: InstantTickResult = { committed: [], steps: [] };
    if (!this.secrets.available) return result;
    for (const campaign of this.instantCampaigns) {
      const today = shanghaiDate(now);
      const candidates = daysToCommit(campaign, now, new Set());
      const done = await this.repo.committedDates(campaign.id, candidates.length ? candidates : [today]);
      for (const date of daysToCommit(campaign, now, done)) {
        if (await this.commitDay(campaign, date, now)) result.committed.push(instantDayId(campaign.id, date));
      }
    }
    for (const dayId of await this.repo.unpublishedDayIds()) {
      for (const step of await this.advance(dayId, now)) result.steps.push({ dayId, step });
    }
    return result;
  }

  /**
   * Commits a day (true when this call did). Takes every revoked instant prize of the campaign not yet
   * returned whose band and tier the day has. Idempotent: an existing day is left as it is.
   */
  async commitDay(campaign: CampaignDefinition, date: string, now: Date): Promise<boolean> {
    const dayId = instantDayId(campaign.id, date);
    if (await this.repo.day(dayId)) return false;
    const bands = bandsOfCampaign(campaign);
    const secret = this.secrets.secretOf(dayId);
    const revoked = (await this.prizes.revokedInstantPrizes(campaign.id, now)).filter((p) => p.dayId !== dayId);
    const times = instantDayTimes(date);
    let committed = false;
    try {
      await this.repo.dataSource.transaction(async (em) => {
        const taken = await this.repo.returnedPositions(em, [...new Set(revoked.map((p) => p.dayId))]);
        const open = revoked.filter((p) => !taken.has(`${p.dayId}#${p.position}`));
        const bandOf = await this.repo.bandsOf(em, open);
        const returns: Array<BudgetReturn & { prizeId: number }> = [];
        for (const p of open) {
          const band = bandOf.get(`${p.dayId}#${p.position}`);
          // A prize whose band or tier this day does not have (the campaign's rules changed) is not returned.
          if (!band || !bands.some((b) => b.band === band && b.tiers.some((t) => t.tier === p.tier))) continue;
          returns.push({ dayId: p.dayId, position: p.position, ref: p.ref, band, tier: p.tier, prizeId: p.prizeId });
        }
        returns.sort((a, b) => (a.dayId < b.dayId ? -1 : a.dayId > b.dayId ? 1 : a.position - b.position));
        const rules: InstantDayRules = { dayId, bands, returns: returns.map(({ prizeId: _, ...r }) => r) };
        const commitment = buildInstantCommitment(rules, secret);
        await this.repo.insertDay(em, { id: dayId, campaignId: campaign.id, day: date, opensAt: times.opensAt, closesAt: times.closesAt, commitment, budgetsLeft: initialBudgets(rules), now });
        await this.repo.insertReturns(em, dayId, returns);
        committed = true;
      });
    } catch (error) {
      // Another worker committed this day (or took one of its returns) first: theirs stands.
      if (violatedUniqueIndex(error) !== null) return false;
      throw error;
    }
    if (committed) {
      await this.writeCommitment(dayId).catch((error: Error) => this.logger.warn(`commitment artifact of ${dayId}: ${error.message} (written on its first download)`));
      this.logger.log(`Instant day ${dayId} committed`);
    }
    return committed;
  }

  /** Writes the commitment artifact from the day's row (idempotent: the store keeps the first copy). */
  async writeCommitment(dayId: string): Promise<void> {
    const day = await this.repo.day(dayId);
    if (!day) return;
    await this.store.putOnce(instantArtifactKeys(this.namespace, dayId).commitment, [JSON.stringify(day.commitment, null, 2) + '\n'], {
      contentType: INSTANT_COMMITMENT_TYPE,
    });
  }

  /** Runs the steps due for a day at `now`, in order, each under the day row's lock; returns the steps taken. */
  async advance(dayId: string, now: Date): Promise<InstantDayStep[]> {
    const taken: InstantDayStep[] = [];
    for (let i = 0; i < 4; i++) {
      const day = await this.repo.day(dayId);
      if (!day) break;
      const due = instantDueStep(day, now);
      if (due.step === null) break;
      if (due.step === 'publish') {
        if (await this.publish(day, now)) taken.push('publish');
        break;
      }
      const { from, to } = INSTANT_DAY_STEPS[due.step];
      const moved = await this.repo.dataSource.transaction(async (em) => {
        const locked = await this.repo.day(dayId, em, true);
        if (!locked || locked.status !== from || instantDueStep(locked, now).step !== due.step) return false;
        return this.repo.transition(em, dayId, from, to, now);
      });
      if (!moved) break;
      taken.push(due.step);
    }
    return taken;
  }

  /** Publishes a closed day: recomputes every outcome from the secret, writes log and bundle, then marks it published. */
  private async publish(day: InstantDayRow, now: Date): Promise<boolean> {
    const entries = await this.repo.entries(day.id);
    const secret = this.secrets.secretOf(day.id);
    const { bundle, log } = publishInstantDay({ campaignId: day.campaignId, rules: rulesOf(day.commitment), secret, entries });
    if (bundle.secretHash !== day.secretHash) throw new InstantDayIntegrityError(`${day.id}: the secret does not hash to the committed secretHash (INSTANT_SECRET_KEY changed?)`);
    const lines = log.split('\n').slice(1, -1);
    for (const [i, e] of entries.entries()) {
      const outcome = Number(lines[i].split(',')[3]);
      if (e.position !== i + 1 || outcome !== e.outcome)
        throw new InstantDayIntegrityError(`${day.id} position ${e.position}: stored outcome ${e.outcome}, recomputed ${outcome}`);
    }
    const keys = instantArtifactKeys(this.namespace, day.id);
    await this.store.putOnce(keys.commitment, [JSON.stringify(day.commitment, null, 2) + '\n'], { contentType: INSTANT_COMMITMENT_TYPE });
    await this.store.putOnce(keys.log, [log], { contentType: INSTANT_LOG_TYPE, expectSha256: bundle.logDigest, precompress: true, meta: { entryCount: String(entries.length) } });
    await this.store.putOnce(keys.bundle, [JSON.stringify(bundle, null, 2) + '\n'], { contentType: INSTANT_BUNDLE_TYPE, precompress: true });
    const published = await this.repo.dataSource.transaction((em) => this.repo.markPublished(em, day.id, secret, bundle.logDigest, now));
    if (published) this.logger.log(`Instant day ${day.id} published: ${entries.length} entries`);
    return published;
  }

  /**
   * The instant outcomes of registrations (the `draw-entries` job), in the order given. Idempotent: a
   * registration's existing log line is answered as it is; a registration is drawn at most once (unique key
   * on the invoice, and the check under the day's lock). The registrations' facts and earlier lines are read
   * in one query each; the draws join their day's batch (see drawBatch).
   */
  async drawEntries(invoiceIds: number[], now: Date = this.clock.now()): Promise<InstantEntryResult[]> {
    const [existing, facts] = await Promise.all([this.repo.entriesOfInvoices(invoiceIds), this.invoices.instantFacts(invoiceIds)]);
    return Promise.all(invoiceIds.map((id) => this.drawOne(id, existing.get(id) ?? null, facts.get(id) ?? null, now)));
  }

  /** One registration's outcome, from what drawEntries read. */
  async drawEntry(invoiceId: number, now: Date = this.clock.now()): Promise<InstantEntryResult> {
    return (await this.drawEntries([invoiceId], now))[0];
  }

  private async drawOne(invoiceId: number, existing: InstantEntryRow | null, facts: InstantFacts | null, now: Date): Promise<InstantEntryResult> {
    if (existing) return this.resultOf(existing);
    if (!facts) return { status: 'not-entered', reason: 'REGISTRATION_NOT_FOUND' };
    if (facts.status === 'rejected') return { status: 'not-entered', reason: 'REGISTRATION_REJECTED' };
    const campaign = this.catalog.get(facts.campaignId);
    const pool = campaign ? poolForAmount(campaign, 'instant', facts.amountCents) : null;
    if (!campaign || !pool) return { status: 'not-entered', reason: 'NOT_IN_INSTANT_BAND' };
    const date = shanghaiDate(facts.registeredAt);
    if (!isInstantDayOfCampaign(campaign, date)) return { status: 'not-entered', reason: 'OUTSIDE_INSTANT_DAYS' };
    const dayId = instantDayId(campaign.id, date);
    if (!this.knownDays.has(dayId)) {
      // A day not committed yet (the tick has not run since the clock reached it): committed now, before its
      // first entry, as the spec allows; never once it has closed.
      if (!(await this.repo.day(dayId)) && now.getTime() < instantDayTimes(date).closesAt.getTime()) await this.commitDay(campaign, date, now);
      if (await this.repo.day(dayId)) this.knownDays.add(dayId);
    }
    try {
      return await this.joinBatch(dayId, { invoiceId, facts, campaign, pool });
    } catch (error) {
      // The same registration drawn by a concurrent job of another worker: answer its line.
      if (violatedUniqueIndex(error) === 'UQ_instant_entries_invoice') {
        const line = await this.repo.entryOfInvoice(invoiceId);
        if (line) return this.resultOf(line);
      }
      throw error;
    }
  }

  private joinBatch(dayId: string, entry: Omit<PendingEntry, 'resolve' | 'reject'>): Promise<InstantEntryResult> {
    return new Promise((resolve, reject) => {
      let queue = this.batches.get(dayId);
      if (!queue) {
        queue = { pending: [], running: false };
        this.batches.set(dayId, queue);
      }
      queue.pending.push({ ...entry, resolve, reject });
      if (!queue.running) void this.drain(dayId, queue);
    });
  }

  /** Runs the day's waiting entries in batches, one transaction each, until none wait (one drain per day and process). */
  private async drain(dayId: string, queue: DayQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.pending.length > 0) {
        const batch = queue.pending.splice(0, MAX_BATCH);
        try {
          const results = await this.drawBatch(dayId, batch);
          batch.forEach((e, i) => e.resolve(results[i]));
        } catch (error) {
          // Nothing of the batch was written: each job retries on its own.
          batch.forEach((e) => e.reject(error));
        }
      }
    } finally {
      queue.running = false;
      this.batches.delete(dayId);
    }
  }

  /**
   * Draws a batch of a day's registrations in arrival order, in ONE transaction under the day row's lock:
   * the registrations (or refs) already in the day are answered from the log, the others get the next
   * positions, their ILI-1 outcomes with the budgets left, their log lines (one INSERT), the day's count and
   * budgets (one UPDATE) and the prizes of the wins (through the prizes module). Batching is what keeps the
   * day's lock short per registration: the lines of a busy second share one lock, one round of statements
   * and one commit. Positions stay exactly the order in which the day's lock granted them.
   */
  private async drawBatch(dayId: string, batch: PendingEntry[]): Promise<InstantEntryResult[]> {
    const secret = this.secrets.secretOf(dayId);
    return this.repo.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const day = await this.repo.day(dayId, em, true);
      if (!day) return batch.map(() => ({ status: 'not-entered', reason: 'INSTANT_DAY_CLOSED' }) as const);
      const known = await this.repo.existingInDay(em, dayId, batch.map((e) => e.invoiceId), batch.map((e) => e.facts.ref));
      const byInvoice = new Map(known.map((e) => [e.invoiceId, e]));
      const refs = new Set(known.filter((e) => e.dayId === dayId).map((e) => e.ref));
      const budgetsLeft = day.budgetsLeft;
      let position = day.entryCount;
      const lines: InstantEntryRow[] = [];
      const wins: InstantWin[] = [];
      const results: InstantEntryResult[] = [];
      for (const e of batch) {
        const line = byInvoice.get(e.invoiceId);
        if (line) {
          results.push(this.resultOf(line));
          continue;
        }
        if (!acceptsEntries(day, e.facts.registeredAt)) {
          results.push({ status: 'not-entered', reason: 'INSTANT_DAY_CLOSED' });
          continue;
        }
        if (refs.has(e.facts.ref)) {
          results.push({ status: 'not-entered', reason: 'ALREADY_DRAWN_TODAY' });
          continue;
        }
        const band = day.commitment.bands.find((b) => b.band === e.pool.id);
        if (!band) {
          results.push({ status: 'not-entered', reason: 'NOT_IN_INSTANT_BAND' });
          continue;
        }
        position += 1;
        const o = drawInstantEntry(dayId, secret, position, e.facts.ref, band, budgetsLeft[band.band]);
        const tier = band.tiers.find((t) => t.tier === o.outcome);
        const entry: InstantEntryRow = {
          dayId,
          position,
          invoiceId: e.invoiceId,
          consumerId: e.facts.consumerId,
          ref: e.facts.ref,
          band: band.band,
          drawnTier: o.drawnTier,
          outcome: o.outcome,
          prizeCents: tier?.prizeCents ?? 0,
          createdAt: now,
        };
        lines.push(entry);
        refs.add(e.facts.ref);
        byInvoice.set(e.invoiceId, entry);
        if (tier) {
          wins.push({
            dayId,
            position,
            tier: tier.tier,
            tierName: tier.name,
            prizeCents: tier.prizeCents,
            consumerId: e.facts.consumerId,
            invoiceId: e.invoiceId,
            ref: e.facts.ref,
            now,
            paymentDelayDays: e.pool.paymentDelayDays,
            claimWindowDays: e.campaign.claimWindowDays,
          });
        }
        results.push(this.resultOf(entry));
      }
      if (lines.length > 0) {
        if (day.status === 'committed') await this.repo.transition(em, dayId, 'committed', 'open', now);
        await this.repo.appendEntries(em, dayId, lines, position, budgetsLeft);
        await this.prizes.award(em, wins);
      }
      return results;
    });
  }

  private resultOf(e: InstantEntryRow): InstantEntryResult {
    return entryResult(e, this.catalog.campaigns);
  }
}
