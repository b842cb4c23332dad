/**
 * Staff accounts that can be switched off, on the real app, MariaDB and Redis: admins deactivate, reactivate,
 * change roles, reset passwords and unlock sign-ins, audit-logged with the acting admin; tokens are re-checked
 * against the account (a second replica within STAFF_ACCESS_CACHE_SECONDS); tokens carry issuer, audience and
 * kind; failed sign-ins lock a (username, address) pair with a growing delay while the owner signs in elsewhere.
 */
import { JwtService } from '@nestjs/jwt';
import { ManualClock } from '../../src/core/clock/clock.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, type HttpResult, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
const WINDOW = 60;
const PER_PAIR = 3;
let api: TestApi;
let admin: string;
let adminId: number;
let seq = 0;
let ipSeq = 0;
const nextIp = () => `192.0.2.${++ipSeq}`;

beforeAll(async () => {
  api = await startTestApi({
    clock,
    env: {
      TRUST_PROXY: 'loopback',
      STAFF_ACCESS_CACHE_SECONDS: '2',
      STAFF_LOGIN_MAX_FAILURES_PER_PAIR: String(PER_PAIR),
      STAFF_LOGIN_MAX_FAILURES_PER_USERNAME: '50',
      STAFF_LOGIN_MAX_FAILURES_PER_IP: '50',
      STAFF_LOGIN_WINDOW_SECONDS: String(WINDOW),
    },
  });
  admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  adminId = (await api.http.get('/api/v1/admin/staff', admin)).body.find((s: { username: string }) => s.username === TEST_ADMIN.username).id;
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

const login = (username: string, password: string, ip = nextIp()) =>
  api.http.request('POST', '/api/v1/admin/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': ip } });
const patch = (id: number, body: unknown, token = admin) => api.http.request('PATCH', `/api/v1/admin/staff/${id}`, { body, token });
const expectCode = (res: HttpResult, status: number, code: string) => expect([res.status, res.body?.code]).toEqual([status, code]);

async function newStaff(roles: string[]): Promise<{ id: number; username: string; password: string; token: string }> {
  const username = `staff.${++seq}`;
  const password = `password-of-staff-${seq}`;
  const created = await api.http.post('/api/v1/admin/staff', { username, password, roles }, admin);
  expect(created.status).toBe(201);
  const token = (await login(username, password)).body.accessToken;
  return { id: created.body.id, username, password, token };
}

test('the staff view: list and create answer {id, username, roles, active, createdAt, updatedAt}', async () => {
  const username = `view.${++seq}`;
  const created = await api.http.post('/api/v1/admin/staff', { username, password: 'a-long-password-1', roles: ['auditor'] }, admin);
  const view = { id: expect.any(Number), username, roles: ['auditor'], active: true, createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() };
  expect(created.body).toEqual(view);
  expect((await api.http.get('/api/v1/admin/staff', admin)).body).toEqual(expect.arrayContaining([view]));
});

test('a deactivated operator is refused at once (and on another replica within the cache time); reactivation does not revive old tokens', async () => {
  const op = await newStaff(['operator']);
  const replica = await startTestApi({ config: api.config, clock });
  try {
    expect((await api.http.get('/api/v1/admin/draws', op.token)).status).toBe(200);
    expect((await replica.http.get('/api/v1/admin/draws', op.token)).status).toBe(200); // the replica now believes it

    const off = await patch(op.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: op.id, active: false });
    expectCode(await api.http.get('/api/v1/admin/draws', op.token), 401, 'STAFF_ACCOUNT_DISABLED');
    await new Promise((r) => setTimeout(r, 2200));
    expectCode(await replica.http.get('/api/v1/admin/draws', op.token), 401, 'STAFF_ACCOUNT_DISABLED');
    expectCode(await login(op.username, op.password), 403, 'STAFF_ACCOUNT_DISABLED');
    expectCode(await login(op.username, 'wrong-password-000'), 401, 'INVALID_CREDENTIALS');
  } finally {
    await replica.close();
  }

  clock.advance(1000);
  expect((await patch(op.id, { active: true })).body.active).toBe(true);
  expectCode(await api.http.get('/api/v1/admin/draws', op.token), 401, 'TOKEN_REVOKED');
  const fresh = (await login(op.username, op.password)).body.accessToken;
  expect((await api.http.get('/api/v1/admin/draws', fresh)).status).toBe(200);
});

