import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { campaignFilePath, loadHenan2022Campaign } from '../../seeds/campaigns/henan-2022.js';
import { seedDemoData, type DemoDataSummary } from '../../seeds/demo-data.js';
import { periodsOf } from '../../src/campaigns/periods.js';
import type { AppConfig } from '../../src/core/config/config.schema.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { dataSourceOptions } from '../../src/core/database/data-source-options.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { COMPOUND_SURNAMES } from '../../src/core/masking.js';
import { shanghaiDate, shanghaiMonth } from '../../src/core/time/shanghai.js';
import { invoiceRef } from '../../src/draws/algorithm/index.js';
import { checkEligibility } from '../../src/invoices/domain/eligibility.js';
import type { InvoiceClaim } from '../../src/invoices/domain/invoice-fields.js';
import { formatInvoiceQr, parseInvoiceQr } from '../../src/invoices/domain/qr.js';
import { PENDING_REASON } from '../../src/invoices/invoices.service.js';
import { matchClaimAgainstRecord } from '../../src/registry/domain/match.js';
import { parseRegistryLine, type RegistryFlag } from '../../src/registry/domain/registry-record.js';
import { destroyTestEnvironment, isolatedConfig } from '../support/test-env.js';

/**
 * The demo data generator against the real MariaDB: reproducibility, the intake rules (replayed through the
 * pure rule functions the services use), the period boundaries and the protection of personal data.
 */
const campaign = loadHenan2022Campaign();
const periods = new Map(periodsOf(campaign).map((p) => [p.key, p]));
const SMALL = { consumers: 200, invoices: 2000, seed: 'e2e-seed' };

interface Env {
  config: AppConfig;
  db: DataSource;
  pii: PiiProtector;
  summary?: DemoDataSummary;
}
const envs: Env[] = [];

async function environment(): Promise<Env> {
  const config = isolatedConfig();
  await migrateDatabase(config.DATABASE_URL);
  const db = new DataSource(dataSourceOptions(config.DATABASE_URL));
  await db.initialize();
  const env = { config, db, pii: new PiiProtector(config.PII_KEY) };
  envs.push(env);
  return env;
}

let a: Env; // SMALL
let b: Env; // SMALL again, another database
let c: Env; // SMALL with another seed
let crowded: Env; // few consumers, many invoices: the limits bite

beforeAll(async () => {
  [a, b, c, crowded] = await Promise.all([environment(), environment(), environment(), environment()]);
  const progress: Array<[number, number]> = [];
  a.summary = await seedDemoData(a.db, a.pii, { ...SMALL, onProgress: (done, total) => progress.push([done, total]) });
  b.summary = await seedDemoData(b.db, b.pii, SMALL);
  c.summary = await seedDemoData(c.db, c.pii, { ...SMALL, seed: 'another-seed' });
  crowded.summary = await seedDemoData(crowded.db, crowded.pii, { consumers: 4, invoices: 3000, seed: 'crowded', batchRows: 500 });
  // Progress: starts at 0, grows, ends at the total, one total throughout.
  expect(progress[0][0]).toBe(0);
  expect(progress.at(-1)![0]).toBe(progress[0][1]);
  expect(new Set(progress.map((p) => p[1])).size).toBe(1);
  expect(progress.every((p, i) => i === 0 || p[0] > progress[i - 1][0])).toBe(true);
}, 120_000);

afterAll(async () => {
  for (const env of envs) {
    await env.db.destroy();
    await destroyTestEnvironment(env.config);
  }
});

