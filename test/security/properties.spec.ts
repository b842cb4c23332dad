/**
 * Property-based tests over HTTP against the real app (its own database and Redis prefix): invoice
 * registration bodies, QR payloads and registry NDJSON imports drawn by fast-check. Never a 500; every
 * refusal carries a known reason code; an import's summary accounts for every non-blank line.
 * A failure prints fast-check's seed and path: re-run with them to reproduce.
 */
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock/clock.js';
import { INTAKE_REJECTION_CODES } from '../../src/invoices/domain/eligibility.js';
import { formatInvoiceQr } from '../../src/invoices/domain/qr.js';
import { RECORD_FIELDS } from '../../src/registry/domain/registry-record.js';
import { MAX_LINE_BYTES } from '../../src/registry/registry-importer.js';
import type { RegistryFlag } from '../../src/registry/domain/registry-record.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';
import { expectRefused, rawRequest, registryRecord } from './support.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let tokens: string[];

beforeAll(async () => {
  api = await startTestApi({ clock });
  // Several verified consumers, used in turn, so the 5-a-day limit does not hide the other outcomes.
  tokens = [];
  for (let i = 0; i < 40; i++) tokens.push((await createConsumer(api.app)).token);
  for (const [i, invoiceNumber] of RECORDED.entries()) {
    await insertRegistryRecord(api.app, {
      invoiceCode: '041012200111',
      invoiceNumber,
      issueDate: '2022-08-08',
      amountCents: 10_000,
      taxCents: 1_300,
      flags: RECORD_FLAGS[i % RECORD_FLAGS.length] as RegistryFlag[],
      buyerName: i % 5 === 4 ? '李四' : null,
    });
  }
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});
afterEach(async () => {
  expect((await api.http.get('/health/live')).status).toBe(200);
});

/** Every reason a registration may be refused with. */
const REGISTRATION_CODES: readonly string[] = [
  'VALIDATION_FAILED',
  'QR_MALFORMED',
  'MALFORMED_JSON',
  ...INTAKE_REJECTION_CODES,
  'INVOICE_MISMATCH',
  'INVOICE_EXCLUDED',
  'INVOICE_ALREADY_REGISTERED',
];

/** With PROPERTY_STATS=1, how often each outcome came up is printed at the end (to check what the arbitraries reach). */
const outcomes = new Map<string, number>();
afterAll(() => {
  if (process.env.PROPERTY_STATS) console.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n'));
});

