/**
 * The practical ceiling for invoice registration on this machine: a bare `node:http` + mysql2 server that
 * does exactly one INSERT per request into `bare_invoices` (a copy of `invoices`: same columns, indexes and
 * foreign key), with the same connection pool size as the API. Started by bench/registration.bench.ts as a
 * child process; not part of the service.
 *
 *   BARE_DATABASE_URL=mysql://root@127.0.0.1:3306/il_bench_reg_x PORT=0 node dist/bench/bare-insert-server.js
 *
 * It prints `listening <port>` on stdout when ready. For `POST /api/v1/invoices` it reads the JSON body the
 * benchmark sends to the API (`{qr}` or the typed fields), takes the consumer id from the bearer token's
 * payload WITHOUT checking the signature (a JWT is three base64url parts; the id is needed for the foreign
 * key), and inserts one pending row: 201 on success, 409 on a duplicate invoice, 400 on a body it cannot
 * read, 500 otherwise. No validation, no eligibility rules, no limits, no transaction, no registry look-up:
 * everything the API does beyond this is what the comparison measures.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import mysql from 'mysql2/promise';

const url = process.env.BARE_DATABASE_URL;
if (!url) {
  console.error('BARE_DATABASE_URL is required');
  process.exit(2);
}
const pool = mysql.createPool({
  uri: url,
  // The same pool settings as the API (src/core/database/data-source-options.ts).
  connectionLimit: Number(process.env.BARE_POOL_SIZE ?? 20),
  charset: 'utf8mb4_unicode_ci',
  timezone: 'Z',
  supportBigNumbers: true,
  bigNumberStrings: false,
  dateStrings: ['DATE'],
  enableKeepAlive: true,
});

const INSERT =
  'INSERT INTO bare_invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents, check_code, source, status, status_reason, registered_at, registered_on, registered_month) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

interface Row {
  invoiceType: string;
  invoiceCode: string;
  invoiceNumber: string;
  issueDate: string;
  amountCents: number;
  checkCode: string | null;
  source: 'qr' | 'typed';
}

/** The fields of `{qr}` or of the typed form, with no checking beyond what the INSERT needs. */
function rowOf(body: Record<string, unknown>): Row {
  if (typeof body.qr === 'string') {
    const f = body.qr.split(',');
    const d = f[5] ?? '';
    return {
      invoiceType: f[1],
      invoiceCode: f[2],
      invoiceNumber: f[3],
      issueDate: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`,
      amountCents: Math.round(Number(f[4]) * 100),
      checkCode: f[6] || null,
      source: 'qr',
    };
  }
  return {
    invoiceType: String(body.invoiceType),
    invoiceCode: typeof body.invoiceCode === 'string' ? body.invoiceCode : '',
    invoiceNumber: String(body.invoiceNumber),
    issueDate: String(body.issueDate),
    amountCents: Math.round(Number(body.amount) * 100),
    checkCode: typeof body.checkCode === 'string' ? body.checkCode : null,
    source: 'typed',
  };
}

function consumerIdOf(request: IncomingMessage): number {
  const token = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
  return Number(payload.sub);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function register(request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> {
  let row: Row;
  let consumerId: number;
  try {
    row = rowOf(JSON.parse(raw) as Record<string, unknown>);
    consumerId = consumerIdOf(request);
  } catch {
    send(response, 400, { statusCode: 400, code: 'BAD_REQUEST', message: 'unreadable body or token' });
    return;
  }
  // Service time (Asia/Shanghai = UTC+8), as the API stores it.
  const now = new Date();
  const shanghai = new Date(now.getTime() + 8 * 3600_000).toISOString();
  try {
    const [result] = await pool.query(INSERT, [
      consumerId,
      'henan-2022',
      row.issueDate.slice(0, 7),
      row.invoiceType,
      row.invoiceCode,
      row.invoiceNumber,
      createHash('sha256').update(`${row.invoiceCode}-${row.invoiceNumber}`).digest('hex'),
      row.issueDate,
      row.amountCents,
      row.checkCode,
      row.source,
      'pending',
      'AWAITING_REGISTRY_RECORD',
      now,
      shanghai.slice(0, 10),
      shanghai.slice(0, 7),
    ]);
    send(response, 201, { id: (result as { insertId: number }).insertId, status: 'pending', tickets: 0, reason: 'AWAITING_REGISTRY_RECORD' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ER_DUP_ENTRY') send(response, 409, { statusCode: 409, code: 'INVOICE_ALREADY_REGISTERED', message: 'duplicate' });
    else send(response, 500, { statusCode: 500, code: 'INTERNAL_ERROR', message: (error as Error).message });
  }
}

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/api/v1/invoices') {
    if (request.method === 'GET' && request.url === '/health/live') return send(response, 200, { status: 'ok' });
    return send(response, 404, { statusCode: 404, code: 'NOT_FOUND', message: 'not found' });
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => void register(request, response, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 65_000;

const stop = () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`listening ${address.port}`);
});
