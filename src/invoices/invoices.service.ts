import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { periodicPoolsOf, SINGLE_POOL_ID, type CampaignDefinition } from '../campaigns/campaign-definition.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import type { DrawPeriod } from '../campaigns/periods.js';
import { ticketsFor } from '../campaigns/tickets.js';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { executePrepared } from '../core/database/prepared-statement.js';
import { violatedUniqueIndex } from '../core/errors/unique-violation.js';
import { shanghaiDate, shanghaiMonth } from '../core/time/shanghai.js';
import { invoiceRef } from '../draws/algorithm/index.js';
import { InstantOutcomes } from '../instant/instant-outcomes.js';
import type { InstantAnswer } from '../instant/instant-result.js';
import { matchClaimAgainstRecord, type MatchResult } from '../registry/domain/match.js';
import type { RegistryRecord } from '../registry/domain/registry-record.js';
import { checkEligibility } from './domain/eligibility.js';
import { InvoiceFileReader } from './files/invoice-file-reader.js';
import { claimFromFileBody } from './files/registration-file.js';
import type { InvoiceClaim } from './domain/invoice-fields.js';
import { parseInvoiceQr } from './domain/qr.js';
import { parseTypedInvoice } from './domain/typed-invoice.js';
import { Invoice } from './invoice.entity.js';
import { RegistrationLimiter } from './registration-limits.js';
import { RegistrationStateReader, type PeriodDraw, type PeriodKey, type RegistrationState } from './registration-state.reader.js';

export interface RegistrationResult {
  id: number;
  status: 'verified' | 'pending' | 'revoked';
  tickets: number;
  reason?: string;
  /** Campaigns with instant pools, an amount in an instant band: the instant draw's outcome (or `pending`). */
  instant?: InstantAnswer;
}

/** A registration's answer, and whether this call created it (201) or found the consumer's own earlier one (200). */
export interface RegistrationOutcome {
  registration: RegistrationResult;
  created: boolean;
}

/** Why a registration is not (yet) in a draw, shown to the consumer. */
export const PENDING_REASON = 'AWAITING_REGISTRY_RECORD';

/** Turns the registry's verdict on a claim into the 422 the consumer sees, or null when it matched. */
export function matchRejection(match: MatchResult): DomainError | null {
  if (match.result === 'mismatch')
    return DomainError.unprocessable('INVOICE_MISMATCH', `The invoice's ${match.field} does not match the tax bureau's record`, {
      field: match.field,
    });
  if (match.result === 'excluded')
    return DomainError.unprocessable('INVOICE_EXCLUDED', `This invoice is excluded from the lottery (${match.flag})`, { flag: match.flag });
  return null;
}

/** Parses a registration body: `{ qr }` or the typed fields. */
export function parseRegistrationBody(body: unknown): InvoiceClaim {
  if (body !== null && typeof body === 'object' && 'qr' in body && Object.keys(body).length === 1) {
    const parsed = parseInvoiceQr((body as { qr: unknown }).qr);
    if (!parsed.ok) throw DomainError.badRequest(parsed.code, parsed.message, { field: parsed.field });
    return parsed.claim;
  }
  const parsed = parseTypedInvoice(body);
  if (!parsed.ok) throw DomainError.badRequest(parsed.code, parsed.message, { field: parsed.field });
  return parsed.claim;
}

