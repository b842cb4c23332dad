import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import type { CampaignDefinition } from '../campaigns/campaign-definition.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import type { DrawPeriod } from '../campaigns/periods.js';
import { Consumer } from '../consumers/consumer.entity.js';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { withUniqueViolationsMapped } from '../core/errors/unique-violation.js';
import { shanghaiDate, shanghaiMonth } from '../core/time/shanghai.js';
import { computeTickets, invoiceRef } from '../draws/algorithm/index.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';
import { matchClaimAgainstRecord, type MatchResult } from '../registry/domain/match.js';
import { checkEligibility } from './domain/eligibility.js';
import type { InvoiceClaim } from './domain/invoice-fields.js';
import { parseInvoiceQr } from './domain/qr.js';
import { parseTypedInvoice } from './domain/typed-invoice.js';
import { Invoice } from './invoice.entity.js';

export interface RegistrationResult {
  id: number;
  status: 'verified' | 'pending';
  tickets: number;
  reason?: string;
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
  ) {}

  /**
   * Registers one invoice for a consumer. Not idempotent by design: an invoice (code + number) can be
   * registered once, by anyone; a repeat is 409 INVOICE_ALREADY_REGISTERED (enforced by a unique key, so
   * it holds under concurrency). The consumer's row is locked for the count-then-insert, so the daily and
   * monthly limits hold under concurrent requests; rejected attempts store nothing and do not count.
   */
  async register(consumerId: number, body: unknown): Promise<RegistrationResult> {
    const claim = parseRegistrationBody(body);
    const now = this.clock.now();
    const today = shanghaiDate(now);
    const month = shanghaiMonth(now);
    const { campaign, period } = this.campaignFor(claim.issueDate);

    if (await this.invoices.existsBy({ invoiceCode: claim.invoiceCode, invoiceNumber: claim.invoiceNumber }))
      throw this.alreadyRegistered();

    return withUniqueViolationsMapped({ UQ_invoices_identity: () => this.alreadyRegistered() }, () =>
      this.dataSource.transaction(async (em) => {
        const consumer = await em.getRepository(Consumer).findOne({ where: { id: consumerId }, lock: { mode: 'pessimistic_write' } });
        if (!consumer) throw DomainError.unauthorized('TOKEN_INVALID', 'The consumer account no longer exists');
        const [registeredToday, registeredThisMonth] = await Promise.all([
          em.getRepository(Invoice).countBy({ consumerId, registeredOn: today }),
          em.getRepository(Invoice).countBy({ consumerId, registeredMonth: month }),
        ]);
        const rejection = checkEligibility(
          claim,
          { ...campaign.intake, campaignStart: campaign.startDate, campaignEnd: campaign.endDate },
          {
            today,
            identityVerified: consumer.identityVerifiedAt !== null,
            periodClosed: period !== null && now.getTime() >= period.freezeAt.getTime(),
            registeredToday,
            registeredThisMonth,
          },
        );
        if (rejection) throw DomainError.unprocessable(rejection.code, rejection.message);
        // Eligibility passed, so the issue date is inside the campaign and the period exists.
        return this.insertChecked(em, consumer, claim, campaign, period as DrawPeriod, now, today, month);
      }),
    );
  }

  private async insertChecked(
    em: EntityManager,
    consumer: Consumer,
    claim: InvoiceClaim,
    campaign: CampaignDefinition,
    period: DrawPeriod,
    now: Date,
    today: string,
    month: string,
  ): Promise<RegistrationResult> {
    const record = await em.getRepository(RegistryInvoice).findOneBy({ invoiceCode: claim.invoiceCode, invoiceNumber: claim.invoiceNumber });
    const match = record ? matchClaimAgainstRecord(claim, record, consumer.realName, campaign.intake) : null;
    const rejection = match && matchRejection(match);
    if (rejection) throw rejection;
    const verified = match?.result === 'verified' ? match : null;
    const invoice = em.getRepository(Invoice).create({
      consumerId: consumer.id,
      campaignId: campaign.id,
      periodKey: period.key,
      invoiceType: claim.invoiceType,
      invoiceCode: claim.invoiceCode,
      invoiceNumber: claim.invoiceNumber,
      ref: invoiceRef(claim.invoiceCode, claim.invoiceNumber),
      issueDate: claim.issueDate,
      amountCents: claim.amountCents,
      checkCode: claim.checkCode,
      source: claim.source,
      status: verified ? 'verified' : 'pending',
      statusReason: verified ? null : PENDING_REASON,
      paidCents: verified?.paidCents ?? null,
      matchedAmount: verified?.matchedAmount ?? null,
      registeredAt: now,
      registeredOn: today,
      registeredMonth: month,
      verifiedAt: verified ? now : null,
      revokedAt: null,
    });
    await em.getRepository(Invoice).insert(invoice);
    return verified
      ? { id: invoice.id, status: 'verified', tickets: this.ticketsFor(campaign, verified.paidCents) }
      : { id: invoice.id, status: 'pending', tickets: 0, reason: PENDING_REASON };
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
    return this.view(invoice);
  }

  view(invoice: Invoice) {
    const campaign = this.campaigns.get(invoice.campaignId);
    const tickets = invoice.status === 'verified' && campaign && invoice.paidCents !== null ? this.ticketsFor(campaign, invoice.paidCents) : 0;
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
      registeredAt: invoice.registeredAt.toISOString(),
    };
  }

  private ticketsFor(campaign: CampaignDefinition, paidCents: number): number {
    return computeTickets(paidCents, campaign.tickets.unitCents, campaign.tickets.cap);
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
