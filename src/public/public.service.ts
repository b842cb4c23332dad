import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import type { CampaignDefinition } from '../campaigns/campaign-definition.js';
import { CampaignReadRepository } from '../campaigns/campaign-read.repository.js';
import { periodsOf } from '../campaigns/periods.js';
import { periodicPoolsOf, poolsOf } from '../campaigns/campaign-definition.js';
import { poolDrawById, poolDrawForAmount, poolDrawsOf, type PoolDraw } from '../campaigns/pool-draws.js';
import { ticketsFor } from '../campaigns/tickets.js';
import { ConsumerReadRepository } from '../consumers/consumer-read.repository.js';
import { DomainError } from '../core/errors/domain-error.js';
import { maskInvoiceNumber, maskName } from '../core/masking.js';
import { formatCents } from '../core/money.js';
import { periodLabel } from '../web-shared/formatting.js';
import { ALGORITHM_ID, invoiceRef, type DrawTier } from '../draws/algorithm/index.js';
import { DrawLifecycleService } from '../draws/draw-lifecycle.service.js';
import { DrawReadRepository, type PublicDrawRow as DrawRow } from '../draws/draw-read.repository.js';
import type { DrawStatus } from '../draws/draw.entity.js';
import { InvoiceReadRepository } from '../invoices/invoice-read.repository.js';
import { PrizeReadRepository } from '../prizes/prize-read.repository.js';
import { renderAtom, stableUrn } from './atom.js';
import { AMOUNT_BANDS, bandCaseSql, bandIndex } from './bands.js';
import { issuingCity } from './cities.js';
import { matchesWinner, parseWinnerQuery, type WinnerQuery } from './winner-search.js';
import type {
  BandsDto,
  CampaignDrawsDto,
  CampaignDto,
  CampaignListDto,
  CheckResultDto,
  DrawDetailDto,
  DrawSummaryDto,
  WinnerDto,
  WinnersPageDto,
} from './dto/public.dto.js';
import { PublicCache, type CachedBody } from './public-cache.js';

/** TTLs of cached bodies. Keys carry the version of their data, so these only bound memory and list staleness. */
const LIST_TTL_MS = 30_000;
const DRAW_TTL_MS = 300_000;
const CHECK_TTL_MS = 15_000;
const FEED_TTL_MS = 30_000;
const FEED_SIZE = 50;

/** The version record of one draw, read from the database at most once per HEAD_TTL_MS (see PublicCache). */
interface DrawHead {
  status: DrawStatus;
  failedPhase: string | null;
  /** draws.updated_at in ms: moves with every lifecycle step. */
  updatedAt: number;
  /** Count, max id, claimed and ended prize rows: moves with every new attempt, claim, forfeit or revocation. */
  prizes: string;
  campaignId: string;
  /** A period of a campaign file whose draw row does not exist yet (shown as scheduled). */
  virtual?: boolean;
}

/** Campaign ids are lowercase; custom period keys may hold capitals (campaign-definition.ts). */
const DRAW_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Entries committed: the commitment and the entries file are public. */
const isCommitted = (h: DrawHead) =>
  h.status === 'frozen' || h.status === 'drawn' || h.status === 'published' || (h.status === 'failed' && (h.failedPhase === 'draw' || h.failedPhase === 'publish'));
/** The draw ran: its per-tier counts are public (the check endpoint says the result awaits publication). */
const isDrawn = (h: DrawHead) => h.status === 'drawn' || h.status === 'published' || (h.status === 'failed' && h.failedPhase === 'publish');
/**
 * Winners are public only from publication on: the list (names, cities, claim status), and everything
 * that reveals who won: the audit bundle (it lists the winners' refs), the secret, beacon and seed (with
 * the entries file they let anyone recompute the winners) and the winners per amount band (in a band of
 * few entries they point at them).
 */
const isPublished = (h: DrawHead) => h.status === 'published';

const drawVersion = (h: DrawHead) => `${h.status}.${h.failedPhase ?? ''}.${h.updatedAt}`;
const prizeVersion = (h: DrawHead) => `${drawVersion(h)}.${h.prizes}`;
const short = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);

