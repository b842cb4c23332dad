/**
 * The API the console runs on, over a real socket against the real MariaDB and Redis: staff cookie
 * sessions (cookie attributes, idle timeout on the service clock, sign-out, revocation), the CSRF checks
 * (a cross-site form post is refused before anything is read or written), the dashboard's numbers against
 * the invoices table itself, and the staff feed upload with its progress and import log.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { SessionStore } from '../../src/auth/session.store.js';
import { registryRecord } from '../security/support.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, type TestApi } from '../support/test-env.js';

const CAMPAIGN = 'henan-2022';
const AUGUST = `${CAMPAIGN}-2022-08`;
const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let db: DataSource;
let adminToken: string;
const operator = { username: 'console.operator', password: 'operator-password-1' };
const operator2 = { username: 'console.operator2', password: 'operator-password-2' };
let origin: string;

interface Session {
  cookie: string;
  csrfToken: string;
  setCookie: string;
  id: number;
}

async function signIn(account: { username: string; password: string }, headers: Record<string, string> = {}): Promise<Session> {
  const res = await api.http.request('POST', '/api/v1/admin/auth/session', { body: account, headers: { origin, ...headers } });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0], csrfToken: res.body.csrfToken, setCookie, id: res.body.id };
}

/** A request made the way the console makes it: cookie, same Origin, CSRF header (each overridable). */
function withSession(s: Session, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  return api.http.request(method, path, { ...options, headers: { cookie: s.cookie, origin, 'x-csrf-token': s.csrfToken, ...(options.headers ?? {}) } });
}

