import { request as httpRequest } from 'node:http';
import { randomInt } from 'node:crypto';

/** The one error shape, with an UPPER_SNAKE reason code. */
export const REASON_CODE = /^[A-Z_]+$/;

export interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any;
}

export interface RawOptions {
  /** Exactly the headers sent (no content-type is added). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked in pieces of this many bytes (no Content-Length). */
  chunkBytes?: number;
  /**
   * Send these headers (e.g. a huge Content-Length), write `body` and keep the request open: the answer
   * must come before the body is complete. The socket is destroyed once the answer is read.
   */
  holdOpen?: boolean;
}

/**
 * A request over node:http with full control of the headers and of how the body is sent (fetch adds a
 * content type to string bodies and cannot lie about Content-Length). Write errors after the server has
 * answered and closed (EPIPE, ECONNRESET) are ignored: the answer is what is checked.
 */
export function rawRequest(baseUrl: string, method: string, path: string, options: RawOptions = {}): Promise<RawResult> {
  const url = new URL(path, baseUrl);
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  if (body && !options.chunkBytes && !hasLength) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        if (String(res.headers['content-type'] ?? '').includes('json') && text) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        if (options.holdOpen) req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered || error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
      reject(error);
    });
    if (options.holdOpen) {
      if (body) req.write(body);
      req.flushHeaders();
      return;
    }
    if (body && options.chunkBytes) {
      let offset = 0;
      const writeMore = () => {
        while (offset < body.length && !answered && !req.destroyed) {
          const piece = body.subarray(offset, offset + options.chunkBytes!);
          offset += piece.length;
          if (!req.write(piece)) {
            req.once('drain', writeMore);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      writeMore();
      return;
    }
    req.end(body);
  });
}

/** A fresh documentation-range client address per call, for apps that trust X-Forwarded-For from loopback. */
let ipSeq = 0;
export function nextClientIp(): string {
  ipSeq += 1;
  return `203.0.${Math.floor(ipSeq / 250) % 250}.${(ipSeq % 250) + 1}`;
}

/** Asserts a refusal: 4xx, the one error shape, an UPPER_SNAKE code (one of `codes` when given). */
export function expectRefused(res: { status: number; json?: any; body?: any; text: string }, codes?: readonly string[]): void {
  const body = res.json ?? res.body;
  const context = `${res.status} ${res.text.slice(0, 300)}`;
  if (!(res.status >= 400 && res.status < 500)) throw new Error(`expected a 4xx refusal, got ${context}`);
  if (typeof body !== 'object' || body === null) throw new Error(`expected the JSON error shape, got ${context}`);
  if (body.statusCode !== res.status || typeof body.message !== 'string' || typeof body.code !== 'string' || !REASON_CODE.test(body.code)) {
    throw new Error(`expected {statusCode, code, message} with an UPPER_SNAKE code, got ${context}`);
  }
  if (codes && !codes.includes(body.code)) throw new Error(`expected one of ${codes.join(', ')}, got ${context}`);
}

/**
 * Injection and confusable strings for every text field: SQL, script/HTML, template and path tricks,
 * bidi overrides, zero-width characters, 4-byte characters (emoji and CJK Extension B), NUL and other
 * control characters.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1 --",
  '"; DROP TABLE invoices; --',
  "1'; SELECT SLEEP(5); --",
  '\\\'; DROP TABLE consumers; #',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}#{7*7}',
  '../../../../etc/passwd',
  '\u202Egpj.exe\u202C',
  'a\u200B\u200C\u200D\u2060\uFEFFb',
  '😀🀄👨‍👩‍👧',
  '𠀀𪚥',
  'a\u0000b',
  '\u0000',
  '\u0007\u001b[31m\r\n',
  '%00%27%22',
  'ＳＥＬＥＣＴ＊',
];

/** A hostile string with something valid in front, so length or shape checks alone do not catch it. */
export function withPrefix(valid: string, hostile: string): string {
  return valid + hostile;
}

/** A registry NDJSON record (an issued Henan electronic ordinary invoice); `n` makes the identity unique. */
export function registryRecord(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const amountCents = 2000 + (n % 50_000);
  const taxCents = Math.round(amountCents * 0.13);
  return {
    invoiceType: '10',
    invoiceCode: '041012200111',
    invoiceNumber: String(n % 100_000_000).padStart(8, '0'),
    issueDate: '2022-08-01',
    amountCents,
    taxCents,
    totalCents: amountCents + taxCents,
    checkCode: '12345678901234567890',
    sellerTaxId: '91410100MA44XXXX0X',
    sellerName: '郑州市金水区好运来超市',
    buyerType: 'individual',
    buyerName: null,
    flags: [],
    ...overrides,
  };
}

/**
 * The first of 1,000 invoice numbers no other call in this process gets (registryRecord(base + i) for
 * i < 1000 stay distinct 8-digit numbers). Each test file has its own database, so this only has to be
 * unique within the file.
 */
let nextBase = randomInt(1_000, 50_000) * 1_000;
export function uniqueBase(): number {
  nextBase += 1_000;
  return nextBase;
}
