import { ManualClock } from '../../src/core/clock/clock.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, type TestApi } from '../support/test-env.js';

let api: TestApi;
const clock = new ManualClock('2022-08-10T10:00:00+08:00');

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});

describe('health', () => {
  test('live and ready answer 200 with both services up', async () => {
    expect((await api.http.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await api.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });

  test('ready answers 503 naming Redis when Redis is unreachable, and the process keeps serving', async () => {
    const broken = await startTestApi({ config: { ...api.config, REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const ready = await broken.http.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ database: 'up', redis: 'down' });
      expect((await broken.http.get('/health/live')).status).toBe(200);
      expect((await broken.http.get('/health/ready')).status).toBe(503);
    } finally {
      await broken.close();
    }
  });
});

describe('error shape', () => {
  test('unknown route is 404 with the error shape', async () => {
    const res = await api.http.get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
  });

  test('malformed JSON is 400 MALFORMED_JSON', async () => {
    const res = await api.http.request('POST', '/api/v1/admin/auth/login', { raw: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' });
  });

  test('an oversized body is 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ username: 'a'.repeat(api.config.BODY_LIMIT_BYTES), password: 'x' });
    const res = await api.http.request('POST', '/api/v1/admin/auth/login', { raw: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  test('invalid fields are 400 VALIDATION_FAILED', async () => {
    const res = await api.http.post('/api/v1/admin/auth/login', { username: 42 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  test('security headers are on every response', async () => {
    const res = await api.http.get('/api/v1/nothing-here');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('staff accounts', () => {
  test('the bootstrap admin logs in; wrong password and unknown user are the same 401', async () => {
    const ok = await api.http.post('/api/v1/admin/auth/login', TEST_ADMIN);
    expect(ok.status).toBe(200);
    expect(ok.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const wrong = await api.http.post('/api/v1/admin/auth/login', { username: TEST_ADMIN.username, password: 'wrong-password-123' });
    const unknown = await api.http.post('/api/v1/admin/auth/login', { username: 'nobody', password: 'wrong-password-123' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong username or password' });
    }
  });

  test('the admin creates an operator; short passwords, duplicates and non-admins are refused', async () => {
    const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    const created = await api.http.post('/api/v1/admin/staff', { username: 'operator.li', password: 'operator-password-1', roles: ['operator'] }, admin);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), username: 'operator.li', roles: ['operator'] });
    expect(created.body).not.toHaveProperty('passwordHash');

    const short = await api.http.post('/api/v1/admin/staff', { username: 'auditor.wang', password: 'short-pass', roles: ['auditor'] }, admin);
    expect(short.status).toBe(400);
    expect(short.body.code).toBe('VALIDATION_FAILED');
    const badRole = await api.http.post('/api/v1/admin/staff', { username: 'x.y', password: 'long-enough-pass', roles: ['root'] }, admin);
    expect(badRole.status).toBe(400);
    const dup = await api.http.post('/api/v1/admin/staff', { username: 'operator.li', password: 'operator-password-2', roles: ['auditor'] }, admin);
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('STAFF_USERNAME_TAKEN');

    const operator = await api.http.staffToken('operator.li', 'operator-password-1');
    const forbidden = await api.http.post('/api/v1/admin/staff', { username: 'sneaky', password: 'sneaky-password-1', roles: ['admin'] }, operator);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('ROLE_REQUIRED');
    expect((await api.http.post('/api/v1/admin/staff', { username: 'anon', password: 'anon-password-12', roles: ['admin'] })).status).toBe(401);
  });

  test('a token expires after STAFF_TOKEN_TTL_SECONDS on the service clock', async () => {
    const token = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    expect((await api.http.get('/api/v1/admin/staff', token)).status).toBe(200);
    clock.advance((api.config.STAFF_TOKEN_TTL_SECONDS - 5) * 1000);
    expect((await api.http.get('/api/v1/admin/staff', token)).status).toBe(200);
    clock.advance(10_000);
    const expired = await api.http.get('/api/v1/admin/staff', token);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('TOKEN_EXPIRED');
    const garbage = await api.http.get('/api/v1/admin/staff', 'not.a.token');
    expect(garbage.body.code).toBe('TOKEN_INVALID');
  });
});

test('the OpenAPI document is served', async () => {
  const res = await api.http.get('/api/docs-json');
  expect(res.status).toBe(200);
  expect(res.body.paths).toHaveProperty('/api/v1/admin/auth/login');
});
