import { connect } from 'node:net';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';

/**
 * Errors that Fastify's router and Node's HTTP parser answer before any route or hook runs: each has the
 * service's one error shape, the security headers, `Cache-Control: no-store`, and never echoes the URL.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
}, 60_000);

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends bytes over a raw socket (no client normalises the URL or refuses the headers) and parses the answer. */
function raw(request: string): Promise<RawResponse> {
  const { port } = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => (chunks.length ? undefined : reject(e)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let body = rest.join('\r\n\r\n');
      if (headers.get('transfer-encoding') === 'chunked') body = body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(request, () => socket.end());
  });
}

const get = (target: string, extraHeaders = ''): Promise<RawResponse> => raw(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extraHeaders}\r\n`);

function expectServiceError(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(JSON.parse(res.body)).toEqual({ statusCode: status, code, message: expect.any(String) });
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
}

describe('Fastify-level errors', () => {
  test('a path parameter over the router limit: 414 URI_TOO_LONG, the URL not echoed', async () => {
    const long = `marker${'x'.repeat(300)}`;
    const res = await get(`/api/v1/public/draws/${long}`);
    expectServiceError(res, 414, 'URI_TOO_LONG');
    expect(res.body).not.toContain('marker');
  });

  test('a bad percent-encoding: 400 BAD_URL, the URL not echoed', async () => {
    const res = await get('/api/v1/public/draws/marker%zz%E0%A4%A');
    expectServiceError(res, 400, 'BAD_URL');
    expect(res.body).not.toContain('marker');
  });

  test('oversized headers: 431 HEADERS_TOO_LARGE', async () => {
    const res = await get('/api/v1/public/campaigns', `X-Big: ${'a'.repeat(20_000)}\r\n`);
    expectServiceError(res, 431, 'HEADERS_TOO_LARGE');
    expect(res.headers.get('connection')).toBe('close');
  });

  test('an unparsable request line: 400 BAD_REQUEST', async () => {
    const res = await raw('NOT A REQUEST\r\n\r\n');
    expectServiceError(res, 400, 'BAD_REQUEST');
  });

  test('an unknown route still has the shape and headers (the ordinary path, for comparison)', async () => {
    const res = await get('/no/such/route');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
