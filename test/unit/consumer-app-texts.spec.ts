import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '../../src/app/api-app.js';
import { ApiModule } from '../../src/app/api.module.js';
import { buildOpenApiDocument } from '../../src/app/openapi/openapi-document.js';
import { loadConfig } from '../../src/core/config/config.schema.js';
// @ts-expect-error plain JavaScript of the browser bundle, no declarations
import { parseInvoiceQr } from '../../src/consumer-app/web/invoice-qr.js';
// @ts-expect-error plain JavaScript of the browser bundle, no declarations
import { ERROR_ADVICE, ERROR_TEXTS, explain } from '../../src/web-shared/errors.js';

/**
 * The consumer app never shows a bare reason code: every code a consumer operation documents (OpenAPI
 * x-reason-codes), and every reason an invoice or prize carries, has a Chinese text in the one shared table;
 * every refusal of a registration or a claim also says what to do. And the app reads invoice QR payloads
 * as printed (electronic, paper, 数电).
 */
const CJK = /[\u4e00-\u9fff]/;
let consumerCodes: string[] = [];

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error' });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createFastifyAdapter(config), { preview: true, logger: false, abortOnError: false });
  const document = buildOpenApiDocument(app);
  await app.close();
  const codes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths))
    if (/^\/api\/v1\/(me|invoices|auth)(\/|$)/.test(path))
      for (const op of Object.values(item as Record<string, { 'x-reason-codes'?: string[] }>)) for (const code of op['x-reason-codes'] ?? []) codes.add(code);
  consumerCodes = [...codes].sort();
});

test('every reason code of the consumer API has a Chinese text', () => {
  expect(consumerCodes.length).toBeGreaterThan(30);
  expect(consumerCodes.filter((code) => !CJK.test(ERROR_TEXTS[code] ?? ''))).toEqual([]);
});

test('the reasons an invoice or a prize carries have texts, and every refusal of a registration or claim says what to do', () => {
  const statusReasons = ['AWAITING_REGISTRY_RECORD', 'NOT_VERIFIED_BEFORE_FREEZE', 'INVOICE_VOIDED', 'INVOICE_RED_FLUSHED', 'INVOICE_MISMATCH', 'INVOICE_EXCLUDED', 'CLAIM_WINDOW_EXPIRED'];
  expect(statusReasons.filter((code) => !CJK.test(ERROR_TEXTS[code] ?? ''))).toEqual([]);
  const refusals = consumerCodes.filter((code) => /^(INELIGIBLE|CHECK_CODE|OUTSIDE|ISSUE_DATE|REGISTRATION|AMOUNT|IDENTITY_REQUIRED|PERIOD_CLOSED|DAILY|MONTHLY|INVOICE_(MISMATCH|EXCLUDED|ALREADY)|CLAIMANT|OTP_|RATE_LIMITED)/.test(code));
  expect(refusals.length).toBeGreaterThan(15);
  expect(refusals.filter((code) => !CJK.test(ERROR_ADVICE[code] ?? ''))).toEqual([]);
});

test('RATE_LIMITED says how long to wait, as time', () => {
  expect(explain({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 200 } }).text).toBe('操作太频繁，请在3分20秒后再试');
  expect(explain({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 3700 } }).text).toBe('操作太频繁，请在1小时1分后再试');
  expect(explain({ code: 'SOMETHING_NEW', message: 'server text' }).text).toBe('server text');
});

test('invoice QR payloads as printed: electronic, paper, 数电; anything else is not an invoice', () => {
  expect(parseInvoiceQr('01,10,041002200111,75497001,128.50,20220812,12345678901234567890,A1B2,')).toEqual({
    invoiceType: '10',
    invoiceCode: '041002200111',
    invoiceNumber: '75497001',
    amount: '128.50',
    issueDate: '2022-08-12',
    checkCode: '12345678901234567890',
  });
  expect(parseInvoiceQr('01,04,041002100104,01234567,20,20220901,,B7C9')).toMatchObject({ invoiceType: '04', amount: '20', checkCode: '' });
  expect(parseInvoiceQr('01,32,,22412000000012345678,88.00,20221105,,CD34,')).toMatchObject({ invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000012345678' });
  for (const other of ['https://example.com', '01,10,0410022001,123,1.00,20220812,,', '', '02,10,041002200111,75497001,128.50,20220812,1,A'])
    expect(parseInvoiceQr(other)).toBeNull();
});