let turn = 0;
async function register(body: string | Buffer) {
  const token = tokens[turn++ % tokens.length];
  const res = await rawRequest(api.baseUrl, 'POST', '/api/v1/invoices', { body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  const key = `${expect.getState().currentTestName?.slice(26, 60)} | ${res.status} ${res.json?.code ?? res.json?.status ?? ''}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  return res;
}

function expectRegistrationOutcome(res: Awaited<ReturnType<typeof register>>, codes: readonly string[] = REGISTRATION_CODES): void {
  // 200: the same consumer already held the invoice (a retry answers that registration).
  if (res.status === 201 || res.status === 200) {
    expect(res.json).toEqual(expect.objectContaining({ id: expect.any(Number), status: expect.stringMatching(/^(verified|pending)$/), tickets: expect.any(Number) }));
    return;
  }
  expectRefused(res, codes);
  expect([400, 409, 422]).toContain(res.status);
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries for registration

const digitString = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** Values near and far from what a field accepts. */
const fieldValue = (near: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: near },
    { weight: 1, arbitrary: near.map((s) => ` ${s}\t`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown> as fc.Arbitrary<string> },
  );
const invoiceTypeNear = fc.constantFrom('10', '04', '11', '32', '01', '08', '31', '99', '1', '010');
const codeNear = fc.oneof(fc.constantFrom('041012200111', '044012200111', '4101220011', ''), digitString(0, 13));
const numberNear = fc.oneof(digitString(8, 8), digitString(20, 20), fc.constant('22410000000012345678'), digitString(0, 21));
const dateNear = fc.oneof(
  fc.date({ min: new Date('2022-06-01T00:00:00Z'), max: new Date('2023-03-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2022-02-30', '2022-8-8', '20220808', '2022-08-08T00:00:00Z', '0000-00-00'),
);
const amountNear = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`),
  fc.integer({ min: 0, max: 100_000 }).map(String),
  fc.constantFrom('19.99', '20', '-1', '1e3', '01', '1.', '.5', '1.234', '１２３', '99999999999999999', 'NaN'),
);
const checkNear = fc.oneof(digitString(6, 6), digitString(20, 20), digitString(0, 22), fc.constant('567890'));

/** Invoice numbers that have a tax bureau record (inserted in beforeAll), some of them flagged. */
const RECORDED = Array.from({ length: 24 }, (_, i) => String(90_000_001 + i));
const RECORD_FLAGS: string[][] = [[], [], [], ['voided'], ['red'], ['proxy']];

/** A claim that is well-formed and mostly eligible: every rule gets hit now and then (region, type, dates, amount). */
const claim = fc
  .record({
    invoiceType: fc.constantFrom('10', '10', '10', '04', '32', '11', '01'),
    invoiceCode: fc.constantFrom('041012200111', '041012200111', '041022200104', '4101220011', '044012200111'),
    number: fc.oneof({ weight: 3, arbitrary: digitString(8, 8) }, { weight: 1, arbitrary: fc.constantFrom(...RECORDED) }),
    digitalNumber: digitString(16, 16).map((d) => `2241${d}`),
    issueDate: fc.integer({ min: 0, max: 40 }).map((d) => new Date(Date.UTC(2022, 6, 5 + d)).toISOString().slice(0, 10)),
    amountCents: fc.oneof(fc.integer({ min: 1_500, max: 300_000 }), fc.constantFrom(10_000, 11_300, 1_999, 2_000)),
    checkCode: fc.option(digitString(20, 20), { nil: null }),
  })
  .map(({ invoiceType, invoiceCode, number, digitalNumber, issueDate, amountCents, checkCode }) => {
    const digital = invoiceType === '32';
    return { invoiceType, invoiceCode: digital ? '' : invoiceCode, invoiceNumber: digital ? digitalNumber : number, issueDate, amountCents, checkCode };
  });
const yuan = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const TYPED_FIELDS = ['invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'amount', 'checkCode'] as const;
const NEAR: Record<(typeof TYPED_FIELDS)[number], fc.Arbitrary<string>> = {
  invoiceType: invoiceTypeNear,
  invoiceCode: codeNear,
  invoiceNumber: numberNear,
  issueDate: dateNear,
  amount: amountNear,
  checkCode: checkNear,
};
/** Half the time none, else one or two fields replaced (by a near or an arbitrary value) or removed. */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight = 1, otherwise = 1) => fc.oneof({ weight: otherwise, arbitrary: fc.constant(null) }, { weight, arbitrary: arb });
const mutations = sometimes(
  fc.array(
    fc.constantFrom(...TYPED_FIELDS).chain((field) => fc.tuple(fc.constant(field), fc.option(fieldValue(NEAR[field]), { nil: undefined, freq: 4 }))),
    { minLength: 1, maxLength: 2 },
  ),
).map((m) => m ?? []);

/** The typed form of a claim (check code as the last 6 digits or all 20), then mutated. */
const typedBody = fc.tuple(claim, fc.boolean(), mutations).map(([c, last6, changes]) => {
  const body: Record<string, unknown> = {
    invoiceType: c.invoiceType,
    invoiceCode: c.invoiceCode,
    invoiceNumber: c.invoiceNumber,
    issueDate: c.issueDate,
    amount: yuan(c.amountCents),
    ...(c.checkCode ? { checkCode: last6 ? c.checkCode.slice(-6) : c.checkCode } : {}),
  };
  for (const [field, value] of changes) {
    if (value === undefined) delete body[field];
    else body[field] = value;
  }
  return body;
});

/** The QR payload of a claim, or one of its fields replaced / the text cut or extended. */
const qrNear = fc
  .record({
    claim,
    trailer: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('AB12', '0000', null) }, { weight: 1, arbitrary: fc.constantFrom('ab-1', '', 'ABCDE') }),
    trailingComma: fc.boolean(),
    mutate: sometimes(fc.tuple(fc.nat(9), fc.string({ maxLength: 25 })), 1, 2),
    cut: sometimes(fc.nat(120), 1, 4),
  })
  .map(({ claim: c, trailer, trailingComma, mutate, cut }) => {
    let qr = formatInvoiceQr(c, { trailer, trailingComma });
    if (mutate) {
      const parts = qr.split(',');
      parts[mutate[0] % parts.length] = mutate[1];
      qr = parts.join(',');
    }
    return cut === null ? qr : qr.slice(0, cut);
  });

const anyQrString = fc.oneof(
  { weight: 6, arbitrary: qrNear },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(digitString(0, 21), fc.string({ maxLength: 6 })), { minLength: 5, maxLength: 10 }).map((a) => a.join(',')) },
);

