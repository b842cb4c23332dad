/**
 * The demo data set: consumers with verified identities, the tax bureau's records of the invoices issued
 * to them (and to others) in Henan during the campaign, and the consumers' registrations of those invoices,
 * written as the services would have written them — through multi-row INSERTs of the same column values
 * (PiiProtector hashes and encryption, masking, invoiceRef, Asia/Shanghai registration days), within the
 * intake rules of the campaign (types, region, dates, ¥20 minimum, 90-day window, the period freeze, 5 a
 * day and 45 a month per consumer, buyer name = real name, no excluding flag, no organization buyer).
 *
 * Reproducible: the same seed, counts and options write the same rows (same ids too, into empty tables).
 * The one exception is consumers.phone_encrypted: AES-GCM with a random IV, as PiiProtector.encrypt does;
 * it decrypts to the same phone number.
 *
 * Everything is fictitious: names, phone numbers, identity numbers, sellers and invoices.
 */
import type { DataSource, QueryRunner } from 'typeorm';
import type { CampaignDefinition } from '../src/campaigns/campaign-definition.js';
import { periodForIssueDate, periodsOf, type DrawPeriod } from '../src/campaigns/periods.js';
import { makeResidentId } from '../src/consumers/domain/resident-id.js';
import type { PiiProtector } from '../src/core/crypto/pii.js';
import { maskIdNumber, maskName, maskPhone } from '../src/core/masking.js';
import { addDays, daysBetween, daysInMonth, shanghaiDate, shanghaiMonth, startOfShanghaiDay } from '../src/core/time/shanghai.js';
import { invoiceRef } from '../src/draws/algorithm/index.js';
import type { InvoiceStatus } from '../src/invoices/invoice.entity.js';
import { REGISTRY_FLAGS, type RegistryFlag } from '../src/registry/domain/registry-record.js';
import { loadHenan2022Campaign } from './campaigns/henan-2022.js';
import {
  COMPOUND_SURNAME_SHARE,
  COMPOUND_SURNAMES_DEMO,
  DOTTED_NAME_REGION,
  DOTTED_NAME_SHARE,
  DOTTED_NAMES,
  GIVEN_NAMES,
  HENAN_CITIES,
  MOBILE_PREFIXES,
  ORGANIZATION_KINDS,
  OTHER_ID_REGIONS,
  SHOP_KINDS,
  SURNAMES,
  TAX_ID_CHARS,
  TRADE_WORDS,
  type City,
  type ShopKind,
} from './demo/pools.js';
import { Rng, WeightedPicker } from './demo/random.js';