test('a role change takes effect on existing tokens', async () => {
  const op = await newStaff(['operator']);
  expect((await api.http.get('/api/v1/admin/draws/none/audit-log', op.token)).status).not.toBe(403);
  expect((await patch(op.id, { roles: ['admin'] })).body.roles).toEqual(['admin']);
  expectCode(await api.http.get('/api/v1/admin/draws', op.token), 403, 'ROLE_REQUIRED');
  expect((await api.http.get('/api/v1/admin/staff', op.token)).status).toBe(200);
});

test('an admin cannot deactivate themselves or drop their own admin role (409, logged); bad bodies are 400; unknown ids 404', async () => {
  expectCode(await patch(adminId, { active: false }), 409, 'STAFF_SELF_DEACTIVATION');
  expectCode(await patch(adminId, { roles: ['operator'] }), 409, 'STAFF_SELF_DEMOTION');
  expect((await patch(adminId, { roles: ['admin', 'auditor'] })).status).toBe(200);
  expect((await patch(adminId, { roles: ['admin'] })).status).toBe(200);
  expectCode(await patch(adminId, { roles: ['root'] }), 400, 'VALIDATION_FAILED');
  expectCode(await patch(adminId, { active: 'no' }), 400, 'VALIDATION_FAILED');
  expectCode(await patch(999999, { active: false }), 404, 'STAFF_NOT_FOUND');
  const log = (await api.http.get('/api/v1/admin/staff-audit-log', admin)).body as Array<Record<string, unknown>>;
  expect(log).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ actorId: adminId, actorUsername: TEST_ADMIN.username, action: 'update', targetId: adminId, outcome: 'STAFF_SELF_DEACTIVATION' }),
      expect.objectContaining({ actorId: adminId, action: 'update', targetId: adminId, outcome: 'STAFF_SELF_DEMOTION' }),
    ]),
  );
});

test('a password reset (204) revokes the old tokens and the old password; short passwords are 400', async () => {
  const au = await newStaff(['auditor']);
  clock.advance(1000);
  expectCode(await api.http.post(`/api/v1/admin/staff/${au.id}/password`, { password: 'short' }, admin), 400, 'VALIDATION_FAILED');
  const reset = await api.http.post(`/api/v1/admin/staff/${au.id}/password`, { password: 'a-brand-new-password' }, admin);
  expect(reset.status).toBe(204);
  expectCode(await api.http.get('/api/v1/admin/draws', au.token), 401, 'TOKEN_REVOKED');
  expectCode(await login(au.username, au.password), 401, 'INVALID_CREDENTIALS');
  expect((await login(au.username, 'a-brand-new-password')).status).toBe(200);
  const log = (await api.http.get('/api/v1/admin/staff-audit-log', admin)).body as Array<Record<string, unknown>>;
  expect(log[0]).toMatchObject({ actorId: adminId, action: 'password_reset', targetId: au.id, targetUsername: au.username, outcome: 'done' });
  expect(JSON.stringify(log)).not.toContain('a-brand-new-password');
});

test('the staff routes are for admins only', async () => {
  const op = await newStaff(['operator']);
  for (const [method, path, body] of [
    ['GET', '/api/v1/admin/staff', undefined],
    ['PATCH', `/api/v1/admin/staff/${op.id}`, { active: false }],
    ['POST', `/api/v1/admin/staff/${op.id}/password`, { password: 'another-long-password' }],
    ['POST', `/api/v1/admin/staff/${op.id}/unlock`, undefined],
    ['GET', '/api/v1/admin/staff-audit-log', undefined],
  ] as const) {
    expectCode(await api.http.request(method, path, { body, token: op.token }), 403, 'ROLE_REQUIRED');
    expectCode(await api.http.request(method, path, { body }), 401, 'AUTH_REQUIRED');
  }
});