beforeAll(async () => {
  api = await startTestApi({ clock, env: { TRUST_PROXY: 'loopback', SESSION_IDLE_TIMEOUT_SECONDS: '600' } });
  origin = api.baseUrl;
  db = api.app.get<DataSource>(getDataSourceToken());
  await api.app.get(DrawLifecycleService).ensureCampaign(api.app.get(CampaignCatalog).get(CAMPAIGN)!);
  adminToken = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  for (const account of [operator, operator2]) {
    const created = await api.http.post('/api/v1/admin/staff', { ...account, roles: ['operator'] }, adminToken);
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

describe('staff cookie sessions', () => {
  test('sign-in sets an HttpOnly, SameSite=Strict cookie scoped to the admin API; Secure behind a TLS proxy; no token in the body', async () => {
    const plain = await signIn(operator);
    expect(plain.setCookie).toMatch(/^il_staff_session=[A-Za-z0-9_-]{43}; Path=\/api\/v1\/admin; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const res = await api.http.request('POST', '/api/v1/admin/auth/session', { body: operator, headers: { origin: 'https://console.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'console.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    expect(res.body).toEqual({ id: plain.id, username: operator.username, roles: ['operator'], csrfToken: expect.any(String), idleTimeoutSeconds: 600 });
    expect(JSON.stringify(res.body)).not.toContain(plain.cookie.split('=')[1]);
    // Redis keeps only a digest of the cookie value.
    const redisKeys = await api.app.get(SessionStore)['redis'].keys(`${api.config.REDIS_PREFIX}:session:staff:*`);
    expect(redisKeys.length).toBeGreaterThan(0);
    expect(redisKeys.join()).not.toContain(plain.cookie.split('=')[1]);
  });

  test('the cookie opens what the role opens and no more; GET …/session gives the CSRF token back', async () => {
    const s = await signIn(operator);
    expect((await withSession(s, 'GET', '/api/v1/admin/draws')).status).toBe(200);
    expect((await withSession(s, 'GET', '/api/v1/admin/staff')).body.code).toBe('ROLE_REQUIRED');
    const current = await api.http.request('GET', '/api/v1/admin/auth/session', { headers: { cookie: s.cookie } });
    expect(current.body).toMatchObject({ username: operator.username, csrfToken: s.csrfToken });
    expect(current.headers.get('cache-control')).toBe('no-store');
    expect((await api.http.get('/api/v1/admin/auth/session')).body.code).toBe('SESSION_REQUIRED');
    // The staff cookie is not a consumer credential.
    expect((await api.http.request('GET', '/api/v1/me', { headers: { cookie: s.cookie } })).body.code).toBe('AUTH_REQUIRED');
  });

  test('a wrong password is 401 INVALID_CREDENTIALS and sets no cookie', async () => {
    const res = await api.http.request('POST', '/api/v1/admin/auth/session', { body: { ...operator, password: 'wrong-password-123' }, headers: { origin } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  test('the session ends after the idle timeout on the service clock, and is kept alive by use', async () => {
    const s = await signIn(operator);
    clock.advance(500_000);
    expect((await withSession(s, 'GET', '/api/v1/admin/draws')).status).toBe(200);
    clock.advance(500_000); // 1000 s since sign-in, 500 s since the last use
    expect((await withSession(s, 'GET', '/api/v1/admin/draws')).status).toBe(200);
    clock.advance(601_000);
    const expired = await withSession(s, 'GET', '/api/v1/admin/draws');
    expect([expired.status, expired.body.code]).toEqual([401, 'SESSION_EXPIRED']);
  });

  test('sign-out ends the session at once and clears the cookie; signing out twice is fine', async () => {
    const s = await signIn(operator);
    const out = await withSession(s, 'DELETE', '/api/v1/admin/auth/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^il_staff_session=; Path=\/api\/v1\/admin; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect((await withSession(s, 'GET', '/api/v1/admin/draws')).body.code).toBe('SESSION_EXPIRED');
    expect((await api.http.request('DELETE', '/api/v1/admin/auth/session', { headers: { origin } })).status).toBe(204);
  });

  test("a password reset or a deactivation ends every browser session of the account, signed in before it", async () => {
    const resetOf = await signIn(operator2);
    const other = await signIn(operator2);
    const id = resetOf.id;
    clock.advance(1000);
    expect((await api.http.post(`/api/v1/admin/staff/${id}/password`, { password: 'operator-password-2b' }, adminToken)).status).toBe(204);
    for (const s of [resetOf, other]) expect((await withSession(s, 'GET', '/api/v1/admin/draws')).body.code).toBe('TOKEN_REVOKED');
    operator2.password = 'operator-password-2b';
    clock.advance(1000);
    const fresh = await signIn(operator2);
    expect((await withSession(fresh, 'GET', '/api/v1/admin/draws')).status).toBe(200);

    expect((await api.http.request('PATCH', `/api/v1/admin/staff/${id}`, { body: { active: false }, token: adminToken })).status).toBe(200);
    expect((await withSession(fresh, 'GET', '/api/v1/admin/draws')).body.code).toBe('STAFF_ACCOUNT_DISABLED');
    clock.advance(1000);
    expect((await api.http.request('PATCH', `/api/v1/admin/staff/${id}`, { body: { active: true }, token: adminToken })).status).toBe(200);
    // Reactivation does not revive the sessions opened before the deactivation.
    expect((await withSession(fresh, 'GET', '/api/v1/admin/draws')).body.code).toBe('TOKEN_REVOKED');
  });
});

describe('CSRF', () => {
  let session: Session;
  const requestsOf = async () => Number((await db.query(`SELECT COUNT(*) AS n FROM draw_requests WHERE draw_id = ?`, [AUGUST]))[0].n);

  beforeAll(async () => {
    clock.set('2022-09-06T00:00:01+08:00');
    await api.app.get(DrawLifecycleService).freezeDraw(AUGUST);
    session = await signIn(operator);
  });

  test('a cross-site form post with the cookie is refused before its body is read, and changes nothing', async () => {
    const before = await requestsOf();
    const res = await api.http.request('POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, {
      raw: 'beacon=attacker',
      headers: { cookie: session.cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
    });
    expect([res.status, res.body.code]).toEqual([403, 'CSRF_ORIGIN_MISMATCH']);
    // Even one that guessed the token (it cannot read it) and sent JSON is refused by its Origin.
    const json = await withSession(session, 'POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { body: {}, headers: { origin: 'https://evil.example' } });
    expect([json.status, json.body.code]).toEqual([403, 'CSRF_ORIGIN_MISMATCH']);
    // A request without any Origin is not trusted either.
    const none = await api.http.request('POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { body: {}, headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } });
    expect([none.status, none.body.code]).toEqual([403, 'CSRF_ORIGIN_MISMATCH']);
    expect(await requestsOf()).toBe(before);
  });

  test('same origin without the token, or with a wrong one, is refused; with it the request goes through', async () => {
    const before = await requestsOf();
    for (const token of [undefined, 'x'.repeat(43), (await signIn(operator2)).csrfToken]) {
      const headers: Record<string, string> = { cookie: session.cookie, origin };
      if (token) headers['x-csrf-token'] = token;
      const res = await api.http.request('POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { body: {}, headers });
      expect([res.status, res.body.code]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    }
    expect(await requestsOf()).toBe(before);
    const ok = await withSession(session, 'POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { body: { beacon: '双色球2022101期：02 09 14 21 27 33+11' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'pending', beacon: '双色球2022101期：02 09 14 21 27 33+11', requestedBy: { id: session.id } });
    expect(await requestsOf()).toBe(before + 1);
  });

  test('bearer-token clients are unaffected (no Origin, no CSRF token), also with a stray cookie', async () => {
    const token = await api.http.staffToken(operator.username, operator.password);
    const res = await api.http.request('POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { body: {}, token, headers: { cookie: session.cookie } });
    expect(res.status).toBe(201);
  });
});

describe('dashboard', () => {
  test('counts by day, city and status equal a GROUP BY over invoices, through registration, recheck and revocation', async () => {
    clock.set('2022-10-10T10:00:00+08:00');
    const consumer = await createConsumer(api.app);
    const register = async (code: string, issueDate: string, withRecord: boolean) => {
      const invoice = { invoiceCode: code, invoiceNumber: henanInvoice().invoiceNumber };
      if (withRecord) await insertRegistryRecord(api.app, { ...invoice, issueDate, amountCents: 5000, taxCents: 0 });
      const res = await api.http.post('/api/v1/invoices', { invoiceType: '10', ...invoice, issueDate, amount: '50.00', checkCode: '567890' }, consumer.token);
      expect(res.status).toBe(201);
      return invoice;
    };
    await register('041012200111', '2022-10-08', true); // 郑州 verified
    await register('041032200111', '2022-10-09', false); // 洛阳 pending
    const later = await register('041032200111', '2022-10-09', false); // 洛阳 pending, its record comes later
    clock.set('2022-10-11T09:00:00+08:00');
    await register('041132200111', '2022-10-10', true); // 南阳 verified, on the 11th
    // Refusals are counted by reason code.
    for (let i = 0; i < 3; i++) expect((await api.http.post('/api/v1/invoices', { invoiceType: '01', ...henanInvoice(), issueDate: '2022-10-09', amount: '50.00' }, consumer.token)).status).toBe(422);
    // One pending registration is verified later (as the worker's recheck does: any writer of invoices keeps the counts).
    await db.query(`UPDATE invoices SET status = 'verified', status_reason = NULL, paid_cents = 5000, matched_amount = 'total', verified_at = NOW(3) WHERE invoice_number = ?`, [later.invoiceNumber]);

    let s = await signIn(operator);
    const started = Date.now();
    const res = await withSession(s, 'GET', '/api/v1/admin/dashboard?period=2022-10');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.period).toMatchObject({ key: '2022-10', freezeAt: '2022-11-05T16:00:00.000Z', current: true });
    expect(d.period.secondsUntilFreeze).toBe((Date.parse('2022-11-05T16:00:00Z') - clock.now().getTime()) / 1000);

    const truth: Array<{ day: string; region: string; status: string; n: string }> = await db.query(
      `SELECT registered_on AS day, SUBSTRING(invoice_code, 2, 4) AS region, status, COUNT(*) AS n FROM invoices WHERE period_key = '2022-10' GROUP BY 1, 2, 3`,
    );
    const byDay: Record<string, Record<string, number>> = {};
    for (const t of truth) byDay[t.day] = { ...(byDay[t.day] ?? {}), [t.status]: (byDay[t.day]?.[t.status] ?? 0) + Number(t.n) };
    expect(Object.fromEntries(d.registrations.byDay.map((x: any) => [x.day, Object.fromEntries(Object.entries(x).filter(([k, v]) => k !== 'day' && v))]))).toEqual(byDay);
    expect(d.registrations.byDay.map((x: any) => x.day)).toEqual(['2022-10-10', '2022-10-11']);
    expect(d.registrations.byCity.find((c: any) => c.city === '洛阳市')).toEqual({ city: '洛阳市', verified: 1, pending: 1, rejected: 0, revoked: 0 });
    expect(d.registrations.byCity.find((c: any) => c.city === '南阳市')).toMatchObject({ verified: 1 });
    expect(d.registrations.totals).toEqual({ verified: 3, pending: 1, rejected: 0, revoked: 0 });
    expect(d.pending.count).toBe(1);
    expect(d.pending.oldestRegisteredAt).toBe('2022-10-10T02:00:00.000Z');
    expect(d.pending.oldestAgeSeconds).toBe(23 * 3600);
    expect(d.refusals24h).toEqual([{ code: 'INELIGIBLE_TYPE', count: 3 }]);

    // A voided invoice: the verified registration becomes revoked and the counts follow.
    await db.query(`UPDATE invoices SET status = 'revoked', status_reason = 'INVOICE_VOIDED', revoked_at = NOW(3) WHERE invoice_code = '041012200111' AND period_key = '2022-10'`);
    const after = (await withSession(s, 'GET', '/api/v1/admin/dashboard?period=2022-10')).body;
    expect(after.registrations.totals).toEqual({ verified: 2, pending: 1, rejected: 0, revoked: 1 });
    expect(after.registrations.byCity.find((c: any) => c.city === '郑州市')).toEqual({ city: '郑州市', verified: 0, pending: 0, rejected: 0, revoked: 1 });

    // 25 hours on, the refusals have left the window.
    clock.advance(25 * 3600_000);
    s = await signIn(operator); // the old session is long idle
    expect((await withSession(s, 'GET', '/api/v1/admin/dashboard?period=2022-10')).body.refusals24h).toEqual([]);
    expect((await withSession(s, 'GET', '/api/v1/admin/dashboard?period=2031-01')).body.code).toBe('PERIOD_NOT_FOUND');
  });
});

describe('feed upload by staff', () => {
  test('streams into the importer, reports progress to its uploader only, lists rejected lines, and is logged as the feed freshness', async () => {
    const s = await signIn(operator);
    const lines = [JSON.stringify(registryRecord(91_000_001)), '{"invoiceType": "10", "broken', JSON.stringify(registryRecord(91_000_002)), JSON.stringify(registryRecord(91_000_003, { amountCents: -5 }))];
    const res = await withSession(s, 'POST', '/api/v1/admin/registry/imports?progressId=upload-0001', {
      raw: `${lines.join('\n')}\n`,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lines: 4, accepted: 2, rejectedCount: 2, rejected: [{ line: 2, code: 'MALFORMED_JSON' }, { line: 4, code: 'INVALID_FIELD', field: 'amountCents' }] });
    const progress = await withSession(s, 'GET', '/api/v1/admin/registry/imports/upload-0001/progress');
    expect(progress.body).toMatchObject({ state: 'done', lines: 4, accepted: 2, rejectedCount: 2, error: null });
    expect(progress.body.bytes).toBe(Buffer.byteLength(`${lines.join('\n')}\n`));
    // Another operator cannot read it.
    const other = await signIn(operator2);
    expect((await withSession(other, 'GET', '/api/v1/admin/registry/imports/upload-0001/progress')).body.code).toBe('IMPORT_NOT_FOUND');

    const log = await withSession(s, 'GET', '/api/v1/admin/registry/imports');
    expect(log.body[0]).toMatchObject({ source: 'console', actor: `staff:${s.id}:${operator.username}`, complete: true, lines: 4, accepted: 2, rejected: 2 });
    const dash = await withSession(s, 'GET', '/api/v1/admin/dashboard');
    expect(dash.body.feed.lastImport).toMatchObject({ id: res.body.importId, source: 'console', accepted: 2, rejected: 2 });
  });
});
