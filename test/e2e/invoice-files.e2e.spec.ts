import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import { FILE_LIMITS } from '../../src/invoices/files/file-limits.js';
import { InvoiceFileReader } from '../../src/invoices/files/invoice-file-reader.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { sampleOfd, samplePdf, sampleQr, sampleTaxXml, slowPdf, zipBomb, type SampleInvoice } from '../support/invoice-files.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';
import { eventually } from '../support/waiting.js';

/** POST /api/v1/invoices with the e-invoice file itself, end to end over a real socket and the real database. */
const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;

beforeAll(async () => {
  // A generous time limit here: the slow file of 'reading off the event loop' must be read to its end.
  api = await startTestApi({ clock, env: { INVOICE_FILE_TIMEOUT_MS: '60000' } });
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});

let digitalCounter = 0;
/** A fully digital (数电) Henan invoice: 20-digit number, province 41, no code. */
function digitalInvoice(): SampleInvoice {
  digitalCounter += 1;
  return {
    invoiceType: '32',
    invoiceCode: '',
    invoiceNumber: `2241200000${String(process.pid % 10000).padStart(4, '0')}${String(digitalCounter).padStart(6, '0')}`,
    issueDate: '2022-08-08',
    totalCents: 11300,
    preTaxCents: 10000,
  };
}
function electronicInvoice(): SampleInvoice {
  return { invoiceType: '10', ...henanInvoice(), issueDate: '2022-08-08', totalCents: 11300, preTaxCents: 10000, checkCode: '12345678901234567890' };
}
async function withRecord(inv: SampleInvoice): Promise<SampleInvoice> {
  await insertRegistryRecord(api.app, {
    invoiceType: inv.invoiceType,
    invoiceCode: inv.invoiceCode,
    invoiceNumber: inv.invoiceNumber,
    issueDate: inv.issueDate,
    amountCents: inv.preTaxCents as number,
    taxCents: inv.totalCents - (inv.preTaxCents as number),
    checkCode: inv.checkCode ?? null,
  });
  return inv;
}
const upload = (token: string, file: Buffer, fileName = 'invoice') => api.http.post('/api/v1/invoices', { file: file.toString('base64'), fileName }, token);
const sourceOf = async (id: number) => (await api.app.get(DataSource).query(`SELECT source, invoice_number FROM invoices WHERE id = ?`, [id]))[0];

describe('registering an e-invoice file', () => {
  test('a PDF (QR code image and text) registers like its scanned QR code', async () => {
    const consumer = await createConsumer(api.app);
    const inv = await withRecord(electronicInvoice());
    const res = await upload(consumer.token, await samplePdf(inv), 'dzfp.pdf');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), status: 'verified', tickets: 113 });
    expect(await sourceOf(res.body.id)).toEqual({ source: 'file', invoice_number: inv.invoiceNumber });
    // The same invoice again, now scanned: it is the same invoice (its holder gets that registration back).
    const again = await api.http.post('/api/v1/invoices', { qr: sampleQr(inv) }, consumer.token);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  test('an OFD, sent as a data: URL as a phone browser reads it', async () => {
    const consumer = await createConsumer(api.app);
    const inv = await withRecord(digitalInvoice());
    const file = `data:application/ofd;base64,${sampleOfd(inv).toString('base64')}`;
    const res = await api.http.post('/api/v1/invoices', { file, fileName: 'dzfp.ofd' }, consumer.token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'verified', tickets: 113 });
    const view = await api.http.get(`/api/v1/invoices/${res.body.id}`, consumer.token);
    expect(view.body).toMatchObject({ invoiceType: '32', invoiceCode: '', invoiceNumber: inv.invoiceNumber, amountCents: 11300, status: 'verified' });
  });

  test('the tax system XML; without a registry record yet it waits like any registration', async () => {
    const consumer = await createConsumer(api.app);
    const inv = digitalInvoice();
    const res = await upload(consumer.token, Buffer.from(sampleTaxXml(inv)), 'invoice.xml');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), status: 'pending', tickets: 0, reason: 'AWAITING_REGISTRY_RECORD' });
    expect((await sourceOf(res.body.id)).source).toBe('file');
  });

  test('the campaign rules apply as to any registration', async () => {
    const consumer = await createConsumer(api.app);
    const res = await upload(consumer.token, await samplePdf({ ...electronicInvoice(), issueDate: '2021-08-08' }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('OUTSIDE_CAMPAIGN');
  });
});