const plain = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** SHA-256 over the rows of a query, in its order. */
async function digest(db: DataSource, sql: string): Promise<string> {
  const rows: Record<string, unknown>[] = await db.query(sql);
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify(Object.values(row).map(plain))}\n`);
  return hash.digest('hex');
}

/** Every column but phone_encrypted (AES-GCM with a random IV), whose plaintext is digested instead. */
async function digests(env: Env) {
  const encrypted: Array<{ id: string; phone_encrypted: string }> = await env.db.query('SELECT id, phone_encrypted FROM consumers ORDER BY id');
  return {
    consumers: await digest(
      env.db,
      'SELECT id, phone_hash, phone_masked, real_name, id_number_hash, id_number_masked, identity_verified_at, created_at FROM consumers ORDER BY id',
    ),
    phones: createHash('sha256')
      .update(encrypted.map((r) => `${r.id}:${env.pii.decrypt(r.phone_encrypted)}`).join('\n'))
      .digest('hex'),
    registry: await digest(env.db, 'SELECT * FROM registry_invoices ORDER BY id'),
    invoices: await digest(env.db, 'SELECT * FROM invoices ORDER BY id'),
  };
}

interface InvoiceRow {
  id: string;
  consumer_id: string;
  campaign_id: string;
  period_key: string;
  invoice_type: string;
  invoice_code: string;
  invoice_number: string;
  ref: string;
  issue_date: string;
  amount_cents: string;
  check_code: string | null;
  source: 'qr' | 'typed';
  status: string;
  status_reason: string | null;
  paid_cents: string | null;
  matched_amount: string | null;
  registered_at: Date;
  registered_on: string;
  registered_month: string;
  verified_at: Date | null;
  revoked_at: Date | null;
}

interface RegistryRow {
  id: string;
  invoice_type: string;
  invoice_code: string;
  invoice_number: string;
  issue_date: string;
  amount_cents: string;
  tax_cents: string;
  total_cents: string;
  check_code: string | null;
  seller_tax_id: string;
  seller_name: string;
  buyer_type: 'individual' | 'organization';
  buyer_name: string | null;
  flags: string;
  imported_at: Date;
  updated_at: Date;
}

async function load(env: Env) {
  const invoices: InvoiceRow[] = await env.db.query('SELECT * FROM invoices ORDER BY registered_at, id');
  const registry: RegistryRow[] = await env.db.query('SELECT * FROM registry_invoices ORDER BY id');
  const consumers: Array<{ id: string; real_name: string; identity_verified_at: Date; created_at: Date }> = await env.db.query(
    'SELECT id, real_name, identity_verified_at, created_at FROM consumers ORDER BY id',
  );
  return {
    invoices,
    registry,
    registryByIdentity: new Map(registry.map((r) => [`${r.invoice_code}-${r.invoice_number}`, r])),
    consumers: new Map(consumers.map((c) => [c.id, c])),
  };
}

describe('reproducibility', () => {
  it('writes identical rows for the same seed into two databases', async () => {
    const [da, db] = await Promise.all([digests(a), digests(b)]);
    expect(db).toEqual(da);
    expect(b.summary).toEqual(a.summary);
    // The ciphertexts differ (random IVs), the phones behind them do not.
    const [ea, eb] = await Promise.all([
      a.db.query('SELECT phone_encrypted FROM consumers WHERE id = 1'),
      b.db.query('SELECT phone_encrypted FROM consumers WHERE id = 1'),
    ]);
    expect(ea[0].phone_encrypted).not.toBe(eb[0].phone_encrypted);
  });

  it('writes other rows for another seed', async () => {
    const [da, dc] = await Promise.all([digests(a), digests(c)]);
    for (const key of ['consumers', 'phones', 'registry', 'invoices'] as const) expect(dc[key]).not.toBe(da[key]);
  });

  it('refuses to write into tables that hold rows, and writes nothing', async () => {
    const before = await digests(a);
    await expect(seedDemoData(a.db, a.pii, SMALL)).rejects.toThrow(/consumers, registry_invoices, invoices already hold rows/);
    expect(await digests(a)).toEqual(before);
  });

  it('reads the campaign from config/campaigns (no copy under seeds/)', () => {
    expect(campaignFilePath().replace(/\\/g, '/')).toMatch(/\/config\/campaigns\/henan-2022\.json$/);
  });
});

describe('the data set', () => {
  it('has the counts of the summary', async () => {
    const s = a.summary!;
    const [[counts], byStatus, byPeriod] = await Promise.all([
      a.db.query(
        `SELECT (SELECT COUNT(*) FROM consumers) AS consumers, (SELECT COUNT(*) FROM registry_invoices) AS registry,
                (SELECT COALESCE(SUM(total_cents), 0) FROM registry_invoices) AS registryTotal, (SELECT COUNT(*) FROM invoices) AS invoices,
                (SELECT COALESCE(SUM(paid_cents), 0) FROM invoices WHERE status = 'verified') AS verifiedPaid,
                (SELECT COUNT(DISTINCT consumer_id) FROM invoices) AS active,
                (SELECT COUNT(*) FROM registry_invoices WHERE flags <> '') AS flagged,
                (SELECT COUNT(*) FROM registry_invoices WHERE buyer_type = 'organization') AS organizations`,
      ),
      a.db.query('SELECT status, COUNT(*) AS n FROM invoices GROUP BY status'),
      a.db.query(
        `SELECT period_key AS period, COUNT(*) AS registrations, SUM(status = 'verified') AS verified, SUM(status = 'pending') AS pending,
                SUM(status = 'revoked') AS revoked, COALESCE(SUM(IF(status = 'verified', paid_cents, 0)), 0) AS paid,
                COUNT(DISTINCT IF(status = 'verified', consumer_id, NULL)) AS holders
         FROM invoices GROUP BY period_key ORDER BY period_key`,
      ),
    ]);
    expect(Number(counts.consumers)).toBe(SMALL.consumers);
    expect(Number(counts.registry)).toBe(s.registryRecords);
    expect(Number(counts.registryTotal)).toBe(s.registryTotalCents);
    expect(Number(counts.invoices)).toBe(s.registrations);
    expect(Number(counts.verifiedPaid)).toBe(s.verifiedPaidCents);
    expect(Number(counts.active)).toBe(s.consumersWithRegistrations);
    expect(Number(counts.flagged)).toBe(s.flaggedRecords);
    expect(Number(counts.organizations)).toBe(s.organizationBuyers);
    expect(s.invoicesIssued).toBe(SMALL.invoices);
    expect(s.registryRecords + s.byStatus.pending).toBe(SMALL.invoices);
    for (const { status, n } of byStatus) expect(s.byStatus[status as keyof DemoDataSummary['byStatus']]).toBe(Number(n));
    expect(s.byStatus.verified + s.byStatus.pending + s.byStatus.revoked).toBe(s.registrations);
    const periodsWithRegistrations = s.periods.filter((p) => p.registrations > 0);
    expect(
      byPeriod.map((p: any) => ({
        period: p.period,
        registrations: Number(p.registrations),
        verified: Number(p.verified),
        pending: Number(p.pending),
        revoked: Number(p.revoked),
        verifiedPaidCents: Number(p.paid),
        holders: Number(p.holders),
      })),
    ).toEqual(
      periodsWithRegistrations.map(({ period, registrations, verified, pending, revoked, verifiedPaidCents, holders }) => ({
        period, registrations, verified, pending, revoked, verifiedPaidCents, holders,
      })),
    );
    expect(s.periods.map((p) => p.period)).toEqual([...periods.keys()]);
    expect(s.periods.reduce((n, p) => n + p.issued, 0)).toBe(SMALL.invoices);
  });

  it('registers most eligible invoices, a few stay pending, a few are revoked; a few percent flagged or bought by organizations', () => {
    const s = a.summary!;
    expect(s.shares.registeredOfEligible).toBeGreaterThan(0.8);
    expect(s.shares.registeredOfEligible).toBeLessThanOrEqual(0.9);
    expect(s.byStatus.pending).toBeGreaterThan(0);
    expect(s.shares.pendingOfRegistrations).toBeLessThan(0.05);
    expect(s.byStatus.revoked).toBeGreaterThan(0);
    expect(s.shares.revokedOfRegistrations).toBeLessThan(0.02);
    expect(s.byStatus.rejected).toBe(0);
    expect(s.shares.flaggedOfRegistry).toBeGreaterThan(0.01);
    expect(s.shares.flaggedOfRegistry).toBeLessThan(0.08);
    expect(s.shares.organizationOfIssued).toBeGreaterThan(0.01);
    expect(s.shares.organizationOfIssued).toBeLessThan(0.06);
    expect(Object.keys(s.invoiceTypes).sort()).toEqual(['04', '10', '32']);
    expect(s.amounts.minCents).toBeGreaterThanOrEqual(2000);
    expect(s.amounts.medianCents).toBeGreaterThan(8_000);
    expect(s.amounts.medianCents).toBeLessThan(25_000);
    expect(s.amounts.maxCents).toBeGreaterThan(500_000);
    expect(s.sampleLogins).toHaveLength(3);
  });

  it('keeps every consumer within 5 registrations a day and 45 a month', async () => {
    for (const env of [a, crowded]) {
      const [[day], [month]] = await Promise.all([
        env.db.query('SELECT COALESCE(MAX(n), 0) AS max FROM (SELECT COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_on) t'),
        env.db.query('SELECT COALESCE(MAX(n), 0) AS max FROM (SELECT COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_month) t'),
      ]);
      expect(Number(day.max)).toBeLessThanOrEqual(campaign.intake.dailyLimit);
      expect(Number(month.max)).toBeLessThanOrEqual(campaign.intake.monthlyLimit);
    }
    // Where 4 consumers bought ~2,500 eligible invoices, the limits are reached exactly and some are left unregistered.
    const [[day], [month]] = await Promise.all([
      crowded.db.query('SELECT MAX(n) AS max FROM (SELECT COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_on) t'),
      crowded.db.query('SELECT MAX(n) AS max FROM (SELECT COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_month) t'),
    ]);
    expect(Number(day.max)).toBe(campaign.intake.dailyLimit);
    expect(Number(month.max)).toBe(campaign.intake.monthlyLimit);
    expect(crowded.summary!.skippedByLimits).toBeGreaterThan(0);
  });

  it('verified registrations: paid_cents is the registry total, ref is invoiceRef(code, number), amount ≥ ¥20', async () => {
    for (const env of [a, crowded]) {
      const [[bad]] = await Promise.all([
        env.db.query(
          `SELECT COUNT(*) AS registered, SUM(r.id IS NULL) AS withoutRecord, SUM(i.paid_cents <> r.total_cents) AS wrongPaid,
                  SUM(i.amount_cents <> r.total_cents) AS wrongAmount, SUM(i.matched_amount <> 'total') AS wrongMatch,
                  SUM(i.amount_cents < 2000) AS tooSmall, SUM(i.verified_at IS NULL) AS noVerifiedAt, SUM(i.status_reason IS NOT NULL) AS withReason
           FROM invoices i LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
           WHERE i.status = 'verified'`,
        ),
      ]);
      expect(Number(bad.registered)).toBeGreaterThan(0);
      for (const key of ['withoutRecord', 'wrongPaid', 'wrongAmount', 'wrongMatch', 'tooSmall', 'noVerifiedAt', 'withReason']) expect([key, Number(bad[key])]).toEqual([key, 0]);
      const { invoices } = await load(env);
      for (const i of invoices) expect(i.ref).toBe(invoiceRef(i.invoice_code, i.invoice_number));
      expect(invoices.every((i) => Number(i.amount_cents) >= campaign.intake.minAmountCents)).toBe(true);
    }
  });

  it('pending registrations have no registry record; revoked ones a voided or red-flushed record', async () => {
    const { invoices, registryByIdentity } = await load(a);
    const pending = invoices.filter((i) => i.status === 'pending');
    const revoked = invoices.filter((i) => i.status === 'revoked');
    expect(pending.length).toBeGreaterThan(0);
    expect(revoked.length).toBeGreaterThan(0);
    for (const i of pending) {
      expect(registryByIdentity.has(`${i.invoice_code}-${i.invoice_number}`)).toBe(false);
      expect([i.status_reason, i.paid_cents, i.matched_amount, i.verified_at, i.revoked_at]).toEqual([PENDING_REASON, null, null, null, null]);
    }
    for (const i of revoked) {
      const record = registryByIdentity.get(`${i.invoice_code}-${i.invoice_number}`)!;
      const flag = { INVOICE_VOIDED: 'voided', INVOICE_RED_FLUSHED: 'red' }[i.status_reason as string];
      expect(flag).toBeDefined();
      expect(record.flags).toBe(flag);
      expect(Number(i.paid_cents)).toBe(Number(record.total_cents));
      expect(i.revoked_at!.getTime()).toBeGreaterThan(i.verified_at!.getTime());
      expect(record.updated_at.getTime()).toBeLessThan(i.revoked_at!.getTime());
      expect(record.updated_at.getTime()).toBeGreaterThan(record.imported_at.getTime());
    }
  });

  it('issue dates are inside the campaign; registration days within 90 days and before the period freezes', async () => {
    for (const env of [a, crowded]) {
      const { invoices, registry, consumers } = await load(env);
      for (const r of registry) {
        expect(r.issue_date >= campaign.startDate && r.issue_date <= campaign.endDate).toBe(true);
        // Imported by the nightly feed after the issue day.
        expect(shanghaiDate(r.imported_at) > r.issue_date).toBe(true);
      }
      const firstRegistration = new Map<string, number>();
      for (const i of invoices) {
        const period = periods.get(i.period_key)!;
        expect(i.campaign_id).toBe(campaign.id);
        expect(i.period_key).toBe(i.issue_date.slice(0, 7));
        expect(i.issue_date >= campaign.startDate && i.issue_date <= campaign.endDate).toBe(true);
        expect(i.registered_on).toBe(shanghaiDate(i.registered_at));
        expect(i.registered_month).toBe(shanghaiMonth(i.registered_at));
        expect(i.registered_on >= i.issue_date).toBe(true);
        expect((Date.parse(i.registered_on) - Date.parse(i.issue_date)) / 86_400_000).toBeLessThanOrEqual(campaign.intake.registrationWindowDays);
        expect(i.registered_at.getTime()).toBeLessThan(period.freezeAt.getTime());
        if (i.verified_at) expect(i.verified_at.getTime()).toBeGreaterThanOrEqual(i.registered_at.getTime());
        if (!firstRegistration.has(i.consumer_id)) firstRegistration.set(i.consumer_id, i.registered_at.getTime());
      }
      // Accounts exist, with a verified identity, before their first registration.
      for (const [id, first] of firstRegistration) {
        const consumer = consumers.get(id)!;
        expect(consumer.created_at.getTime()).toBeLessThan(consumer.identity_verified_at.getTime());
        expect(consumer.identity_verified_at.getTime()).toBeLessThan(first);
      }
    }
  });

  it('every registration passes the intake rules and the registry match the service applies', async () => {
    for (const env of [a, crowded]) {
      const { invoices, registryByIdentity, consumers } = await load(env);
      const perDay = new Map<string, number>();
      const perMonth = new Map<string, number>();
      for (const i of invoices) {
        const claim: InvoiceClaim = {
          invoiceType: i.invoice_type,
          invoiceCode: i.invoice_code,
          invoiceNumber: i.invoice_number,
          issueDate: i.issue_date,
          amountCents: Number(i.amount_cents),
          checkCode: i.check_code,
          source: i.source,
        };
        const period = periods.get(i.period_key)!;
        const dayKey = `${i.consumer_id}|${i.registered_on}`;
        const monthKey = `${i.consumer_id}|${i.registered_month}`;
        const consumer = consumers.get(i.consumer_id)!;
        expect(
          checkEligibility(
            claim,
            { ...campaign.intake, campaignStart: campaign.startDate, campaignEnd: campaign.endDate },
            {
              today: i.registered_on,
              identityVerified: consumer.identity_verified_at.getTime() < i.registered_at.getTime(),
              periodClosed: i.registered_at.getTime() >= period.freezeAt.getTime(),
              registeredToday: perDay.get(dayKey) ?? 0,
              registeredThisMonth: perMonth.get(monthKey) ?? 0,
              registeredInCampaign: 0,
            },
          ),
        ).toBeNull();
        perDay.set(dayKey, (perDay.get(dayKey) ?? 0) + 1);
        perMonth.set(monthKey, (perMonth.get(monthKey) ?? 0) + 1);

        if (i.source === 'qr') {
          const parsed = parseInvoiceQr(formatInvoiceQr(claim));
          expect(parsed).toEqual({ ok: true, claim });
        }
        const record = registryByIdentity.get(`${i.invoice_code}-${i.invoice_number}`);
        if (i.status === 'pending') continue;
        // As the record was when the registration was verified (a later void added the revoked ones' flag).
        const flags = (record!.flags === '' ? [] : record!.flags.split(',')) as RegistryFlag[];
        const asVerified = {
          ...toRecord(record!),
          flags: i.status === 'revoked' ? flags.filter((f) => f !== 'voided' && f !== 'red') : flags,
        };
        expect(matchClaimAgainstRecord(claim, asVerified, consumer.real_name, campaign.intake)).toEqual({
          result: 'verified',
          matchedAmount: 'total',
          paidCents: Number(record!.total_cents),
        });
      }
    }
  });

  it('registry rows are valid feed records, Henan-issued, of the eligible types, with amounts adding up', async () => {
    const { registry } = await load(a);
    const kinds = new Set<string>();
    for (const r of registry) {
      const record = toRecord(r);
      const parsed = parseRegistryLine(JSON.stringify(record));
      expect(parsed).toEqual({ ok: true, record });
      kinds.add(r.invoice_type);
      if (r.invoice_type === '32') {
        expect(r.invoice_code).toBe('');
        expect(r.invoice_number).toMatch(/^\d{2}41\d{16}$/);
        expect(r.check_code).toBeNull();
      } else {
        expect(r.invoice_code).toMatch(/^041(0[1-9]|1[0-7])22\d{3}(11|04)$/);
        expect(r.invoice_number).toMatch(/^\d{8}$/);
        expect(r.check_code).toMatch(/^\d{20}$/);
        expect(r.invoice_code.slice(-2)).toBe(r.invoice_type === '10' ? '11' : '04');
      }
      const tax = Number(r.tax_cents) / Number(r.amount_cents);
      expect(tax).toBeGreaterThan(0.005);
      expect(tax).toBeLessThan(0.135);
      expect(Number(r.total_cents)).toBeGreaterThanOrEqual(2000);
      if (r.buyer_type === 'organization') expect(r.buyer_name).toMatch(/公司$/);
    }
    expect([...kinds].sort()).toEqual(['04', '10', '32']);
  });

  it('stores phone and identity numbers only hashed, masked and encrypted', async () => {
    for (const env of [a, c]) {
      const rows: Array<Record<string, string>> = await env.db.query('SELECT * FROM consumers ORDER BY id');
      const phones = rows.map((r) => env.pii.decrypt(r.phone_encrypted));
      expect(new Set(phones).size).toBe(rows.length);
      const everything = rows.map((r) => Object.values(r).map(plain).join('\u0001')).join('\n');
      for (const phone of phones) expect(everything.includes(phone)).toBe(false);
      rows.forEach((r, k) => {
        expect(phones[k]).toMatch(/^1[3-9]\d{9}$/);
        expect(r.phone_hash).toBe(env.pii.lookupHash('phone', phones[k]));
        expect(r.phone_masked).toBe(`${phones[k].slice(0, 3)}****${phones[k].slice(-4)}`);
        expect(r.id_number_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(r.id_number_masked).toMatch(/^\d{4}\*{10}\d{3}[\dX]$/);
        expect(r.identity_verified_at).not.toBeNull();
        // Nothing outside the hash columns looks like a phone or an ID number in clear.
        for (const column of ['phone_masked', 'phone_encrypted', 'real_name', 'id_number_masked'])
          expect([column, r[column]]).not.toEqual([column, expect.stringMatching(/1[3-9]\d{9}|\d{17}[\dX]/)]);
      });
      expect(new Set(rows.map((r) => r.id_number_hash)).size).toBe(rows.length);
    }
  });

  it('names: realistic Chinese names, some with a compound surname, buyer names matching real names', async () => {
    const names: Array<{ real_name: string }> = await a.db.query('SELECT real_name FROM consumers');
    for (const { real_name } of names) expect(real_name).toMatch(/^[\u4e00-\u9fa5]{2,4}$|^[\u4e00-\u9fa5]+·[\u4e00-\u9fa5]+$/);
    const [named] = await a.db.query(
      `SELECT SUM(r.buyer_name IS NULL) AS unnamed, SUM(r.buyer_name = c.real_name) AS named, COUNT(*) AS n
       FROM invoices i JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
       JOIN consumers c ON c.id = i.consumer_id`,
    );
    expect(Number(named.unnamed) + Number(named.named)).toBe(Number(named.n));
    expect(Number(named.unnamed)).toBeGreaterThan(0);
    expect(Number(named.named)).toBeGreaterThan(0);
    // A larger, consumer-only set shows the rarer names (about 1 % compound surnames).
    const large = await environment();
    await seedDemoData(large.db, large.pii, { consumers: 3000, invoices: 0, seed: 'names' });
    const all: Array<{ real_name: string }> = await large.db.query('SELECT real_name FROM consumers');
    const compound = all.filter(({ real_name }) => real_name.length >= 3 && COMPOUND_SURNAMES.has(real_name.slice(0, 2)));
    expect(compound.length).toBeGreaterThan(10);
    expect(compound.length).toBeLessThan(80);
  });
});

function toRecord(r: RegistryRow) {
  return {
    invoiceType: r.invoice_type,
    invoiceCode: r.invoice_code,
    invoiceNumber: r.invoice_number,
    issueDate: r.issue_date,
    amountCents: Number(r.amount_cents),
    taxCents: Number(r.tax_cents),
    totalCents: Number(r.total_cents),
    checkCode: r.check_code,
    sellerTaxId: r.seller_tax_id,
    sellerName: r.seller_name,
    buyerType: r.buyer_type,
    buyerName: r.buyer_name,
    flags: (r.flags === '' ? [] : r.flags.split(',')) as RegistryFlag[],
  };
}