@Injectable()
export class InvoicesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Invoice) private readonly invoices: Repository<Invoice>,
    private readonly campaigns: CampaignCatalog,
    private readonly clock: Clock,
    private readonly limits: RegistrationLimiter,
    private readonly states: RegistrationStateReader,
    private readonly files: InvoiceFileReader,
    private readonly instant: InstantOutcomes,
  ) {}

  /**
   * Registers one invoice for a consumer. Idempotent for its consumer: sending an invoice they already hold
   * again (a retry after a timeout or a 503) answers that registration (`created: false`, HTTP 200), also when
   * the two race. An invoice (code + number) is held by one live registration, by anyone; another consumer gets
   * 409 INVOICE_ALREADY_REGISTERED (a unique key, so it holds under concurrency) until that registration is
   * rejected by the tax bureau's record, which releases the invoice. The daily and monthly limits (and the campaign limit, intake.campaignLimit) hold under concurrent
   * requests too: each registration takes a free numbered slot of its consumer's day and month (and campaign)
   * under unique keys (see the RegistrationSlots and PeriodPools migrations), and one that loses a slot to a
   * concurrent registration re-reads and decides again.
   * Rejected attempts store nothing and take no slot. Attempts are rate-limited per consumer (429
   * RATE_LIMITED), and one the registry contradicts costs more (see RegistrationLimiter).
   *
   * Two statements on the happy path, no transaction: one read of everything the rules need (shared with
   * registrations arriving at the same time, see RegistrationStateReader), one INSERT.
   */
  async register(consumerId: number, body: unknown): Promise<RegistrationOutcome> {
    // The rate limit (Redis) and the first read (database) go out together; a refusal still wins over any
    // other answer, and nothing is written before both are back.
    const limited = this.limits.attempt(consumerId);
    limited.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
    let claim: InvoiceClaim;
    try {
      // An e-invoice file ({ file }) is read into the same claim as a QR scan or the typed fields.
      claim = (await claimFromFileBody(body, (bytes) => this.files.read(bytes), limited)) ?? parseRegistrationBody(body);
    } catch (error) {
      await limited;
      throw error;
    }
    const now = this.clock.now();
    const today = shanghaiDate(now);
    const month = shanghaiMonth(now);
    const { campaign, period } = this.campaignFor(claim.issueDate);
    const rules = campaign.intake;
    const periodKey = periodKeyOf(campaign, period);

    for (let attempt = 1; ; attempt++) {
      const reading = this.states.read(consumerId, claim, today, month, periodKey);
      const [, state] = await Promise.all([attempt === 1 ? limited : undefined, reading]);
      if (!state) throw DomainError.unauthorized('TOKEN_INVALID', 'The consumer account no longer exists');
      if (state.holder?.consumerId === consumerId) return { registration: await this.withInstant(campaign, claim.amountCents, await this.existing(state.holder.id)), created: false };
      if (state.alreadyRegistered) throw this.alreadyRegistered();

      const { daySlot, monthSlot, campaignSlot, counted } = limitSlots(state, rules, true);
      const rejection = checkEligibility(
        claim,
        { ...rules, campaignStart: campaign.startDate, campaignEnd: campaign.endDate },
        { today, identityVerified: state.identityVerified, periodClosed: period !== null && isPeriodClosed(period, state.draw, now), ...counted },
      );
      if (rejection) throw DomainError.unprocessable(rejection.code, rejection.message);

      const match = state.record ? matchClaimAgainstRecord(claim, state.record, state.realName, rules, state.idNumberHash) : null;
      const refused = match && matchRejection(match);
      if (refused?.code === 'INVOICE_MISMATCH') await this.limits.contradicted(consumerId);
      if (refused) throw refused;

      // Eligibility passed, so the issue date is inside the campaign and the period exists.
      const verified = match?.result === 'verified' ? match : null;
      try {
        const id = await this.insertRegistration(consumerId, claim, campaign, period as DrawPeriod, verified, {
          now,
          today,
          month,
          daySlot: daySlot as number,
          monthSlot: monthSlot as number,
          campaignSlot,
        });
        const registration: RegistrationResult = verified
          ? { id, status: 'verified', tickets: ticketsFor(campaign, verified.paidCents) }
          : { id, status: 'pending', tickets: 0, reason: PENDING_REASON };
        return { registration: await this.withInstant(campaign, claim.amountCents, registration, true), created: true };
      } catch (error) {
        if (error instanceof PeriodClosedAtInsert) throw periodClosed();
        const index = violatedUniqueIndex(error);
        // Someone registered it between our read and our insert: read again, which tells whether it was this
        // consumer (a concurrent retry: answer that registration) or someone else (409).
        if (index === 'UQ_invoices_identity' && attempt === 1) continue;
        if (index === 'UQ_invoices_identity') throw this.alreadyRegistered();
        // A concurrent registration of the same consumer took the slot between our read and our insert.
        // Each retry follows a committed registration, so this ends within a limit's worth of attempts.
        if (!lostSlot(index) || attempt > maxAttempts(rules)) throw error;
      }
    }
  }

  /**
   * Automatic entry (自动参与): enters the invoice of `record` for the consumer the feed names as its buyer (by
   * ID), with source `auto`, under the same rules as a manual registration on today's service clock. The
   * caller has found the consumer opted in and verified; this re-checks both from the same read as a manual
   * registration (identity, period, dates, amount, the record's exclusions and its buyer ID), so a consumer who
   * opted out or lost their identity meanwhile is skipped. The daily and monthly limits apply only when the
   * campaign says automatic entries count against them (`intake.autoEntryCountsAgainstLimits`), then with the
   * same slots (and so the campaign limit). Idempotent: an invoice already held by anyone (its owner's own registration included) is left
   * as it is, also under concurrency (the identity unique key). Returns 'entered' or why not.
   */
  async enterAutomatically(consumerId: number, record: RegistryRecord): Promise<'entered' | 'held' | string> {
    const claim: InvoiceClaim = {
      invoiceType: record.invoiceType,
      invoiceCode: record.invoiceCode,
      invoiceNumber: record.invoiceNumber,
      issueDate: record.issueDate,
      amountCents: record.totalCents,
      checkCode: record.checkCode,
      source: 'auto',
    };
    const now = this.clock.now();
    const today = shanghaiDate(now);
    const month = shanghaiMonth(now);
    const { campaign, period } = this.campaignFor(claim.issueDate);
    const rules = campaign.intake;
    const counts = rules.autoEntryCountsAgainstLimits;
    for (let attempt = 1; ; attempt++) {
      const state = await this.states.read(consumerId, claim, today, month, periodKeyOf(campaign, period));
      if (!state) return 'CONSUMER_NOT_FOUND';
      if (state.holder) return 'held';
      if (!state.autoEntry) return 'AUTO_ENTRY_OFF';
      const { daySlot, monthSlot, campaignSlot, counted } = limitSlots(state, rules, counts);
      const rejection = checkEligibility(
        claim,
        { ...rules, checkCodeRequiredTypes: [], campaignStart: campaign.startDate, campaignEnd: campaign.endDate },
        { today, identityVerified: state.identityVerified, periodClosed: period !== null && isPeriodClosed(period, state.draw, now), ...counted },
      );
      if (rejection) return rejection.code;
      const match = matchClaimAgainstRecord(claim, record, state.realName, rules, state.idNumberHash);
      // Only the record's own buyer by ID: a record without a buyer ID is never entered automatically.
      if (match.result !== 'verified' || !record.buyerIdHash || record.buyerIdHash !== state.idNumberHash) return match.result === 'verified' ? 'NOT_THE_BUYER' : `INVOICE_${match.result.toUpperCase()}`;
      try {
        const id = await this.insertRegistration(consumerId, claim, campaign, period as DrawPeriod, match, {
          now,
          today,
          month,
          daySlot: daySlot as number,
          monthSlot: monthSlot as number,
          campaignSlot,
        });
        // An automatic entry is drawn like any registration, without waiting (the consumer is not there).
        if (this.instant.isInstant(campaign, claim.amountCents)) this.instant.requestWithoutWaiting(id);
        return 'entered';
      } catch (error) {
        if (error instanceof PeriodClosedAtInsert) return 'PERIOD_CLOSED';
        const index = violatedUniqueIndex(error);
        if (index === 'UQ_invoices_identity') return 'held';
        if (!lostSlot(index) || attempt > maxAttempts(rules)) throw error;
      }
    }
  }

  /**
   * Adds the instant draw's outcome to a registration's answer when its amount is in an instant band of the
   * campaign. The draw happens at registration, pending (not yet tax-verified) registrations included, as the
   * pilots show it at upload; the second check before payment requires the registration verified and not
   * voided or red-flushed by then (InstantPrizes). Idempotent: the worker draws a registration once.
   */
  private async withInstant(campaign: CampaignDefinition, amountCents: number, registration: RegistrationResult, justRegistered = false): Promise<RegistrationResult> {
    if (!this.instant.isInstant(campaign, amountCents)) return registration;
    return { ...registration, instant: await this.instant.outcome(registration.id, justRegistered) };
  }

  /** The answer a consumer's own earlier registration gives a repeat of it. Read-only. */
  private async existing(id: number): Promise<RegistrationResult> {
    const invoice = await this.invoices.findOneByOrFail({ id });
    // The holder is never a rejected registration (those release the invoice).
    const view = this.view(invoice);
    return { id: view.id, status: view.status as RegistrationResult['status'], tickets: view.tickets, ...(view.reason ? { reason: view.reason } : {}) };
  }

  /**
   * One autocommit INSERT; returns the new id. Unique keys decide duplicates and lost slots. The INSERT
   * also checks, in the same statement, that the period's draw (if scheduled yet) is still open, reading
   * its row under a shared lock: the freeze marks the row closed before it takes its snapshot of the
   * period (the DrawEntriesClosed migration), so this INSERT either commits before the mark, and the
   * snapshot sees it, or sees the mark and writes nothing (PeriodClosedAtInsert). No extra round trip.
   */
  private async insertRegistration(
    consumerId: number,
    claim: InvoiceClaim,
    campaign: CampaignDefinition,
    period: DrawPeriod,
    verified: Extract<MatchResult, { result: 'verified' }> | null,
    at: { now: Date; today: string; month: string; daySlot: number; monthSlot: number; campaignSlot: number | null },
  ): Promise<number> {
    const result = await executePrepared<{ insertId: number; affectedRows: number }>(
      this.dataSource,
      `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date,
                             amount_cents, check_code, source, status, status_reason, paid_cents, matched_amount,
                             registered_at, registered_on, registered_month, day_slot, month_slot, campaign_slot, verified_at, revoked_at)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL FROM DUAL
        WHERE COALESCE((SELECT status = 'scheduled' AND entries_closed_at IS NULL AND freeze_at > ?
                          FROM draws WHERE campaign_id = ? AND period_key = ? AND pool_id = ? LOCK IN SHARE MODE), 1) = 1`,
      [
        consumerId,
        campaign.id,
        period.key,
        claim.invoiceType,
        claim.invoiceCode,
        claim.invoiceNumber,
        invoiceRef(claim.invoiceCode, claim.invoiceNumber),
        claim.issueDate,
        claim.amountCents,
        claim.checkCode,
        claim.source,
        verified ? 'verified' : 'pending',
        verified ? null : PENDING_REASON,
        verified?.paidCents ?? null,
        verified?.matchedAmount ?? null,
        at.now,
        at.today,
        at.month,
        at.daySlot,
        at.monthSlot,
        at.campaignSlot,
        verified ? at.now : null,
        at.now,
        campaign.id,
        period.key,
        gatePoolOf(campaign),
      ],
    );
    if (Number(result.affectedRows) !== 1) throw new PeriodClosedAtInsert();
    return Number(result.insertId);
  }

  /** The consumer's own registrations, newest first. Read-only. */
  async listForConsumer(consumerId: number, page: number, pageSize: number) {
    const [rows, total] = await this.invoices.findAndCount({
      where: { consumerId },
      order: { registeredAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: rows.map((r) => this.view(r)), page, pageSize, total };
  }

  /** One of the consumer's own registrations; someone else's is 404 like a missing one. Read-only. */
  async getForConsumer(consumerId: number, id: number) {
    const invoice = await this.invoices.findOneBy({ id, consumerId });
    if (!invoice) throw DomainError.notFound('INVOICE_NOT_FOUND', 'No such invoice registration');
    const campaign = this.campaigns.get(invoice.campaignId);
    if (!campaign || !this.instant.isInstant(campaign, invoice.amountCents)) return this.view(invoice);
    // The instant outcome as stored (`pending` until the worker has drawn it): the app shows it when it arrives.
    return { ...this.view(invoice), instant: (await this.instant.stored(invoice.id)) ?? { status: 'pending' as const } };
  }

  view(invoice: Invoice) {
    const campaign = this.campaigns.get(invoice.campaignId);
    const tickets = invoice.status === 'verified' && campaign && invoice.paidCents !== null ? ticketsFor(campaign, invoice.paidCents) : 0;
    return {
      id: invoice.id,
      invoiceType: invoice.invoiceType,
      invoiceCode: invoice.invoiceCode,
      invoiceNumber: invoice.invoiceNumber,
      issueDate: invoice.issueDate,
      amountCents: invoice.amountCents,
      status: invoice.status,
      ...(invoice.statusReason ? { reason: invoice.statusReason } : {}),
      tickets,
      campaignId: invoice.campaignId,
      period: invoice.periodKey,
      source: invoice.source === 'auto' ? ('auto' as const) : ('manual' as const),
      registeredAt: invoice.registeredAt.toISOString(),
    };
  }

  /** The campaign whose dates contain the issue date; otherwise the first one, whose rules then say why not. */
  private campaignFor(issueDate: string): { campaign: CampaignDefinition; period: DrawPeriod | null } {
    const found = this.campaigns.campaignForIssueDate(issueDate);
    if (found) return found;
    const campaign = this.campaigns.campaigns[0];
    if (!campaign) throw DomainError.unprocessable('OUTSIDE_CAMPAIGN', 'No campaign is running');
    return { campaign, period: null };
  }

  private alreadyRegistered() {
    return DomainError.conflict('INVOICE_ALREADY_REGISTERED', 'This invoice has already been registered');
  }
}

/**
 * Registration for a period closes at its draw's freeze time on the service clock, and at once when its draw
 * has left `scheduled` or its freeze has started, whatever the calendar says. Before the draw row exists
 * (campaign not yet scheduled by the worker) the campaign's calendar decides.
 */
export function isPeriodClosed(period: DrawPeriod, draw: PeriodDraw | null, now: Date): boolean {
  if (!draw) return now.getTime() >= period.freezeAt.getTime();
  return !draw.open || now.getTime() >= draw.freezeAt.getTime();
}

/** The registration's INSERT found the period's draw closed (a freeze started after the read). */
class PeriodClosedAtInsert extends Error {}

function periodClosed(): DomainError {
  return DomainError.unprocessable('PERIOD_CLOSED', 'the draw period of this invoice is closed for registration');
}

/**
 * The pool whose draw row gates a period's registrations (the first periodic pool): each freeze closes every
 * draw of its period, so this one row tells whether the period is still open. A campaign without periodic
 * pools has no draw rows; its calendar decides (isPeriodClosed).
 */
export function gatePoolOf(campaign: CampaignDefinition): string {
  return periodicPoolsOf(campaign)[0]?.id ?? SINGLE_POOL_ID;
}

function periodKeyOf(campaign: CampaignDefinition, period: DrawPeriod | null): PeriodKey {
  return { campaignId: campaign.id, periodKey: period?.key ?? '', gatePool: gatePoolOf(campaign), limited: campaign.intake.campaignLimit !== undefined };
}

const SLOT_KEYS = new Set(['UQ_invoices_consumer_day_slot', 'UQ_invoices_consumer_month_slot', 'UQ_invoices_consumer_campaign_slot']);
/** A concurrent registration of the same consumer took one of the slots between our read and our insert. */
const lostSlot = (index: string | null | undefined) => index !== null && index !== undefined && SLOT_KEYS.has(index);
/** Each retry follows a committed registration, so a registration ends within a limit's worth of attempts. */
const maxAttempts = (rules: CampaignDefinition['intake']) => Math.max(rules.monthlyLimit, rules.campaignLimit ?? 0);

/**
 * The free day, month and campaign slots of a registration (null: none free, or not counted) and the counts
 * the eligibility check reads. The slots are the binding check (unique keys); the counts also include rows
 * written around intake (fixtures, bulk loads) that hold no slot, and read as the limit when every slot of
 * 1..limit is taken. With `counts` false (automatic entries that take no slots) no slot is taken and the
 * counts are 0. Pure.
 */
function limitSlots(
  state: RegistrationState,
  rules: CampaignDefinition['intake'],
  counts: boolean,
): {
  daySlot: number | null;
  monthSlot: number | null;
  campaignSlot: number | null;
  counted: { registeredToday: number; registeredThisMonth: number; registeredInCampaign: number };
} {
  if (!counts) return { daySlot: null, monthSlot: null, campaignSlot: null, counted: { registeredToday: 0, registeredThisMonth: 0, registeredInCampaign: 0 } };
  const daySlot = firstFreeSlot(state.daySlots, rules.dailyLimit);
  const monthSlot = firstFreeSlot(state.monthSlots, rules.monthlyLimit);
  const campaignSlot = rules.campaignLimit === undefined ? null : firstFreeSlot(state.campaignSlots, rules.campaignLimit);
  return {
    daySlot,
    monthSlot,
    campaignSlot,
    counted: {
      registeredToday: daySlot === null ? rules.dailyLimit : state.registeredToday,
      registeredThisMonth: monthSlot === null ? rules.monthlyLimit : state.registeredThisMonth,
      registeredInCampaign: rules.campaignLimit !== undefined && campaignSlot === null ? rules.campaignLimit : state.registeredInCampaign,
    },
  };
}

/** The lowest slot in 1..limit not taken, or null when all are. */
function firstFreeSlot(taken: ReadonlySet<number>, limit: number): number | null {
  for (let slot = 1; slot <= limit; slot++) if (!taken.has(slot)) return slot;
  return null;
}