describe('POST /api/v1/invoices', () => {
  test('arbitrary JSON bodies: never a 500, every refusal has a known reason code', async () => {
    const body = fc.oneof(
      { weight: 2, arbitrary: fc.jsonValue() },
      { weight: 3, arbitrary: typedBody as fc.Arbitrary<unknown> },
      { weight: 1, arbitrary: fc.record({ qr: anyQrString }) },
      { weight: 1, arbitrary: fc.record({ qr: fc.jsonValue({ maxDepth: 2 }) }) },
      { weight: 1, arbitrary: fc.tuple(typedBody, fc.record({ qr: anyQrString })).map(([a, b]) => ({ ...a, ...b })) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        expectRegistrationOutcome(await register(JSON.stringify(b)));
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary bytes as a JSON body: never a 500, refused as malformed or invalid', async () => {
    const raw = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v).slice(0, -1), 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (bytes) => {
        // An empty JSON body is Fastify's FST_ERR_CTP_EMPTY_JSON_BODY, answered as 400 BAD_REQUEST.
        expectRegistrationOutcome(await register(bytes), [...REGISTRATION_CODES, ...(bytes.length === 0 ? ['BAD_REQUEST'] : [])]);
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary strings as qr: never a 500; a malformed one is 400 QR_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(anyQrString, async (qr) => {
        const res = await register(JSON.stringify({ qr }));
        expectRegistrationOutcome(res);
        if (res.status === 400) expect(res.json.code).toBe('QR_MALFORMED');
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// NDJSON import

type Kind = 'valid' | 'invalid' | 'unknown' | 'blank';
interface Line {
  kind: Kind;
  bytes: Buffer;
  /** The code the line must be rejected with, when known. */
  code?: string;
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
let numberSeq = 0;

/** A record the importer must accept (fields drawn within the rules). */
const validRecord = fc
  .record({
    n: fc.integer({ min: 0, max: 99_999_999 }),
    digital: fc.boolean(),
    amountCents: fc.integer({ min: 0, max: 5_000_000 }),
    taxCents: fc.integer({ min: 0, max: 700_000 }),
    checkCode: fc.option(digitString(20, 20), { nil: null }),
    sellerName: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''),
    buyerType: fc.constantFrom('individual', 'organization'),
    buyerName: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
    flags: fc.subarray(['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal']),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !(RECORD_FIELDS as readonly string[]).includes(k)), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), {
      nil: null,
    }),
  })
  .map((r) => {
    const number = r.digital ? `22411${String(r.n + ++numberSeq).padStart(15, '0')}` : String((r.n + ++numberSeq) % 100_000_000).padStart(8, '0');
    return {
      ...(r.extra ?? {}),
      ...registryRecord(0, {
        invoiceType: r.digital ? '32' : '10',
        invoiceCode: r.digital ? '' : '041012200111',
        invoiceNumber: number,
        amountCents: r.amountCents,
        taxCents: r.taxCents,
        totalCents: r.amountCents + r.taxCents,
        checkCode: r.checkCode,
        sellerName: r.sellerName,
        buyerType: r.buyerType,
        buyerName: r.buyerName,
        flags: r.flags,
      }),
    };
  });

const noNewline = (s: string) => s.replace(/\n/g, ' ');
const ndjsonLine: fc.Arbitrary<Line> = fc.oneof(
  { weight: 5, arbitrary: validRecord.map((r): Line => ({ kind: 'valid', bytes: utf8(JSON.stringify(r)) })) },
  // A valid record with one field replaced by anything or dropped: rejected unless the value happens to fit.
  {
    weight: 3,
    arbitrary: fc.tuple(validRecord, fc.constantFrom(...RECORD_FIELDS), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined })).map(([r, field, value]): Line => {
      const copy: Record<string, unknown> = { ...r };
      if (value === undefined) {
        delete copy[field];
        return { kind: 'invalid', code: 'MISSING_FIELD', bytes: utf8(JSON.stringify(copy)) };
      }
      copy[field] = value;
      return { kind: 'unknown', bytes: utf8(JSON.stringify(copy)) };
    }),
  },
  // Not JSON at all (a leading '#' keeps it non-blank and invalid).
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }).map((s): Line => ({ kind: 'invalid', code: 'MALFORMED_JSON', bytes: utf8(`#${noNewline(s)}`) })) },
  // Invalid UTF-8 and control bytes, no LF (a leading 0xFF decodes to U+FFFD: never blank, never JSON).
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 60 }).map((a): Line => ({ kind: 'invalid', code: 'MALFORMED_JSON', bytes: Buffer.concat([Buffer.from([0xff]), Buffer.from(a.filter((b) => b !== 0x0a))]) })),
  },
  // JSON, but not an object: MALFORMED_JSON; an object without the fields: MISSING_FIELD.
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v): Line => {
      const text = JSON.stringify(v);
      const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
      return { kind: 'invalid', code: isObject ? 'MISSING_FIELD' : 'MALFORMED_JSON', bytes: utf8(text) };
    }),
  },
  // Over the line limit, as junk or as a record with a huge name; and exactly at the limit (not over).
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean(), validRecord).map(([over, asRecord, r]): Line => {
      if (!asRecord) return { kind: 'invalid', code: 'LINE_TOO_LONG', bytes: Buffer.alloc(MAX_LINE_BYTES + over, 0x78) };
      const base = JSON.stringify({ ...r, sellerName: '' });
      return { kind: 'invalid', code: 'LINE_TOO_LONG', bytes: utf8(JSON.stringify({ ...r, sellerName: 'x'.repeat(MAX_LINE_BYTES - base.length + over) })) };
    }),
  },
  { weight: 1, arbitrary: fc.constant<Line>({ kind: 'invalid', code: 'MALFORMED_JSON', bytes: Buffer.alloc(MAX_LINE_BYTES, 0x78) }) },
  // Blank: nothing or ASCII whitespace only.
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', ' \t  ', '\f', '\v').map((s): Line => ({ kind: 'blank', bytes: utf8(s) })) },
);