describe('hostile and broken files are refused with their codes, and nothing is stored', () => {
  let token: string;
  let consumerId: number;
  beforeAll(async () => {
    const consumer = await createConsumer(api.app);
    token = consumer.token;
    consumerId = consumer.id;
  });
  afterAll(async () => {
    const [{ n }] = await api.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM invoices WHERE consumer_id = ?`, [consumerId]);
    expect(Number(n)).toBe(0);
  });

  test('QR code and printed text disagreeing', async () => {
    const inv = electronicInvoice();
    const res = await upload(token, await samplePdf(inv, { qr: sampleQr(inv, { totalCents: 99900 }) }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'FILE_QR_TEXT_MISMATCH', field: 'amount' });
  });

  test('a zip bomb', async () => {
    const res = await upload(token, zipBomb(12), 'bomb.ofd');
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('FILE_UNPACKED_TOO_LARGE');
  });

  test('a photo (wrong type)', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const res = await upload(token, png, 'photo.png');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('FILE_TYPE_UNSUPPORTED');
  });

  test('oversized: over the file limit, and over the body limit', async () => {
    const justOver = await upload(token, Buffer.alloc(FILE_LIMITS.maxFileBytes + 1, 0x25));
    expect(justOver.status).toBe(413);
    expect(justOver.body.code).toBe('FILE_TOO_LARGE');
    const huge = await upload(token, Buffer.alloc(2 * 1024 * 1024, 0x25));
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('an unreadable PDF, a non-invoice XML, bad base64, a file mixed with fields', async () => {
    const pdf = await upload(token, Buffer.from('%PDF-1.7\n%%EOF garbage'));
    expect([pdf.status, pdf.body.code]).toEqual([422, 'FILE_UNREADABLE']);
    const xml = await upload(token, Buffer.from('<?xml version="1.0"?><html/>'));
    expect([xml.status, xml.body.code]).toEqual([422, 'FILE_NOT_AN_INVOICE']);
    const b64 = await api.http.post('/api/v1/invoices', { file: 'not base64!' }, token);
    expect([b64.status, b64.body.code, b64.body.field]).toEqual([400, 'VALIDATION_FAILED', 'file']);
    const mixed = await api.http.post('/api/v1/invoices', { file: 'JVBERi0=', qr: '01,10' }, token);
    expect([mixed.status, mixed.body.code, mixed.body.field]).toEqual([400, 'VALIDATION_FAILED', 'qr']);
  });
});

describe('files are read on worker threads, off the API event loop, within a time limit', () => {
  const countOf = async (consumerId: number) =>
    Number((await api.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM invoices WHERE consumer_id = ?`, [consumerId]))[0].n);

  test('while a slow file is being read, the API answers other requests', async () => {
    const consumer = await createConsumer(api.app);
    const reader = api.app.get(InvoiceFileReader);
    // One paint, some 4 s of QR scanning in one synchronous stretch on the development machine (see slowPdf),
    // in a file of 1 KB: read on the API's own thread, nothing else would be answered until it is done.
    const slow = upload(consumer.token, slowPdf(1, 1000), 'slow.pdf');
    await eventually('the slow file on its thread', 10_000, async () => reader.stats().reading === 1);
    // Other requests are answered while the file is still being read: a health check, a public read, and
    // another consumer's (quick) file, read on the second thread.
    expect((await api.http.get('/health/live')).status).toBe(200);
    expect((await api.http.get('/api/v1/public/campaigns')).status).toBe(200);
    const other = await createConsumer(api.app);
    const quick = await upload(other.token, Buffer.from('<?xml version="1.0"?><html/>'));
    expect([quick.status, quick.body.code]).toEqual([422, 'FILE_NOT_AN_INVOICE']);
    // ...all before the slow file is done.
    expect(reader.stats().reading).toBe(1);
    // The slow file is read to its end: there is no invoice on it.
    const res = await slow;
    expect([res.status, res.body.code]).toEqual([422, 'FILE_NOT_AN_INVOICE']);
    expect(reader.stats()).toMatchObject({ reading: 0, waiting: 0 });
    expect(await countOf(consumer.id)).toBe(0);
  });

  test('a file still being read after INVOICE_FILE_TIMEOUT_MS is 422 FILE_READ_TIMEOUT and its thread is ended; beyond the queue is 503', async () => {
    // One thread, no queue, 1.5 s: the full-size slow file would take some 40 s.
    const strict = await startTestApi({ clock, config: { ...api.config, INVOICE_FILE_THREADS: 1, INVOICE_FILE_QUEUE: 0, INVOICE_FILE_TIMEOUT_MS: 1500 } });
    try {
      const reader = strict.app.get(InvoiceFileReader);
      const consumer = await createConsumer(strict.app);
      const send = (file: Buffer) => strict.http.post('/api/v1/invoices', { file: file.toString('base64') }, consumer.token);
      // A first file starts the pool's thread.
      expect((await send(Buffer.from('<?xml version="1.0"?><html/>'))).body.code).toBe('FILE_NOT_AN_INVOICE');
      const [thread] = reader.stats().threadIds;
      expect(thread).toEqual(expect.any(Number));

      const started = Date.now();
      const slow = send(slowPdf(1));
      await eventually('the slow file on its thread', 10_000, async () => reader.stats().reading === 1);
      // The one thread is taken and nothing may wait: another file is refused at once, not queued.
      const busy = await send(await samplePdf(electronicInvoice()));
      expect([busy.status, busy.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);

      const res = await slow;
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422, code: 'FILE_READ_TIMEOUT', message: expect.stringContaining('1500 ms') });
      expect(Date.now() - started).toBeLessThan(15_000);
      // The thread that read it was ended (not left spinning on the file); the pool carries on with a new one.
      await eventually('the timed-out thread ended and replaced', 10_000, async () => {
        const { threadIds } = reader.stats();
        return threadIds.length === 1 && !threadIds.includes(thread);
      });
      const inv = await withRecord(electronicInvoice());
      const after = await send(await samplePdf(inv));
      expect([after.status, after.body.status]).toEqual([201, 'verified']);
      expect(reader.stats()).toMatchObject({ reading: 0, waiting: 0 });
      expect(await countOf(consumer.id)).toBe(1);
    } finally {
      await strict.close();
    }
  });
});