export interface DemoDataOptions {
  /** Consumers to create (all with a verified identity). */
  consumers: number;
  /** Invoices issued in Henan during the campaign: registry records plus the few the feed has not delivered (pending registrations). */
  invoices: number;
  /** Any string; the same seed (and options) gives the same rows. */
  seed: string;
  /** Share of the unflagged invoices with an individual buyer that get registered by that buyer (default 0.85). */
  registeredShare?: number;
  /** Share of the registrations whose registry record never arrived: status pending, no registry row (default 0.02). */
  pendingShare?: number;
  /** Share of the verified registrations whose invoice was voided or red-flushed afterwards: status revoked (default 0.005). */
  revokedShare?: number;
  /** Default: config/campaigns/henan-2022.json. The generator makes Henan invoices (region 41). */
  campaign?: CampaignDefinition;
  /** Rows per INSERT statement (default 2000). */
  batchRows?: number;
  /** Rows written so far and in all, after each statement (first call (0, total) once the data is generated). */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoPeriodSummary {
  /** 'YYYY-MM', the draw period (issue month). */
  period: string;
  /** Invoices issued in the period (with or without a registry record). */
  issued: number;
  registryRecords: number;
  registrations: number;
  verified: number;
  pending: number;
  revoked: number;
  /** Sum of paid_cents of the verified registrations: what the period's tickets are computed from. */
  verifiedPaidCents: number;
  /** Consumers with at least one verified registration in the period (the draw's holders). */
  holders: number;
}

export interface DemoDataSummary {
  seed: string;
  campaignId: string;
  consumers: number;
  /** Consumers with at least one registration. */
  consumersWithRegistrations: number;
  invoicesIssued: number;
  /** Rows in registry_invoices (issued minus the pending registrations' invoices). */
  registryRecords: number;
  /** Sum of total_cents over the registry records. */
  registryTotalCents: number;
  invoiceTypes: Record<string, number>;
  /** Registry records by flag (a record may carry several; includes the flags set by later voids of revoked registrations). */
  flags: Record<RegistryFlag, number>;
  /** Registry records with at least one flag. */
  flaggedRecords: number;
  organizationBuyers: number;
  /** Issued invoices that could be registered: individual buyer, no flag when issued. */
  eligibleIssued: number;
  registrations: number;
  byStatus: Record<InvoiceStatus, number>;
  /** Registrations dropped because the buyer had reached the daily or monthly limit on every allowed day. */
  skippedByLimits: number;
  /** Sum of paid_cents of the verified registrations. */
  verifiedPaidCents: number;
  /** Issued amounts (total_cents, tax included). */
  amounts: { minCents: number; medianCents: number; p90Cents: number; p99Cents: number; maxCents: number };
  /** Requested and achieved shares (fractions, 4 decimals). */
  shares: {
    requested: { registeredShare: number; pendingShare: number; revokedShare: number };
    registeredOfEligible: number;
    pendingOfRegistrations: number;
    revokedOfRegistrations: number;
    flaggedOfRegistry: number;
    organizationOfIssued: number;
  };
  periods: DemoPeriodSummary[];
  /**
   * The three busiest consumers, to log in as in a demo (`AUTH_DEV_OTP`): synthetic phone numbers. They are
   * stored only hashed, masked and encrypted; this list is the only place they appear in clear.
   */
  sampleLogins: Array<{ consumerId: number; phone: string; name: string; registrations: number }>;
}

/** The reasons the services write (src/invoices/invoices.service.ts PENDING_REASON, invoice-verification.service.ts revoke). */
const PENDING_REASON = 'AWAITING_REGISTRY_RECORD';
const REVOKE_REASON = { voided: 'INVOICE_VOIDED', red: 'INVOICE_RED_FLUSHED' } as const;

const DEFAULT_REGISTERED_SHARE = 0.85;
const DEFAULT_PENDING_SHARE = 0.02;
const DEFAULT_REVOKED_SHARE = 0.005;
const DEFAULT_BATCH_ROWS = 2000;

/** ¥20 (the campaign minimum) to ¥80,000, integer cents. */
const MIN_TOTAL_CENTS = 2000;
const MAX_TOTAL_CENTS = 8_000_000;
const ORGANIZATION_SHARE = 0.03;
/** Each flag independently, per issued invoice: about 3 % of the records carry one. */
const FLAG_RATES: ReadonlyArray<readonly [RegistryFlag, number]> = [
  ['voided', 0.012], ['red', 0.006], ['proxy', 0.005], ['sellerAbnormal', 0.003], ['purchase', 0.002], ['fixed', 0.002],
];
const INVOICE_TYPES = WeightedPicker.of([['10', 65], ['04', 20], ['32', 15]] as const);
/** Individual invoices that print the buyer's name (the others name no buyer). */
const NAMED_BUYER_SHARE = 0.65;
/** Invoices of strangers (not in the demo) that print a name. */
const STRANGER_NAMED_SHARE = 0.5;
/** Of the participants' unregistered invoices: how many of the non-registered eligible invoices belong to a participant anyway. */
const PARTICIPANT_FORGETS = 0.3;
const BUY_IN_HOME_CITY = 0.8;
const QR_SHARE = 0.85;
const SMALL_SCALE_SELLER_SHARE = 0.4;
/** Days from issue to registration (0 = the same day): most within two days, a long thin tail up to three weeks. */
const REGISTRATION_DELAY = new WeightedPicker(
  Array.from({ length: 22 }, (_, d) => d),
  Array.from({ length: 22 }, (_, d) => (d === 0 ? 42 : 30 * Math.pow(0.62, d) + 0.4)),
);
/** Shanghai hour of a registration. */
const REGISTRATION_HOUR = new WeightedPicker(
  Array.from({ length: 24 }, (_, h) => h),
  [0.3, 0.15, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.4, 1.5, 1.8, 2.5, 2.0, 1.4, 1.3, 1.3, 1.6, 2.2, 2.8, 3.0, 2.8, 2.0, 1.0],
);

const CONSUMER_COLUMNS = ['id', 'phone_hash', 'phone_masked', 'phone_encrypted', 'real_name', 'id_number_hash', 'id_number_masked', 'identity_verified_at', 'created_at'] as const;
const REGISTRY_COLUMNS = [
  'id', 'invoice_type', 'invoice_code', 'invoice_number', 'issue_date', 'amount_cents', 'tax_cents', 'total_cents', 'check_code',
  'seller_tax_id', 'seller_name', 'buyer_type', 'buyer_name', 'flags', 'imported_at', 'updated_at',
] as const;
const INVOICE_COLUMNS = [
  'id', 'consumer_id', 'campaign_id', 'period_key', 'invoice_type', 'invoice_code', 'invoice_number', 'ref', 'issue_date', 'amount_cents',
  'check_code', 'source', 'status', 'status_reason', 'paid_cents', 'matched_amount', 'registered_at', 'registered_on', 'registered_month',
  'verified_at', 'revoked_at',
] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface DemoConsumer {
  index: number;
  phone: string;
  realName: string;
  idNumber: string;
  homeCity: City;
  activity: number;
  firstRegistrationMs: number;
  registrations: number;
  createdAt: Date;
  verifiedAt: Date;
  id: number;
}

interface Seller {
  taxId: string;
  name: string;
  city: City;
  kind: ShopKind;
  vatRate: number;
}

interface Registration {
  consumer: DemoConsumer;
  registeredAt: Date;
  registeredOn: string;
  registeredMonth: string;
  source: 'qr' | 'typed';
  checkCode: string | null;
  status: 'verified' | 'pending' | 'revoked';
  verifiedAt: Date | null;
  revokedAt: Date | null;
  revokeFlag: 'voided' | 'red' | null;
  id: number;
}

interface DemoInvoice {
  seq: number;
  issueDate: string;
  period: DrawPeriod;
  seller: Seller;
  invoiceType: string;
  invoiceCode: string;
  invoiceNumber: string;
  amountCents: number;
  taxCents: number;
  totalCents: number;
  checkCode: string | null;
  buyerType: 'individual' | 'organization';
  buyerName: string | null;
  flags: RegistryFlag[];
  /** The participant who bought it, or null (an organization or someone outside the demo). */
  buyer: DemoConsumer | null;
  wantsRegistration: boolean;
  importedAt: Date;
  updatedAt: Date;
  registration: Registration | null;
}

function checkShare(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`seedDemoData: ${name} must be between 0 and 1, got ${value}`);
  return value;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`seedDemoData: ${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/**
 * Generates the demo data set and writes it into the (empty) consumers, registry_invoices and invoices
 * tables of `dataSource`, in one transaction. Throws without writing anything when one of them already
 * holds rows (the CLI's --reset empties them first).
 */
export async function seedDemoData(
  dataSource: DataSource,
  pii: PiiProtector,
  options: DemoDataOptions,
): Promise<DemoDataSummary> {
  const consumerCount = checkCount('consumers', options.consumers, 1);
  const invoiceCount = checkCount('invoices', options.invoices, 0);
  if (typeof options.seed !== 'string') throw new RangeError('seedDemoData: seed must be a string');
  const registeredShare = checkShare('registeredShare', options.registeredShare ?? DEFAULT_REGISTERED_SHARE);
  const pendingShare = checkShare('pendingShare', options.pendingShare ?? DEFAULT_PENDING_SHARE);
  const revokedShare = checkShare('revokedShare', options.revokedShare ?? DEFAULT_REVOKED_SHARE);
  const batchRows = checkCount('batchRows', options.batchRows ?? DEFAULT_BATCH_ROWS, 1);
  const campaign = options.campaign ?? loadHenan2022Campaign();
  if (!campaign.intake.regionPrefixes.some((p) => '41'.startsWith(p) || p.startsWith('41'))) {
    throw new RangeError(`seedDemoData: campaign ${campaign.id} is not a Henan (41) campaign`);
  }

  await assertEmpty(dataSource);

  const data = generate(campaign, pii, { consumerCount, invoiceCount, seed: options.seed, registeredShare, pendingShare, revokedShare });
  await write(dataSource, data, batchRows, options.onProgress);
  return summarize(campaign, data, { seed: options.seed, registeredShare, pendingShare, revokedShare });
}

async function assertEmpty(dataSource: DataSource): Promise<void> {
  const rows: Array<{ t: string }> = await dataSource.query(
    `SELECT 'consumers' AS t FROM consumers HAVING COUNT(*) > 0
     UNION ALL SELECT 'registry_invoices' FROM registry_invoices HAVING COUNT(*) > 0
     UNION ALL SELECT 'invoices' FROM invoices HAVING COUNT(*) > 0`,
  );
  if (rows.length) throw new Error(`seedDemoData: the table(s) ${rows.map((r) => r.t).join(', ')} already hold rows; the demo data needs them empty`);
}

// ---------------------------------------------------------------------------------------------------
// Generation (pure apart from PiiProtector)

interface Generated {
  consumers: DemoConsumer[];
  invoices: DemoInvoice[];
  registrations: Array<{ invoice: DemoInvoice; registration: Registration }>;
  consumerRows: unknown[][];
  registryRows: unknown[][];
  invoiceRows: unknown[][];
  skippedByLimits: number;
}

interface GenerateOptions {
  consumerCount: number;
  invoiceCount: number;
  seed: string;
  registeredShare: number;
  pendingShare: number;
  revokedShare: number;
}

function generate(campaign: CampaignDefinition, pii: PiiProtector, o: GenerateOptions): Generated {
  const campaignDays = daysBetween(campaign.startDate, campaign.endDate) + 1;
  const cityPicker = new WeightedPicker(HENAN_CITIES, HENAN_CITIES.map((c) => c.weight));

  const consumers = makeConsumers(new Rng(o.seed, 'consumers'), o.consumerCount, campaign.startDate, cityPicker);
  const consumerPicker = new WeightedPicker(consumers, consumers.map((c) => c.activity));
  const sellerRng = new Rng(o.seed, 'sellers');
  const sellers = makeSellers(sellerRng, Math.min(20_000, Math.max(20, Math.round(o.invoiceCount / 30))), cityPicker);
  const sellerWeights = sellers.map(() => sellerRng.logNormal(1, 1.1));
  const anySeller = new WeightedPicker(sellers, sellers.map((s, i) => sellerWeights[i] * s.kind.weight));
  const sellersByCity = new Map<string, WeightedPicker<Seller>>();
  for (const city of HENAN_CITIES) {
    const here = sellers.map((s, i) => [s, i] as const).filter(([s]) => s.city === city);
    if (here.length) sellersByCity.set(city.code, new WeightedPicker(here.map(([s]) => s), here.map(([s, i]) => sellerWeights[i] * s.kind.weight)));
  }
  const dayPicker = new WeightedPicker(
    Array.from({ length: campaignDays }, (_, i) => addDays(campaign.startDate, i)),
    Array.from({ length: campaignDays }, (_, i) => dayWeight(addDays(campaign.startDate, i))),
  );

  // 1. The issued invoices, unordered.
  const rng = new Rng(o.seed, 'invoices');
  const participantShare = Math.min(1, o.registeredShare + (1 - o.registeredShare) * PARTICIPANT_FORGETS);
  const invoices: DemoInvoice[] = [];
  for (let seq = 0; seq < o.invoiceCount; seq++) {
    const organization = rng.chance(ORGANIZATION_SHARE);
    const flags: RegistryFlag[] = [];
    for (const [flag, rate] of FLAG_RATES) if (rng.chance(rate)) flags.push(flag);
    const buyer = !organization && rng.chance(participantShare) ? consumerPicker.pick(rng) : null;
    const wantsRegistration = buyer !== null && flags.length === 0 && rng.chance(o.registeredShare / participantShare);
    const seller = (buyer && rng.chance(BUY_IN_HOME_CITY) ? sellersByCity.get(buyer.homeCity.code) : undefined)?.pick(rng) ?? anySeller.pick(rng);
    const issueDate = dayPicker.pick(rng);
    const invoiceType = INVOICE_TYPES.pick(rng);
    const totalCents = receiptCents(rng, seller.kind);
    const amountCents = Math.round(totalCents / (1 + seller.vatRate));
    let buyerName: string | null;
    if (organization) buyerName = `${rng.chance(0.5) ? '河南' : seller.city.name}${rng.pick(TRADE_WORDS)}${rng.pick(ORGANIZATION_KINDS)}`;
    else if (buyer) buyerName = rng.chance(NAMED_BUYER_SHARE) ? buyer.realName : null;
    else buyerName = rng.chance(STRANGER_NAMED_SHARE) ? personName(rng, rng.chance(0.5) ? 'male' : 'female', 1960 + rng.int(45)) : null;
    invoices.push({
      seq,
      issueDate,
      period: periodForIssueDate(campaign, issueDate)!, // any period rule, not only calendar months
      seller,
      invoiceType,
      invoiceCode: '',
      invoiceNumber: '',
      amountCents,
      taxCents: totalCents - amountCents,
      totalCents,
      checkCode: invoiceType === '32' ? null : rng.digits(20),
      buyerType: organization ? 'organization' : 'individual',
      buyerName,
      flags,
      buyer,
      wantsRegistration,
      importedAt: new Date(0),
      updatedAt: new Date(0),
      registration: null,
    });
  }

  // 2. In issue order: invoice codes and numbers run up through the campaign, per city, kind and month.
  invoices.sort((a, b) => (a.issueDate < b.issueDate ? -1 : a.issueDate > b.issueDate ? 1 : a.seq - b.seq));
  assignNumbers(new Rng(o.seed, 'numbers'), invoices);
  const importRng = new Rng(o.seed, 'imports');
  const importedAtByDay = new Map<string, Date>();
  for (const invoice of invoices) {
    let importedAt = importedAtByDay.get(invoice.issueDate);
    if (!importedAt) {
      // The feed is imported nightly, in the small hours after the issue day.
      importedAt = new Date(startOfShanghaiDay(addDays(invoice.issueDate, 1)).getTime() + 2 * HOUR_MS + importRng.int(90 * 60_000));
      importedAtByDay.set(invoice.issueDate, importedAt);
    }
    invoice.importedAt = importedAt;
    invoice.updatedAt = importedAt;
  }

  // 3. Registrations within the limits, and their outcome.
  const { registrations, skippedByLimits } = register(new Rng(o.seed, 'registrations'), campaign, invoices, consumers.length, o);

  // 4. Accounts: opened (and identity verified) before the first registration; ids in order of creation.
  const accountRng = new Rng(o.seed, 'accounts');
  const campaignOpens = startOfShanghaiDay(campaign.startDate).getTime();
  const campaignCloses = startOfShanghaiDay(addDays(campaign.endDate, 1)).getTime();
  for (const c of consumers) {
    if (c.registrations > 0) {
      const latest = c.firstRegistrationMs - 10 * 60_000;
      const earliest = Math.max(campaignOpens, c.firstRegistrationMs - 3 * DAY_MS);
      const created = latest <= earliest ? earliest : earliest + accountRng.int(latest - earliest);
      c.createdAt = new Date(created);
      c.verifiedAt = new Date(created + 60_000 + accountRng.int(Math.max(1, Math.min(30 * 60_000, (c.firstRegistrationMs - created) / 2))));
    } else {
      const created = campaignOpens + accountRng.int(campaignCloses - campaignOpens);
      c.createdAt = new Date(created);
      c.verifiedAt = new Date(created + 60_000 + accountRng.int(30 * 60_000));
    }
  }
  const byCreation = [...consumers].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.index - b.index);
  byCreation.forEach((c, i) => (c.id = i + 1));
  const consumerRows = byCreation.map((c) => {
    return [
      c.id,
      pii.lookupHash('phone', c.phone),
      maskPhone(c.phone),
      pii.encrypt(c.phone),
      c.realName,
      pii.lookupHash('identity', c.idNumber),
      maskIdNumber(c.idNumber),
      c.verifiedAt,
      c.createdAt,
    ];
  });

  // 5. Registry rows (those the feed delivered), in import order.
  const registryRows: unknown[][] = [];
  for (const inv of invoices) {
    if (inv.registration?.status === 'pending') continue;
    registryRows.push([
      registryRows.length + 1,
      inv.invoiceType,
      inv.invoiceCode,
      inv.invoiceNumber,
      inv.issueDate,
      inv.amountCents,
      inv.taxCents,
      inv.totalCents,
      inv.checkCode,
      inv.seller.taxId,
      inv.seller.name,
      inv.buyerType,
      inv.buyerName,
      REGISTRY_FLAGS.filter((f) => inv.flags.includes(f)).join(','),
      inv.importedAt,
      inv.updatedAt,
    ]);
  }

  // 6. Registrations in the order they were made.
  registrations.sort((a, b) => a.registration.registeredAt.getTime() - b.registration.registeredAt.getTime() || a.invoice.seq - b.invoice.seq);
  const invoiceRows = registrations.map(({ invoice: inv, registration: r }, i) => {
    r.id = i + 1;
    const matched = r.status !== 'pending';
    return [
      r.id,
      r.consumer.id,
      campaign.id,
      inv.period.key,
      inv.invoiceType,
      inv.invoiceCode,
      inv.invoiceNumber,
      invoiceRef(inv.invoiceCode, inv.invoiceNumber),
      inv.issueDate,
      inv.totalCents,
      r.checkCode,
      r.source,
      r.status,
      r.status === 'pending' ? PENDING_REASON : r.status === 'revoked' ? REVOKE_REASON[r.revokeFlag!] : null,
      matched ? inv.totalCents : null,
      matched ? 'total' : null,
      r.registeredAt,
      r.registeredOn,
      r.registeredMonth,
      r.verifiedAt,
      r.revokedAt,
    ];
  });

  return { consumers, invoices, registrations, consumerRows, registryRows, invoiceRows, skippedByLimits };
}

/** Weekends and holidays (Mid-Autumn, National Day, 11.11, New Year's Eve) are busier. */
function dayWeight(date: string): number {
  const dow = (daysBetween('1970-01-01', date) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  let w = dow === 0 || dow === 6 ? 1.35 : 1;
  if (date >= '2022-09-10' && date <= '2022-09-12') w *= 1.5;
  if (date >= '2022-10-01' && date <= '2022-10-07') w *= 1.7;
  if (date === '2022-11-11' || date === '2022-12-31') w *= 1.3;
  return w;
}

/** A receipt total in cents: log-normal around the shop kind's median, within ¥20..¥80,000, often round. */
function receiptCents(rng: Rng, kind: ShopKind): number {
  let yuan = 0;
  for (let tries = 0; tries < 20; tries++) {
    yuan = rng.logNormal(kind.medianYuan, kind.sigma);
    if (yuan * 100 >= MIN_TOTAL_CENTS && yuan * 100 <= MAX_TOTAL_CENTS) break;
  }
  const r = rng.float();
  let cents = r < 0.4 ? Math.round(yuan) * 100 : r < 0.7 ? Math.round(yuan * 10) * 10 : Math.round(yuan * 100);
  cents = Math.min(MAX_TOTAL_CENTS, Math.max(MIN_TOTAL_CENTS, cents));
  return cents;
}

function makeConsumers(rng: Rng, count: number, campaignStart: string, cityPicker: WeightedPicker<City>): DemoConsumer[] {
  const phones = new Set<string>();
  const idNumbers = new Set<string>();
  // Adults on the first day of the campaign: born at least 18 years before it.
  const latestBirth = addDays(`${Number(campaignStart.slice(0, 4)) - 18}${campaignStart.slice(4)}`, -1);
  const consumers: DemoConsumer[] = [];
  for (let index = 0; index < count; index++) {
    let phone: string;
    do phone = rng.pick(MOBILE_PREFIXES) + rng.digits(8);
    while (phones.has(phone));
    phones.add(phone);

    const sex = rng.chance(0.5) ? 'male' : 'female';
    // Ages 18-78, most between 25 and 55.
    const age = [18, 25, 35, 45, 55, 65][pickIndex(rng, [0.6, 1.3, 1.4, 1.1, 0.7, 0.3])] + rng.int(7) + (rng.chance(0.5) ? 0 : 3);
    let birth: string;
    do {
      const year = Number(latestBirth.slice(0, 4)) - (age - 18);
      const month = 1 + rng.int(12);
      birth = `${year}-${String(month).padStart(2, '0')}-${String(1 + rng.int(daysInMonth(year, month))).padStart(2, '0')}`;
    } while (birth > latestBirth);

    let realName: string;
    let region: string;
    let homeCity: City;
    if (rng.chance(DOTTED_NAME_SHARE)) {
      realName = rng.pick(DOTTED_NAMES.filter(([, s]) => s === sex))[0];
      region = DOTTED_NAME_REGION;
      homeCity = cityPicker.pick(rng);
    } else {
      realName = personName(rng, sex, Number(birth.slice(0, 4)));
      if (rng.chance(0.92)) {
        const city = cityPicker.pick(rng);
        region = rng.pick(city.counties);
        homeCity = rng.chance(0.85) ? city : cityPicker.pick(rng);
      } else {
        region = rng.pick(OTHER_ID_REGIONS);
        homeCity = cityPicker.pick(rng);
      }
    }
    let idNumber: string;
    do {
      const seq = rng.int(500) * 2 + (sex === 'male' ? 1 : 0); // odd for men, even for women
      idNumber = makeResidentId(region, birth.replace(/-/g, ''), String(seq).padStart(3, '0'));
    } while (idNumbers.has(idNumber));
    idNumbers.add(idNumber);

    consumers.push({
      index,
      phone,
      realName,
      idNumber,
      homeCity,
      activity: rng.logNormal(1, 1.0),
      firstRegistrationMs: Number.POSITIVE_INFINITY,
      registrations: 0,
      createdAt: new Date(0),
      verifiedAt: new Date(0),
      id: 0,
    });
  }
  return consumers;
}

function pickIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.float() * total;
  for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
  return weights.length - 1;
}

const surnamePicker = WeightedPicker.of(SURNAMES);
const compoundPicker = WeightedPicker.of(COMPOUND_SURNAMES_DEMO);

/** A Chinese name: surname (about 1 % compound) and a one- or two-character given name fitting the generation. */
function personName(rng: Rng, sex: 'male' | 'female', birthYear: number): string {
  const surname = rng.chance(COMPOUND_SURNAME_SHARE) ? compoundPicker.pick(rng) : surnamePicker.pick(rng);
  const pool = GIVEN_NAMES[sex];
  const r = rng.float();
  const given = r < 0.3 ? rng.pick(pool.single) : rng.pick(birthYear < 1980 ? pool.older : pool.younger);
  return surname + given;
}

function makeSellers(rng: Rng, count: number, cityPicker: WeightedPicker<City>): Seller[] {
  const kindPicker = new WeightedPicker(SHOP_KINDS, SHOP_KINDS.map((k) => k.weight));
  const taxIds = new Set<string>();
  const sellers: Seller[] = [];
  for (let i = 0; i < count; i++) {
    const city = cityPicker.pick(rng);
    const kind = kindPicker.pick(rng);
    const smallScale = rng.chance(SMALL_SCALE_SELLER_SHARE);
    let taxId: string;
    do {
      // Unified social credit code shape: 91 (company) / 92 (individual business), county, 10 characters.
      taxId = (smallScale ? '92' : '91') + rng.pick(city.counties);
      for (let k = 0; k < 10; k++) taxId += TAX_ID_CHARS[rng.int(TAX_ID_CHARS.length)];
    } while (taxIds.has(taxId));
    taxIds.add(taxId);
    const branch = rng.chance(0.3) ? `（${rng.pick(['中心', '东区', '西区', '南关', '北街', '新城', '人民路', '建设路'])}店）` : '';
    sellers.push({
      taxId,
      name: `${city.name}${rng.pick(TRADE_WORDS)}${kind.suffix}${branch}`,
      city,
      kind,
      vatRate: smallScale ? (rng.chance(0.7) ? 0.01 : 0.03) : kind.vatRate,
    });
  }
  return sellers;
}

/**
 * Invoice codes and numbers, in issue order. Electronic (10) and paper (04) invoices: a 12-digit code
 * '0' + city (4) + '22' + batch (3, changes every month) + '11' (electronic) / '04' (paper), and 8-digit
 * numbers counting up within the code. Fully digital (32): no code, a 20-digit number '22' (year) + '41'
 * (province) + '2' (channel) + city (2) + a 13-digit running number.
 */
function assignNumbers(rng: Rng, invoices: DemoInvoice[]): void {
  const codes = new Map<string, { code: string; next: number }>();
  const digital = new Map<string, number>();
  for (const inv of invoices) {
    const city = inv.seller.city.code;
    if (inv.invoiceType === '32') {
      let next = digital.get(city);
      if (next === undefined) next = 1 + rng.int(1_000_000_000);
      inv.invoiceNumber = `22412${city.slice(2)}${String(next).padStart(13, '0')}`;
      digital.set(city, next + 1 + (rng.chance(0.5) ? rng.int(3) : 0));
      continue;
    }
    const month = Number(inv.issueDate.slice(5, 7));
    const key = `${city}|${inv.invoiceType}|${month}`;
    let state = codes.get(key);
    if (!state) {
      const batch = `${(month + 3) % 10}${String(rng.int(100)).padStart(2, '0')}`; // distinct first digit per month of the campaign
      state = { code: `0${city}22${batch}${inv.invoiceType === '10' ? '11' : '04'}`, next: 1 + rng.int(5_000_000) };
      codes.set(key, state);
    }
    inv.invoiceCode = state.code;
    inv.invoiceNumber = String(state.next).padStart(8, '0');
    state.next += 1 + (rng.chance(0.3) ? rng.int(5) : 0); // other buyers' invoices in between
  }
}

function register(
  rng: Rng,
  campaign: CampaignDefinition,
  invoices: DemoInvoice[],
  consumerCount: number,
  o: GenerateOptions,
): { registrations: Array<{ invoice: DemoInvoice; registration: Registration }>; skippedByLimits: number } {
  const { dailyLimit, monthlyLimit, registrationWindowDays } = campaign.intake;
  const [startYear, startMonth] = campaign.startDate.split('-').map(Number);
  const lastRegistrationDay = addDays(campaign.endDate, campaign.registrationGraceDays + registrationWindowDays);
  const dayCount = daysBetween(campaign.startDate, lastRegistrationDay) + 1;
  const monthCount = (Number(lastRegistrationDay.slice(0, 4)) - startYear) * 12 + Number(lastRegistrationDay.slice(5, 7)) - startMonth + 1;
  const perDay = new Uint8Array(consumerCount * dayCount);
  const perMonth = new Uint16Array(consumerCount * monthCount);
  const monthIndex = (day: string) => (Number(day.slice(0, 4)) - startYear) * 12 + Number(day.slice(5, 7)) - startMonth;

  const registrations: Array<{ invoice: DemoInvoice; registration: Registration }> = [];
  let skippedByLimits = 0;
  for (const invoice of invoices) {
    if (!invoice.wantsRegistration || !invoice.buyer) continue;
    const consumer = invoice.buyer;
    // The last day a registration is accepted: before the period freezes and within the window after issue.
    const beforeFreeze = shanghaiDate(new Date(invoice.period.freezeAt.getTime() - 1));
    const windowEnd = addDays(invoice.issueDate, registrationWindowDays);
    const lastDay = beforeFreeze < windowEnd ? beforeFreeze : windowEnd;
    const preferred = addDays(invoice.issueDate, REGISTRATION_DELAY.pick(rng));
    let day: string | null = null;
    for (let d = preferred > lastDay ? lastDay : preferred; d <= lastDay; d = addDays(d, 1)) {
      const di = consumer.index * dayCount + daysBetween(campaign.startDate, d);
      const mi = consumer.index * monthCount + monthIndex(d);
      if (perDay[di] < dailyLimit && perMonth[mi] < monthlyLimit) {
        perDay[di] += 1;
        perMonth[mi] += 1;
        day = d;
        break;
      }
    }
    if (day === null) {
      skippedByLimits += 1;
      continue;
    }
    const registeredAt = new Date(
      startOfShanghaiDay(day).getTime() + REGISTRATION_HOUR.pick(rng) * HOUR_MS + rng.int(HOUR_MS),
    );
    const source = rng.chance(QR_SHARE) ? 'qr' : 'typed';
    let checkCode = invoice.checkCode;
    if (source === 'typed' && checkCode !== null) {
      // Typed forms: the last 6 digits (what the national verification site asks for) or all 20; optional for paper.
      if (invoice.invoiceType === '04' && rng.chance(0.5)) checkCode = null;
      else if (rng.chance(0.7)) checkCode = checkCode.slice(-6);
    }
    let status: Registration['status'] = 'verified';
    let verifiedAt: Date | null = null;
    let revokedAt: Date | null = null;
    let revokeFlag: Registration['revokeFlag'] = null;
    if (rng.chance(o.pendingShare)) {
      status = 'pending';
    } else {
      // Registered before the nightly feed brought the record: pending, then verified by the recheck job after the import.
      verifiedAt =
        registeredAt.getTime() >= invoice.importedAt.getTime() ? registeredAt : new Date(invoice.importedAt.getTime() + 5_000 + rng.int(15 * 60_000));
      if (rng.chance(o.revokedShare)) {
        status = 'revoked';
        revokeFlag = rng.chance(0.7) ? 'voided' : 'red';
        revokedAt = new Date(verifiedAt.getTime() + DAY_MS + rng.int(9 * DAY_MS));
        invoice.flags.push(revokeFlag);
        invoice.updatedAt = new Date(revokedAt.getTime() - 1000 - rng.int(60_000)); // the void event's import, just before the revoke job
      }
    }
    const registration: Registration = {
      consumer,
      registeredAt,
      registeredOn: shanghaiDate(registeredAt),
      registeredMonth: shanghaiMonth(registeredAt),
      source,
      checkCode,
      status,
      verifiedAt,
      revokedAt,
      revokeFlag,
      id: 0,
    };
    invoice.registration = registration;
    consumer.registrations += 1;
    consumer.firstRegistrationMs = Math.min(consumer.firstRegistrationMs, registeredAt.getTime());
    registrations.push({ invoice, registration });
  }
  return { registrations, skippedByLimits };
}

// ---------------------------------------------------------------------------------------------------
// Writing

async function write(dataSource: DataSource, data: Generated, batchRows: number, onProgress?: (done: number, total: number) => void): Promise<void> {
  const total = data.consumerRows.length + data.registryRows.length + data.invoiceRows.length;
  let done = 0;
  const progress = (rows: number) => {
    done += rows;
    onProgress?.(done, total);
  };
  onProgress?.(0, total);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await insertRows(runner, 'consumers', CONSUMER_COLUMNS, data.consumerRows, batchRows, progress);
    await insertRows(runner, 'registry_invoices', REGISTRY_COLUMNS, data.registryRows, batchRows, progress);
    await insertRows(runner, 'invoices', INVOICE_COLUMNS, data.invoiceRows, batchRows, progress);
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

async function insertRows(
  runner: QueryRunner,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
  batchRows: number,
  progress: (rows: number) => void,
): Promise<void> {
  const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  const placeholders = `(${columns.map(() => '?').join(',')})`;
  for (let i = 0; i < rows.length; i += batchRows) {
    const chunk = rows.slice(i, i + batchRows);
    await runner.query(head + new Array(chunk.length).fill(placeholders).join(','), chunk.flat());
    progress(chunk.length);
  }
}

// ---------------------------------------------------------------------------------------------------
// Summary

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

function summarize(
  campaign: CampaignDefinition,
  data: Generated,
  requested: { seed: string; registeredShare: number; pendingShare: number; revokedShare: number },
): DemoDataSummary {
  const flags = Object.fromEntries(REGISTRY_FLAGS.map((f) => [f, 0])) as Record<RegistryFlag, number>;
  const invoiceTypes: Record<string, number> = {};
  const byStatus: Record<InvoiceStatus, number> = { pending: 0, verified: 0, rejected: 0, revoked: 0 };
  const periods = new Map<string, DemoPeriodSummary & { holderSet: Set<number> }>(
    periodsOf(campaign).map((p) => [
      p.key,
      { period: p.key, issued: 0, registryRecords: 0, registrations: 0, verified: 0, pending: 0, revoked: 0, verifiedPaidCents: 0, holders: 0, holderSet: new Set() },
    ]),
  );
  let registryRecords = 0;
  let registryTotalCents = 0;
  let flaggedRecords = 0;
  let organizationBuyers = 0;
  let eligibleIssued = 0;
  let verifiedPaidCents = 0;
  const totals: number[] = [];
  for (const inv of data.invoices) {
    const p = periods.get(inv.period.key)!;
    p.issued += 1;
    totals.push(inv.totalCents);
    invoiceTypes[inv.invoiceType] = (invoiceTypes[inv.invoiceType] ?? 0) + 1;
    if (inv.buyerType === 'organization') organizationBuyers += 1;
    const laterFlag = inv.registration?.revokeFlag ?? null;
    if (inv.buyerType === 'individual' && inv.flags.filter((f) => f !== laterFlag).length === 0) eligibleIssued += 1;
    const r = inv.registration;
    if (r?.status !== 'pending') {
      registryRecords += 1;
      registryTotalCents += inv.totalCents;
      p.registryRecords += 1;
      if (inv.flags.length) flaggedRecords += 1;
      for (const f of new Set(inv.flags)) flags[f] += 1;
    }
    if (r) {
      p.registrations += 1;
      p[r.status] += 1;
      byStatus[r.status] += 1;
      if (r.status === 'verified') {
        p.verifiedPaidCents += inv.totalCents;
        verifiedPaidCents += inv.totalCents;
        p.holderSet.add(r.consumer.index);
      }
    }
  }
  totals.sort((a, b) => a - b);
  const quantile = (q: number) => (totals.length ? totals[Math.min(totals.length - 1, Math.floor(q * totals.length))] : 0);
  const registrations = data.registrations.length;
  const busiest = [...data.consumers].sort((a, b) => b.registrations - a.registrations || a.id - b.id).slice(0, 3);
  return {
    seed: requested.seed,
    campaignId: campaign.id,
    consumers: data.consumers.length,
    consumersWithRegistrations: data.consumers.filter((c) => c.registrations > 0).length,
    invoicesIssued: data.invoices.length,
    registryRecords,
    registryTotalCents,
    invoiceTypes,
    flags,
    flaggedRecords,
    organizationBuyers,
    eligibleIssued,
    registrations,
    byStatus,
    skippedByLimits: data.skippedByLimits,
    verifiedPaidCents,
    amounts: {
      minCents: totals[0] ?? 0,
      medianCents: quantile(0.5),
      p90Cents: quantile(0.9),
      p99Cents: quantile(0.99),
      maxCents: totals[totals.length - 1] ?? 0,
    },
    shares: {
      requested: { registeredShare: requested.registeredShare, pendingShare: requested.pendingShare, revokedShare: requested.revokedShare },
      registeredOfEligible: ratio(registrations, eligibleIssued),
      pendingOfRegistrations: ratio(byStatus.pending, registrations),
      revokedOfRegistrations: ratio(byStatus.revoked, registrations),
      flaggedOfRegistry: ratio(flaggedRecords, registryRecords),
      organizationOfIssued: ratio(organizationBuyers, data.invoices.length),
    },
    periods: [...periods.values()].map(({ holderSet, ...p }) => ({ ...p, holders: holderSet.size })),
    sampleLogins: busiest
      .filter((c) => c.registrations > 0)
      .map((c) => ({ consumerId: c.id, phone: c.phone, name: maskName(c.realName), registrations: c.registrations })),
  };
}
