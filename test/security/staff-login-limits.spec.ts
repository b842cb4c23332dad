/**
 * Password guessing against the staff sign-in (`POST /api/v1/admin/auth/login` and the Bull Board's login
 * form), on the real app and the real Redis: failed attempts are limited per username and per client
 * address, over the limit 429 RATE_LIMITED with Retry-After and the password is not even checked; successful
 * sign-ins do not count; the counters are shared by every API replica (Redis) and by both login routes.
 *
 * The limits come from the configuration (small ones here); X-Forwarded-For from loopback is believed, so
 * every request can come from the client address the test chooses.
 */
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, type TestApi } from '../support/test-env.js';
import { expectRefused, nextClientIp, rawRequest, type RawResult } from './support.js';

const PER_USERNAME = 3;
const PER_IP = 5;
const WINDOW_SECONDS = 60;

let api: TestApi;
let adminToken: string;
let seq = 0;

beforeAll(async () => {
  api = await startTestApi({
    env: {
      TRUST_PROXY: 'loopback',
      STAFF_LOGIN_MAX_FAILURES_PER_USERNAME: String(PER_USERNAME),
      STAFF_LOGIN_MAX_FAILURES_PER_IP: String(PER_IP),
      // The (username, address) pair lockout has its own spec (staff-accounts.spec.ts); out of the way here.
      STAFF_LOGIN_MAX_FAILURES_PER_PAIR: '1000',
      STAFF_LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
    },
  });
  adminToken = await login(TEST_ADMIN, nextClientIp()).then((r) => r.json.accessToken as string);
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

interface Credentials {
  username: string;
  password: string;
}

function login(credentials: Credentials, ip: string, baseUrl = api.baseUrl): Promise<RawResult> {
  return rawRequest(baseUrl, 'POST', '/api/v1/admin/auth/login', {
    body: JSON.stringify(credentials),
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
  });
}

function boardLogin(credentials: Credentials, ip: string, accept?: string): Promise<RawResult> {
  return rawRequest(api.baseUrl, 'POST', '/admin/queues/login', {
    body: new URLSearchParams({ ...credentials }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, ...(accept ? { accept } : {}) },
  });
}

async function newAccount(roles: string[] = ['operator']): Promise<Credentials> {
  const account = { username: `limits.${++seq}`, password: `password-of-limits-${seq}` };
  const res = await rawRequest(api.baseUrl, 'POST', '/api/v1/admin/staff', {
    body: JSON.stringify({ ...account, roles }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
  });
  expect(res.status).toBe(201);
  return account;
}

const wrong = (c: Credentials): Credentials => ({ ...c, password: `${c.password}-wrong` });

function expectInvalid(res: RawResult): void {
  expectRefused(res, ['INVALID_CREDENTIALS']);
  expect(res.status).toBe(401);
}

/** 429 RATE_LIMITED in the one error shape, with a Retry-After within the lockout. */
function expectLimited(res: RawResult): void {
  expectRefused(res, ['RATE_LIMITED']);
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

test(`per username: after ${PER_USERNAME} failures from anywhere the account is locked out, even with its password; other accounts are not`, async () => {
  const target = await newAccount();
  for (let i = 0; i < PER_USERNAME; i++) expectInvalid(await login(wrong(target), nextClientIp()));
  // Locked: the right password from a fresh address is refused without being checked, and so is a wrong one.
  expectLimited(await login(target, nextClientIp()));
  expectLimited(await login(wrong(target), nextClientIp()));
  // From the same addresses, other accounts log in as before.
  const other = await newAccount();
  expect((await login(other, nextClientIp())).status).toBe(200);
  // The lock is on the exact username: a variant is another (unknown) username with its own count.
  expectInvalid(await login({ ...target, username: target.username.toUpperCase() }, nextClientIp()));
});

test('successful sign-ins do not count: many successes between failures, and the lock still comes at the failure limit', async () => {
  const account = await newAccount();
  const ip = nextClientIp();
  for (let i = 0; i < 3 * PER_USERNAME; i++) expect((await login(account, ip)).status).toBe(200);
  for (let i = 0; i < PER_USERNAME - 1; i++) expectInvalid(await login(wrong(account), ip));
  for (let i = 0; i < 3 * PER_USERNAME; i++) expect((await login(account, ip)).status).toBe(200);
  expectInvalid(await login(wrong(account), ip)); // the PER_USERNAME-th failure
  expectLimited(await login(account, ip));
});

test(`per client address: after ${PER_IP} failures over any usernames the address is locked out, other addresses are not`, async () => {
  const ip = nextClientIp();
  for (let i = 0; i < PER_IP; i++) expectInvalid(await login({ username: `nobody.${++seq}`, password: 'some-password-123' }, ip));
  const account = await newAccount();
  expectLimited(await login(account, ip));
  expectLimited(await login({ username: `nobody.${++seq}`, password: 'some-password-123' }, ip));
  // The refusal took nothing from the account's own count: from elsewhere it logs in.
  expect((await login(account, nextClientIp())).status).toBe(200);
});

test('concurrent guesses cannot overtake the count: of many at once, at most the limit are checked', async () => {
  const account = await newAccount();
  const results = await Promise.all(Array.from({ length: 4 * PER_USERNAME }, () => login(wrong(account), nextClientIp())));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 401)).toHaveLength(PER_USERNAME);
  expect(statuses.filter((s) => s === 429)).toHaveLength(3 * PER_USERNAME);
  for (const r of results) if (r.status === 429) expectLimited(r);
});

test('the Bull Board login form has the same limits, counted together with the API login', async () => {
  const account = await newAccount(['operator']);
  // Two failures through the board, one through the API: the username's limit is reached.
  expect((await boardLogin(wrong(account), nextClientIp())).status).toBe(401);
  expect((await boardLogin(wrong(account), nextClientIp())).status).toBe(401);
  expectInvalid(await login(wrong(account), nextClientIp()));
  // Locked on both routes, the right password included.
  expectLimited(await login(account, nextClientIp()));
  const board = await boardLogin(account, nextClientIp());
  expectLimited(board);
  expect(board.headers['set-cookie']).toBeUndefined();
  // A browser gets the form again, with the reason, still 429 with Retry-After.
  const page = await boardLogin(account, nextClientIp(), 'text/html,application/xhtml+xml');
  expect(page.status).toBe(429);
  expect(Number(page.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.text).toContain('RATE_LIMITED');
  expect(page.text).toContain('<form method="post"');

  // Per address on the board too; a successful board login does not count.
  const operator = await newAccount(['operator']);
  const ip = nextClientIp();
  for (let i = 0; i < 2 * PER_IP; i++) expect((await boardLogin(operator, ip)).status).toBe(303);
  for (let i = 0; i < PER_IP; i++) expect((await boardLogin({ username: `nobody.${++seq}`, password: 'some-password-123' }, ip)).status).toBe(401);
  expectLimited(await boardLogin(operator, ip));
  expect((await boardLogin(operator, nextClientIp())).status).toBe(303);
});

test('the counts live in Redis: another API replica sees the same lock', async () => {
  const account = await newAccount();
  for (let i = 0; i < PER_USERNAME; i++) expectInvalid(await login(wrong(account), nextClientIp()));
  const replica = await startTestApi({ config: api.config });
  try {
    expectLimited(await login(account, nextClientIp(), replica.baseUrl));
    // And the replica counts into the same keys (a fresh account: PER_USERNAME failures over both).
    const shared = await newAccount();
    expectInvalid(await login(wrong(shared), nextClientIp(), replica.baseUrl));
    for (let i = 1; i < PER_USERNAME; i++) expectInvalid(await login(wrong(shared), nextClientIp()));
    expectLimited(await login(shared, nextClientIp(), replica.baseUrl));
  } finally {
    await replica.close();
  }
});

test('the lockout ends: with a short window the account logs in again once Retry-After has passed', async () => {
  const short = await startTestApi({ config: { ...api.config, REDIS_PREFIX: `${api.config.REDIS_PREFIX}:short`, STAFF_LOGIN_WINDOW_SECONDS: 2 } });
  try {
    const account = await newAccount();
    for (let i = 0; i < PER_USERNAME; i++) expectInvalid(await login(wrong(account), nextClientIp(), short.baseUrl));
    const limited = await login(account, nextClientIp(), short.baseUrl);
    expect([limited.status, limited.json?.code]).toEqual([429, 'RATE_LIMITED']);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 300));
    expect((await login(account, nextClientIp(), short.baseUrl)).status).toBe(200);
  } finally {
    await short.close();
  }
});