const ndjsonBody = fc.record({
  lines: fc.array(fc.tuple(ndjsonLine, fc.constantFrom('\n', '\r\n', '\r\r\n')), { maxLength: 40 }),
  terminateLast: fc.boolean(),
  bom: fc.boolean(),
  chunkBytes: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 100_000 })),
});

describe('POST /api/v1/registry/invoices (NDJSON)', () => {
  test('arbitrary bodies: never a 500; accepted + updated + unchanged + rejectedCount = non-blank lines; rejections carry line numbers and codes', async () => {
    await fc.assert(
      fc.asyncProperty(ndjsonBody, async ({ lines, terminateLast, bom, chunkBytes }) => {
        const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
        lines.forEach(([line, separator], i) => {
          parts.push(line.bytes);
          if (i < lines.length - 1 || terminateLast) parts.push(utf8(separator));
        });
        const body = Buffer.concat(parts);
        // Physical lines: every LF ends one; bytes after the last LF are one more.
        let physical = 0;
        for (const b of body) if (b === 0x0a) physical++;
        if (body.length > 0 && body[body.length - 1] !== 0x0a) physical++;
        /** Bytes the splitter counts against the line limit: a BOM on line 1 counts, one CR before LF does not. */
        const counted = (i: number) => {
          const [line, separator] = lines[i];
          const terminated = i < lines.length - 1 || terminateLast;
          return line.bytes.length + (i === 0 && bom ? 3 : 0) + (terminated && separator === '\r\r\n' ? 1 : 0);
        };
        const res = await rawRequest(api.baseUrl, 'POST', '/api/v1/registry/invoices', {
          body,
          chunkBytes,
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TEST_REGISTRY_KEY}` },
        });
        expect(res.status).toBe(200);
        const summary = res.json as { lines: number; accepted: number; updated: number; unchanged: number; rejectedCount: number; rejected: Array<{ line: number; code: string; field?: string; message: string }> };
        expect(summary.lines).toBe(physical);
        const nonBlank = lines.filter(([l]) => l.kind !== 'blank').length;
        expect(summary.accepted + summary.updated + summary.unchanged + summary.rejectedCount).toBe(nonBlank);
        expect(summary.rejected).toHaveLength(summary.rejectedCount);

        const rejectedAt = new Map(summary.rejected.map((r) => [r.line, r]));
        expect(rejectedAt.size).toBe(summary.rejected.length);
        expect(summary.rejected.map((r) => r.line)).toEqual([...rejectedAt.keys()].sort((a, b) => a - b));
        for (const r of summary.rejected) {
          expect(r.line).toBeGreaterThanOrEqual(1);
          expect(r.line).toBeLessThanOrEqual(physical);
          expect(['MALFORMED_JSON', 'MISSING_FIELD', 'INVALID_FIELD', 'LINE_TOO_LONG']).toContain(r.code);
          expect(typeof r.message).toBe('string');
          if (r.code === 'MISSING_FIELD' || r.code === 'INVALID_FIELD') expect(RECORD_FIELDS).toContain(r.field);
          else expect(r).not.toHaveProperty('field');
        }
        lines.forEach(([line], i) => {
          const rejected = rejectedAt.get(i + 1);
          const what = `line ${i + 1} (${line.kind}${line.code ? ` ${line.code}` : ''}): ${line.bytes.subarray(0, 120).toString('utf8')}`;
          if (line.kind === 'valid' || line.kind === 'blank') expect([what, rejected]).toEqual([what, undefined]);
          if (line.kind === 'invalid') expect([what, rejected?.code]).toEqual([what, counted(i) > MAX_LINE_BYTES ? 'LINE_TOO_LONG' : line.code]);
        });
      }),
      { numRuns: Math.max(20, Math.round(RUNS * 0.6)) },
    );
  });
});