describe('token claims', () => {
  const sign = (payload: Record<string, unknown>) =>
    new JwtService({ secret: api.config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }).sign({
      iss: api.config.JWT_ISSUER,
      aud: api.config.JWT_AUDIENCE,
      kind: 'staff',
      username: TEST_ADMIN.username,
      roles: ['admin'],
      iat: Math.floor(clock.now().getTime() / 1000),
      exp: Math.floor(clock.now().getTime() / 1000) + 600,
      ...payload,
    });

  test('a well-formed token for the admin works; another audience, issuer, kind or a loose sub is refused', async () => {
    expect((await api.http.get('/api/v1/admin/staff', sign({ sub: String(adminId) }))).status).toBe(200);
    expectCode(await api.http.get('/api/v1/admin/staff', sign({ sub: String(adminId), aud: 'another-deployment' })), 401, 'TOKEN_INVALID');
    expectCode(await api.http.get('/api/v1/admin/staff', sign({ sub: String(adminId), iss: 'someone-else' })), 401, 'TOKEN_INVALID');
    for (const sub of [`0${adminId}`, `${adminId}.0`, ` ${adminId}`, `+${adminId}`, '1e0', adminId])
      expectCode(await api.http.get('/api/v1/admin/staff', sign({ sub })), 401, 'TOKEN_INVALID');
    expectCode(await api.http.get('/api/v1/admin/staff', sign({ sub: String(adminId), kind: 'consumer' })), 403, 'STAFF_ONLY');
    expectCode(await api.http.get('/api/v1/me', sign({ sub: String(adminId) })), 403, 'CONSUMER_ONLY');
  });
});

describe('sign-in lockout', () => {
  test('a locked-out address does not lock the admin out elsewhere; the delay grows; an admin unlocks', async () => {
    const target = await newStaff(['operator']);
    const attacker = nextIp();
    for (let i = 0; i < PER_PAIR; i++) expectCode(await login(target.username, 'guess-password-00', attacker), 401, 'INVALID_CREDENTIALS');
    const locked = await login(target.username, target.password, attacker);
    expectCode(locked, 429, 'RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(WINDOW - 1);
    expect((await login(target.username, target.password, nextIp())).status).toBe(200);

    // Unlocked by an admin (audit-logged), then locked again: the second lockout is twice as long.
    expect((await api.http.post(`/api/v1/admin/staff/${target.id}/unlock`, undefined, admin)).status).toBe(204);
    expect((await login(target.username, target.password, attacker)).status).toBe(200);
    expect((await api.http.get('/api/v1/admin/staff-audit-log', admin)).body[0]).toMatchObject({ action: 'unlock', targetId: target.id, outcome: 'done' });
  });

  test('repeated lockouts of a pair grow: window, then twice the window', async () => {
    const target = await newStaff(['operator']);
    const attacker = nextIp();
    const lockOnce = async () => {
      for (let i = 0; i < PER_PAIR; i++) expectCode(await login(target.username, 'guess-password-00', attacker), 401, 'INVALID_CREDENTIALS');
      const res = await login(target.username, 'guess-password-00', attacker);
      expectCode(res, 429, 'RATE_LIMITED');
      return Number(res.headers.get('retry-after'));
    };
    const first = await lockOnce();
    expect(first).toBeGreaterThanOrEqual(WINDOW - 1);
    // The pair's lock, not its lockout history, is lifted (as if the first lockout had run out).
    const redis = (await import('../../src/core/redis/redis.module.js')).REDIS;
    const client = api.app.get(redis) as import('ioredis').Redis;
    const keys = await client.keys(`${api.config.REDIS_PREFIX}:rl:staffLoginPerPair:*`);
    await client.del(...keys);
    const second = await lockOnce();
    expect(second).toBeGreaterThanOrEqual(2 * WINDOW - 1);
  });
});