const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1e6) / 1e6 : 0);
const yuan = (cents: number) => `¥${formatCents(cents).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

type ClaimStatus = 'unclaimed' | 'claimed' | 'forfeited' | 'revoked';
const claimStatusOf = (prizeStatus: string): ClaimStatus =>
  prizeStatus === 'claimed' ? 'claimed' : prizeStatus === 'forfeited' ? 'forfeited' : prizeStatus === 'revoked' ? 'revoked' : 'unclaimed';

/**
 * Everything the public sees, shaped for publication and cached. Reads go through the read repositories
 * of the tables' owning modules (draws, prizes, invoices, consumers, campaigns); this class only decides
 * what is public when, masks and caches. Personal data never leaves here: names go through maskName,
 * invoice numbers through maskInvoiceNumber, and no read selects a phone, identity number or bank column.
 */
@Injectable()
export class PublicService {
  constructor(
    private readonly catalog: CampaignCatalog,
    private readonly lifecycle: DrawLifecycleService,
    private readonly cache: PublicCache,
    private readonly draws: DrawReadRepository,
    private readonly prizes: PrizeReadRepository,
    private readonly invoices: InvoiceReadRepository,
    private readonly consumers: ConsumerReadRepository,
    private readonly storedCampaigns: CampaignReadRepository,
  ) {}

  // ---- campaigns ----------------------------------------------------------------------------------

  private campaignListBody: string | null = null;

  /** From the campaign files (fixed while the process runs). */
  campaigns(): CachedBody {
    if (this.campaignListBody === null) {
      const list: CampaignListDto = { items: this.catalog.campaigns.map((c) => this.campaignDto(c)) };
      this.campaignListBody = JSON.stringify(list);
    }
    return { body: this.campaignListBody, hit: true };
  }

  private campaignDto(c: CampaignDefinition): CampaignDto {
    return {
      id: c.id,
      name: c.name,
      timeZone: c.timeZone,
      startDate: c.startDate,
      endDate: c.endDate,
      ticketUnitCents: c.tickets.unitCents,
      ticketCap: c.tickets.cap,
      minAmountCents: c.intake.minAmountCents,
      tiers: (periodicPoolsOf(c)[0]?.tiers ?? []).map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })),
      pools: poolsOf(c).map((p) => ({
        id: p.id,
        name: p.name,
        mode: p.mode,
        minCents: p.band.minCents,
        maxCents: p.band.maxCents,
        ...(p.mode === 'periodic' ? { tiers: p.tiers.map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })) } : {}),
      })),
      winLimitPerHolder: c.winLimitPerHolder,
      alternateCount: c.alternateCount,
      claimWindowDays: c.claimWindowDays,
      periodCount: periodsOf(c).length,
      periodRule: typeof c.periodRule === 'string' ? c.periodRule : 'custom',
    };
  }

  /** The campaign's draws: the stored draw rows, and its remaining periods as scheduled. */
  async campaignDraws(campaignId: string): Promise<CachedBody> {
    const campaign = this.catalog.get(campaignId);
    if (!campaign) throw DomainError.notFound('CAMPAIGN_NOT_FOUND', `No campaign ${campaignId}`);
    const head = await this.cache.head(`campaign:${campaignId}`, () => this.draws.campaignVersion(campaignId));
    return this.cache.getOrCompute(`campaign-draws:${campaignId}:${head}`, LIST_TTL_MS, async () => {
      const rows = await this.draws.listForCampaign(campaignId);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const items: DrawSummaryDto[] = poolDrawsOf(campaign).map((d) => {
        const row = byId.get(d.id);
        byId.delete(d.id);
        return row ? this.drawSummary(row) : this.virtualDraw(campaign, d);
      });
      for (const row of byId.values()) items.push(this.drawSummary(row));
      // By period, then by pool in the file's order (a stable sort keeps it within a period).
      items.sort((a, b) => a.period.localeCompare(b.period));
      const out: CampaignDrawsDto = { campaignId, items };
      return JSON.stringify(out);
    });
  }

  private drawSummary(r: DrawRow): DrawSummaryDto {
    const committed = isCommitted(this.headOf(r));
    return {
      id: r.id,
      campaignId: r.campaign_id,
      period: r.period_key,
      pool: { id: r.pool_id, name: r.pool_name ?? r.pool_id, minCents: num(r.band_min_cents), maxCents: numOrNull(r.band_max_cents) },
      periodStart: r.period_start,
      periodEnd: r.period_end,
      freezeAt: iso(r.freeze_at)!,
      drawAt: iso(r.draw_at)!,
      status: r.status,
      failedPhase: r.failed_phase,
      entryCount: committed ? numOrNull(r.entry_count) : null,
      totalTickets: committed ? numOrNull(r.total_tickets) : null,
      tiers: JSON.parse(r.tiers) as DrawTier[],
      frozenAt: iso(r.frozen_at),
      drawnAt: iso(r.drawn_at),
      publishedAt: iso(r.published_at),
    };
  }

  private virtualDraw(c: CampaignDefinition, d: PoolDraw): DrawSummaryDto {
    const p = d.period;
    return {
      id: d.id,
      campaignId: c.id,
      period: p.key,
      pool: { id: d.poolId, name: d.poolName, minCents: d.band.minCents, maxCents: d.band.maxCents },
      periodStart: p.startDate,
      periodEnd: p.endDate,
      freezeAt: p.freezeAt.toISOString(),
      drawAt: p.drawAt.toISOString(),
      status: 'scheduled',
      failedPhase: null,
      entryCount: null,
      totalTickets: null,
      tiers: d.tiers.map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })),
      frozenAt: null,
      drawnAt: null,
      publishedAt: null,
    };
  }

  private headOf(r: Pick<DrawRow, 'status' | 'failed_phase' | 'campaign_id'>): DrawHead {
    return { status: r.status, failedPhase: r.failed_phase, updatedAt: 0, prizes: '', campaignId: r.campaign_id };
  }

  /** A draw of a campaign file (a period's pool) whose row may not exist yet. */
  private periodOf(drawId: string): { campaign: CampaignDefinition; draw: PoolDraw } | null {
    for (const campaign of this.catalog.campaigns) {
      if (!drawId.startsWith(`${campaign.id}-`)) continue;
      const draw = poolDrawById(campaign, drawId);
      if (draw) return { campaign, draw };
    }
    return null;
  }

  // ---- heads ----------------------------------------------------------------------------------------

  private async drawHead(drawId: string): Promise<DrawHead> {
    if (!DRAW_ID.test(drawId)) throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    const head = await this.cache.head<DrawHead | null>(`draw:${drawId}`, async () => {
      const [row, prizes] = await Promise.all([this.draws.versionOf(drawId), this.prizes.versionOf(drawId)]);
      if (row) return { ...row, prizes };
      const virtual = this.periodOf(drawId);
      return virtual ? { status: 'scheduled', failedPhase: null, updatedAt: 0, prizes: '', campaignId: virtual.campaign.id, virtual: true } : null;
    });
    if (!head) throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    return head;
  }

  // ---- one draw -------------------------------------------------------------------------------------

  /** Status and times; the commitment from the freeze on; per-tier counts after the draw; the seed material from publication on. */
  async draw(drawId: string): Promise<CachedBody> {
    const head = await this.drawHead(drawId);
    return this.cache.getOrCompute(`draw:${drawId}:${short(drawVersion(head))}`, DRAW_TTL_MS, async () => {
      const row = await this.draws.getForPublic(drawId);
      const campaign = this.catalog.get(head.campaignId);
      if (!row) {
        const virtual = this.periodOf(drawId)!;
        const summary = this.virtualDraw(virtual.campaign, virtual.draw);
        const detail: DrawDetailDto = {
          ...summary,
          campaignName: virtual.campaign.name,
          winLimitPerHolder: virtual.campaign.winLimitPerHolder,
          alternateCount: virtual.campaign.alternateCount,
          ticketUnitCents: virtual.campaign.tickets.unitCents,
          ticketCap: virtual.campaign.tickets.cap,
          commitment: null,
          reveal: null,
          summary: null,
        };
        return JSON.stringify(detail);
      }
      const h = this.headOf(row);
      const committed = isCommitted(h) && row.entries_digest !== null && row.secret_hash !== null;
      const drawn = isDrawn(h);
      const revealed = isPublished(h) && row.secret !== null && row.seed !== null;
      const detail: DrawDetailDto = {
        ...this.drawSummary(row),
        campaignName: campaign?.name ?? (await this.storedCampaignName(row.campaign_id)),
        winLimitPerHolder: num(row.win_limit_per_holder),
        alternateCount: num(row.alternate_count),
        ticketUnitCents: num(row.ticket_unit_cents),
        ticketCap: num(row.ticket_cap),
        commitment: committed
          ? {
              algorithm: ALGORITHM_ID,
              drawId: row.id,
              entryCount: num(row.entry_count),
              totalTickets: num(row.total_tickets),
              entriesDigest: row.entries_digest!,
              secretHash: row.secret_hash!,
            }
          : null,
        reveal: revealed ? { secret: row.secret!, beacon: row.beacon ?? '', seed: row.seed! } : null,
        summary: drawn ? await this.resultSummary(row) : null,
      };
      return JSON.stringify(detail);
    });
  }

  private async storedCampaignName(campaignId: string): Promise<string> {
    return (await this.storedCampaigns.storedNamesOf([campaignId])).get(campaignId) ?? campaignId;
  }

  private async resultSummary(row: DrawRow): Promise<DrawDetailDto['summary']> {
    const tiers = JSON.parse(row.tiers) as DrawTier[];
    const counts = await this.draws.pickCounts(row.id);
    const winnersOf = (tier: number) => num(counts.find((c) => c.kind === 'winner' && num(c.tier) === tier)?.n ?? 0);
    const tierResults = tiers.map((t) => ({ tier: t.tier, name: t.name, prizeCents: t.prizeCents, count: t.count, winners: winnersOf(t.tier) }));
    return {
      tiers: tierResults,
      winners: tierResults.reduce((s, t) => s + t.winners, 0),
      alternates: counts.filter((c) => c.kind === 'alternate').reduce((s, c) => s + num(c.n), 0),
      totalPrizeCents: tierResults.reduce((s, t) => s + t.winners * t.prizeCents, 0),
    };
  }

  // ---- winners --------------------------------------------------------------------------------------

  /**
   * One page of the winner list (by draw order), each prize slot shown with its current holder; with a
   * search (`q`, see winner-search.ts) only the rows whose published, masked fields match it.
   */
  async winners(drawId: string, tier: number | undefined, page: number, pageSize: number, rawQuery?: unknown): Promise<CachedBody> {
    const query = parseWinnerQuery(rawQuery);
    const head = await this.drawHead(drawId);
    if (!isPublished(head)) throw DomainError.conflict('DRAW_NOT_PUBLISHED', 'The winners of this draw are not published yet');
    if (query) return this.searchWinners(drawId, head, query, tier, page, pageSize);
    const key = `winners:${drawId}:${short(prizeVersion(head))}:${tier ?? 'all'}:${page}:${pageSize}`;
    return this.cache.getOrCompute(key, DRAW_TTL_MS, async () => JSON.stringify(await this.computeWinners(drawId, tier, page, pageSize)));
  }

  /**
   * A search is answered from the draw's whole masked list (computed once per version of the draw and
   * cached like every body). The page of results is cached under the set of rows the query matched, not
   * under its text: all queries that match nothing share one entry, and the number of entries anyone can
   * create is bounded by the list itself (its distinct last-4 values, cities, surnames and ref prefixes),
   * whatever they type. Pages past the end and tiers the draw does not have are answered without storing.
   */
  private async searchWinners(drawId: string, head: DrawHead, query: WinnerQuery, tier: number | undefined, page: number, pageSize: number): Promise<CachedBody> {
    const version = short(prizeVersion(head));
    const list = await this.allWinners(drawId, version);
    const matched = list.items.filter((w) => (tier === undefined || w.tier === tier) && matchesWinner(query, w));
    const build = () => {
      const out: WinnersPageDto = { drawId, pool: list.pool, tier: tier ?? null, page, pageSize, total: matched.length, items: matched.slice((page - 1) * pageSize, page * pageSize) };
      return JSON.stringify(out);
    };
    const storable = (tier === undefined || list.tiers.includes(tier)) && (page === 1 || (page - 1) * pageSize < matched.length);
    if (!storable) return { body: build(), hit: false };
    const matchSet = matched.length ? short(matched.map((w) => `${w.tier}.${w.slot}`).join(',')) : 'none';
    return this.cache.getOrCompute(`winners-q:${drawId}:${version}:${tier ?? 'all'}:${page}:${pageSize}:${matchSet}`, DRAW_TTL_MS, async () => build());
  }

  /** Parsed whole lists by cache key (the key holds the draw's version, so an entry is never stale). */
  private readonly wholeLists = new LRUCache<string, { tiers: number[]; pool: WinnersPageDto['pool']; items: WinnerDto[] }>({ max: 8 });

  /** The whole masked winner list of a published draw, by draw order (1,055 rows for the Henan rules). */
  private async allWinners(drawId: string, version: string): Promise<{ tiers: number[]; pool: WinnersPageDto['pool']; items: WinnerDto[] }> {
    const key = `winners-all:${drawId}:${version}`;
    const parsed = this.wholeLists.get(key);
    if (parsed) return parsed;
    const { body } = await this.cache.getOrCompute(key, DRAW_TTL_MS, async () => {
      const tiers = await this.draws.tiersOf(drawId);
      const all = await this.computeWinners(drawId, undefined, 1, Number.MAX_SAFE_INTEGER);
      return JSON.stringify({ tiers: tiers.map((t) => t.tier), pool: all.pool, items: all.items });
    });
    const list = JSON.parse(body) as { tiers: number[]; pool: WinnersPageDto['pool']; items: WinnerDto[] };
    this.wholeLists.set(key, list);
    return list;
  }

  /** One page of the winner list: each prize slot with its current holder (the prizes module's answer), masked. */
  private async computeWinners(drawId: string, tier: number | undefined, page: number, pageSize: number): Promise<WinnersPageDto> {
    const [tierList, pool] = await Promise.all([this.draws.tiersOf(drawId), this.draws.poolOf(drawId)]);
    const tiers = new Map(tierList.map((t) => [t.tier, t]));
    const { total, picks } = await this.draws.winnerPicks(drawId, tier, page, pageSize);
    const out: WinnersPageDto = { drawId, pool, tier: tier ?? null, page, pageSize, total, items: [] };
    if (picks.length === 0) return out;

    const holders = await this.prizes.currentHolders(drawId, picks);
    const distinct = (ids: Array<string | null>) => [...new Set(ids.filter((v): v is string => v !== null))];
    const [invoices, names] = await Promise.all([
      this.invoices.invoiceIdentitiesOf(distinct(holders.map((h) => h.invoiceId))),
      this.consumers.realNamesOf(distinct(holders.map((h) => h.consumerId))),
    ]);

    out.items = holders.map((h): WinnerDto => {
      const t = tiers.get(num(h.pick.tier));
      const invoice = h.invoiceId ? invoices.get(h.invoiceId) : undefined;
      const realName = h.consumerId ? names.get(h.consumerId) : null;
      return {
        tier: num(h.pick.tier),
        tierName: t?.name ?? '',
        slot: num(h.pick.slot),
        prizeCents: h.latest ? num(h.latest.gross_cents) : (t?.prizeCents ?? 0),
        name: realName ? maskName(realName) : '*',
        invoiceNumber: invoice ? maskInvoiceNumber(invoice.invoice_number) : '****',
        ref: h.ref,
        tickets: h.tickets,
        city: invoice ? issuingCity(invoice.invoice_code, invoice.invoice_number) : null,
        claimStatus: h.latest ? claimStatusOf(h.latest.status) : 'unclaimed',
        claimDeadline: h.latest ? iso(h.latest.claim_deadline) : null,
        alternateRank: h.alternateRank,
        passedOnBecause: h.previous ? (h.previous.status === 'revoked' ? 'revoked' : 'forfeited') : null,
      };
    });
    return out;
  }

  // ---- files ----------------------------------------------------------------------------------------

  /** The commitment data the entries endpoint needs; 404 / 409 before the freeze. */
  async entriesInfo(drawId: string): Promise<{ entriesDigest: string; entryCount: number; totalTickets: number }> {
    if (!DRAW_ID.test(drawId)) throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    const row = await this.draws.commitmentOf(drawId);
    if (!row) {
      if (this.periodOf(drawId)) throw DomainError.conflict('DRAW_NOT_FROZEN', 'The entries of this draw are not frozen yet');
      throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    }
    if (!isCommitted(this.headOf(row)) || !row.entries_digest) throw DomainError.conflict('DRAW_NOT_FROZEN', 'The entries of this draw are not frozen yet');
    return { entriesDigest: row.entries_digest, entryCount: num(row.entry_count), totalTickets: num(row.total_tickets) };
  }

  /** The exact ILD-1 entries file, from the draw lifecycle. */
  entriesFile(drawId: string): AsyncIterable<string> {
    return this.lifecycle.entriesCsv(drawId);
  }

  /** The audit bundle JSON as stored at the draw (byte for byte), from publication on (it lists the winners). */
  async audit(drawId: string): Promise<CachedBody> {
    const head = await this.drawHead(drawId);
    if (!isPublished(head)) throw DomainError.conflict('DRAW_NOT_PUBLISHED', 'The audit bundle of this draw is published with its winners');
    return this.cache.getOrCompute(`audit:${drawId}:${short(drawVersion(head))}`, DRAW_TTL_MS, async () => {
      const bundle = await this.draws.auditBundleOf(drawId);
      if (!bundle) throw DomainError.conflict('DRAW_NOT_PUBLISHED', 'This draw has no audit bundle');
      return bundle;
    });
  }

  // ---- bands ----------------------------------------------------------------------------------------

  /** Per amount band: share of entries' tickets (from the freeze on) and, from publication on, share of winners and prize money. */
  async bands(drawId: string): Promise<CachedBody> {
    const head = await this.drawHead(drawId);
    if (!isCommitted(head)) throw DomainError.conflict('DRAW_NOT_FROZEN', 'The entries of this draw are not frozen yet');
    const published = isPublished(head);
    return this.cache.getOrCompute(`bands:${drawId}:${short(drawVersion(head))}`, DRAW_TTL_MS, async () => {
      const prizeOf = new Map((await this.draws.tiersOf(drawId)).map((t) => [t.tier, t.prizeCents]));
      const rows = await this.draws.ticketsPerBand(drawId, bandCaseSql('paid_cents'));
      const bands = AMOUNT_BANDS.map((b) => ({ ...b, entries: 0, tickets: 0, winners: 0, prizeCents: 0 }));
      for (const r of rows) {
        bands[num(r.band)].entries = num(r.entries);
        bands[num(r.band)].tickets = num(r.tickets);
      }
      if (published) {
        const winners = await this.draws.winnersPaid(drawId);
        for (const w of winners) {
          const b = bands[bandIndex(num(w.paid_cents))];
          b.winners += 1;
          b.prizeCents += prizeOf.get(num(w.tier)) ?? 0;
        }
      }
      const totals = bands.reduce((s, b) => ({ entries: s.entries + b.entries, tickets: s.tickets + b.tickets, winners: s.winners + b.winners, prizeCents: s.prizeCents + b.prizeCents }), {
        entries: 0,
        tickets: 0,
        winners: 0,
        prizeCents: 0,
      });
      const out: BandsDto = {
        drawId,
        status: head.status,
        entries: totals.entries,
        tickets: totals.tickets,
        winners: published ? totals.winners : null,
        prizeCents: published ? totals.prizeCents : null,
        bands: bands.map((b) => ({
          label: b.label,
          minCents: b.minCents,
          maxCents: b.maxCents,
          entries: b.entries,
          tickets: b.tickets,
          ticketShare: share(b.tickets, totals.tickets),
          winners: published ? b.winners : null,
          winnerShare: published ? share(b.winners, totals.winners) : null,
          prizeCents: published ? b.prizeCents : null,
          prizeShare: published ? share(b.prizeCents, totals.prizeCents) : null,
        })),
      };
      return JSON.stringify(out);
    });
  }

  // ---- check one invoice ----------------------------------------------------------------------------

  /**
   * Which draw an invoice entered, its tickets and whether it won, by its ILD-1 ref. Says nothing about
   * who registered it. Cached per ref for CHECK_TTL_MS and re-validated against the draw's head, so a
   * change of the draw shows within HEAD_STALENESS_MS; a change of the invoice's own registration within 15 s.
   */
  async check(invoiceCode: string, invoiceNumber: string): Promise<CachedBody> {
    if ((invoiceNumber.length === 20) !== (invoiceCode === ''))
      throw DomainError.badRequest(
        'VALIDATION_FAILED',
        invoiceCode === '' ? 'invoiceCode is required for an 8-digit invoice number' : 'a 20-digit (fully digital) invoice number has no invoice code',
        { fields: ['invoiceCode'] },
      );
    const ref = invoiceRef(invoiceCode, invoiceNumber);
    const key = `check:${ref}`;
    // Stored as '<version>\n<drawId>\n<result JSON>' so a hit is checked against the head without parsing.
    const encode = (c: { version: string | null; drawId: string | null; result: CheckResultDto }) => `${c.version ?? ''}\n${c.drawId ?? ''}\n${JSON.stringify(c.result)}`;
    const cached = await this.cache.getOrCompute(key, CHECK_TTL_MS, async () => encode(await this.computeCheck(ref, invoiceCode, invoiceNumber)));
    const [version, drawId] = cached.body.split('\n', 2);
    const body = cached.body.slice(version.length + drawId.length + 2);
    if (cached.hit && drawId) {
      const head = await this.drawHead(drawId).catch(() => null);
      if (!head || prizeVersion(head) !== version) {
        const fresh = await this.computeCheck(ref, invoiceCode, invoiceNumber);
        await this.cache.set(key, CHECK_TTL_MS, encode(fresh));
        return { body: JSON.stringify(fresh.result), hit: false };
      }
    }
    return { body, hit: cached.hit };
  }

  private async computeCheck(ref: string, invoiceCode: string, invoiceNumber: string): Promise<{ version: string | null; drawId: string | null; result: CheckResultDto }> {
    const base: CheckResultDto = {
      ref,
      outcome: 'NOT_REGISTERED',
      message: '该发票尚未登记参加活动。',
      registrationStatus: null,
      drawId: null,
      period: null,
      drawStatus: null,
      tickets: null,
      alternateRank: null,
      prize: null,
    };
    // The live registration if there is one, else the latest rejected one (a rejection releases the invoice).
    const invoice = await this.invoices.registrationOf(invoiceCode, invoiceNumber);
    if (!invoice) return { version: null, drawId: null, result: base };

    // The draw of the invoice's period whose pool band holds its paid amount (verified), else its claimed amount.
    const campaign = this.catalog.get(invoice.campaign_id);
    const amount = invoice.paid_cents !== null ? num(invoice.paid_cents) : num(invoice.amount_cents);
    const poolDraw = campaign ? poolDrawForAmount(campaign, invoice.period_key, amount) : null;
    if (campaign && !poolDraw) {
      // Outside every periodic band (e.g. an invoice of an instant-only band): it enters no periodic draw.
      // Instant outcomes are the instant draws' to report here (issue #18, ILI-1).
      return {
        version: null,
        drawId: null,
        result: { ...base, registrationStatus: invoice.status, period: invoice.period_key, outcome: 'NOT_IN_DRAW', message: '该发票的金额不在本活动定期抽奖的金额档内，不参加定期抽奖。' },
      };
    }
    const drawId = poolDraw?.id ?? `${invoice.campaign_id}-${invoice.period_key}`;
    const head = await this.drawHead(drawId).catch(() => null);
    const result: CheckResultDto = {
      ...base,
      registrationStatus: invoice.status,
      drawId,
      period: invoice.period_key,
      drawStatus: head?.status ?? null,
    };
    const done = (r: Partial<CheckResultDto>) => ({ version: head ? prizeVersion(head) : null, drawId: head ? drawId : null, result: { ...result, ...r } });
    const label = periodLabel(invoice.period_key);

    if (!head || !isCommitted(head)) {
      if (invoice.status === 'verified') {
        const tickets = campaign && invoice.paid_cents !== null ? ticketsFor(campaign, num(invoice.paid_cents)) : null;
        return done({ outcome: 'AWAITING_DRAW', tickets, message: `该发票已登记并通过核验，将参加${label}期抽奖。` });
      }
      if (invoice.status === 'pending') return done({ outcome: 'NOT_IN_DRAW', message: `该发票已登记，正在等待税务核验；核验通过后参加${label}期抽奖。` });
      return done({ outcome: 'NOT_IN_DRAW', message: '该发票已登记，但未通过核验或已作废，不参加抽奖。' });
    }

    const entry = await this.draws.entryByRef(drawId, ref);
    if (!entry) return done({ outcome: 'NOT_IN_DRAW', message: `该发票已登记，但未进入${label}期抽奖（抽奖截止时未通过核验）。` });
    const tickets = num(entry.tickets);
    if (!isDrawn(head)) return done({ outcome: 'AWAITING_DRAW', tickets, message: `该发票已进入${label}期抽奖，共 ${tickets} 注，等待开奖。` });
    if (!isPublished(head)) return done({ outcome: 'AWAITING_PUBLICATION', tickets, message: `${label}期已开奖，结果公布后可查询是否中奖。` });

    const pick = await this.draws.pickOfEntry(drawId, entry.position);
    if (!pick) return done({ outcome: 'NOT_WON', tickets, message: `该发票参加了${label}期抽奖（${tickets} 注），未中奖。` });
    const prize = await this.prizes.latestForRef(drawId, ref);
    const alternateRank = pick.kind === 'alternate' ? num(pick.alternate_rank) : null;
    if (!prize) {
      if (pick.kind === 'alternate')
        return done({ outcome: 'ALTERNATE', tickets, alternateRank, message: `该发票是${label}期候补第 ${alternateRank} 名：有中奖者放弃或逾期未领时依次递补。` });
      // A winner without a prize row: the publication is still being written; report the drawn tier.
      const t = (await this.draws.tiersOf(drawId)).find((x) => x.tier === num(pick.tier));
      return done({
        outcome: 'WON',
        tickets,
        prize: { tier: num(pick.tier), tierName: t?.name ?? '', slot: num(pick.slot), prizeCents: t?.prizeCents ?? 0, claimStatus: 'unclaimed' },
        message: `恭喜！该发票在${label}期抽奖中获得${t?.name ?? ''}（${yuan(t?.prizeCents ?? 0)}）。`,
      });
    }
    const claimStatus = claimStatusOf(prize.status);
    const via = alternateRank !== null ? `（候补第 ${alternateRank} 名递补）` : '';
    return done({
      outcome: 'WON',
      tickets,
      alternateRank,
      prize: { tier: num(prize.tier), tierName: prize.tier_name, slot: num(prize.slot), prizeCents: num(prize.gross_cents), claimStatus },
      message: `恭喜！该发票在${label}期抽奖中获得${prize.tier_name}（${yuan(num(prize.gross_cents))}）${via}。`,
    });
  }

  // ---- feed -----------------------------------------------------------------------------------------

  /** Atom feed, one entry per published draw (newest first). `baseUrl` is absolute, without a trailing slash. */
  async feed(baseUrl: string): Promise<CachedBody> {
    const head = await this.cache.head('feed', () => this.draws.publishedVersion());
    return this.cache.getOrCompute(`feed:${short(baseUrl)}:${head}`, FEED_TTL_MS, async () => {
      const rows = await this.draws.latestPublished(FEED_SIZE);
      const [counts, storedNames] = await Promise.all([
        this.draws.winnerCountsOf(rows.map((r) => r.id)),
        this.storedCampaigns.storedNamesOf([...new Set(rows.map((r) => r.campaign_id).filter((id) => !this.catalog.get(id)))]),
      ]);
      const entries = rows.map((r) => {
        const name = this.catalog.get(r.campaign_id)?.name ?? storedNames.get(r.campaign_id) ?? r.campaign_id;
        const tiers = JSON.parse(r.tiers) as DrawTier[];
        const tierText = tiers
          .map((t) => `${t.name} ${num(counts.find((c) => c.draw_id === r.id && num(c.tier) === t.tier)?.n ?? 0)} 名（每名 ${yuan(t.prizeCents)}）`)
          .join('；');
        const api = `${baseUrl}/api/v1/public/draws/${encodeURIComponent(r.id)}`;
        return {
          id: stableUrn(`draw:${r.id}`),
          title: `${name} ${periodLabel(r.period_key)}期${r.pool_id === 'main' ? '' : ` ${r.pool_name ?? r.pool_id}`}开奖结果`,
          updated: new Date(r.published_at ?? r.updated_at),
          links: [
            { href: `${baseUrl}/draws/${encodeURIComponent(r.id)}`, rel: 'alternate', type: 'text/html', title: '中奖名单' },
            { href: `${api}/audit`, rel: 'related', type: 'application/json', title: '审计包（ILD-1）' },
            { href: `${api}/entries`, rel: 'related', type: 'text/csv', title: '参与发票清单' },
          ],
          summary: `${tierText}。参与发票 ${num(r.entry_count)} 张，共 ${num(r.total_tickets)} 注。`,
        };
      });
      const campaignNames = this.catalog.campaigns.map((c) => c.name).join('、');
      return renderAtom({
        id: stableUrn('feed'),
        title: `${campaignNames || '有奖发票'} 开奖公告`,
        subtitle: '每期开奖结果、中奖名单与可验证的审计数据',
        updated: entries.length ? new Date(Math.max(...entries.map((e) => e.updated.getTime()))) : new Date(0),
        selfHref: `${baseUrl}/api/v1/public/feed.atom`,
        alternateHref: `${baseUrl}/`,
        entries,
      });
    });
  }
}
