import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createLogger } from '../../src/app/logger.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { REDIS } from '../../src/core/redis/redis.module.js';
import { LogSmsSender, SmsSender } from '../../src/core/sms/sms-sender.js';
import { ConsumersService } from '../../src/consumers/consumers.service.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { clientAddressKey, RATE_LIMITS } from '../../src/consumers/rate-limits.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, TEST_OTP, type HttpResult, type TestApi } from '../support/test-env.js';

/** Records every SMS and also passes it to the real development sender (so its log line can be checked). */
class CapturingSmsSender extends SmsSender {
  readonly sent: Array<{ phone: string; message: string }> = [];
  private readonly log = new LogSmsSender();

  async send(phone: string, message: string): Promise<void> {
    this.sent.push({ phone, message });
    await this.log.send(phone, message);
  }

  lastCodeFor(phone: string): string {
    const message = [...this.sent].reverse().find((s) => s.phone === phone)?.message ?? '';
    const match = /(\d{6})/.exec(message);
    if (!match) throw new Error('no code was sent to that phone');
    return match[1];
  }
}

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
const sms = new CapturingSmsSender();
/** Main app: believes X-Forwarded-For from loopback, so each test can act from its own client address. */
let api: TestApi;
/** TRUST_PROXY=false: X-Forwarded-For must be ignored. */
let untrusted: TestApi;
/** Random codes (AUTH_DEV_OTP unset) read from a capturing SMS sender; logs at level 'log'. */
let smsApi: TestApi;

beforeAll(async () => {
  api = await startTestApi({ clock, env: { TRUST_PROXY: 'loopback' } });
  untrusted = await startTestApi({ env: { TRUST_PROXY: 'false' } });
  smsApi = await startTestApi({
    env: { AUTH_DEV_OTP: '', LOG_LEVEL: 'log', TRUST_PROXY: 'loopback' },
    override: (builder) => builder.overrideProvider(SmsSender).useValue(sms),
  });
});
afterAll(async () => {
  for (const app of [api, untrusted, smsApi]) {
    if (!app) continue;
    await app.close();
    await destroyTestEnvironment(app.config);
  }
});

let phoneSeq = 0;
/** A fresh valid mainland mobile number for each call. */
const newPhone = () => `1390000${String(++phoneSeq).padStart(4, '0')}`;
let ipSeq = 0;
/** A fresh documentation-range client address for each call. */
const newIp = () => `198.51.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

function call(app: TestApi, method: string, path: string, body: unknown, opts: { ip?: string; token?: string } = {}): Promise<HttpResult> {
  return app.http.request(method, path, { body, token: opts.token, headers: opts.ip ? { 'x-forwarded-for': opts.ip } : {} });
}
const requestOtp = (app: TestApi, phone: unknown, ip?: string) => call(app, 'POST', '/api/v1/auth/otp', { phone }, { ip });
const login = (app: TestApi, phone: unknown, code: unknown, ip?: string) => call(app, 'POST', '/api/v1/auth/login', { phone, code }, { ip });

/** Forgets the one-per-minute send limit, as if a minute had passed (the limits run in real time). */
async function forgetMinuteLimit(app: TestApi): Promise<void> {
  const redis = app.app.get<Redis>(REDIS);
  const keys = await redis.keys(`${app.config.REDIS_PREFIX}:rl:otpPerPhoneMinute:*`);
  if (keys.length) await redis.del(...keys);
}

/** A consumer token for a new phone (main app, dev code). */
async function signIn(app: TestApi = api, phone = newPhone()): Promise<{ phone: string; token: string }> {
  const ip = newIp();
  expect((await requestOtp(app, phone, ip)).status).toBe(202);
  const res = await login(app, phone, TEST_OTP, ip);
  expect(res.status).toBe(200);
  return { phone, token: res.body.accessToken };
}

describe('one-time code sign-in', () => {
  test('happy path: code sent (202), login (200), /me shows the new account', async () => {
    const phone = newPhone();
    const ip = newIp();
    const sent = await requestOtp(api, phone, ip);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ expiresInSeconds: 300 });
    const res = await login(api, phone, TEST_OTP, ip);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const me = await api.http.get('/api/v1/me', res.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.body).toEqual({
      id: expect.any(Number),
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      realName: null,
      identityStatus: 'none',
      autoEntry: false,
      identity: { status: 'none', idNumber: null, verifiedAt: null },
    });

    // A later login of the same phone is the same account; '+86 ' is accepted and normalized.
    await forgetMinuteLimit(api);
    expect((await requestOtp(api, `+86 ${phone}`, ip)).status).toBe(202);
    const again = await login(api, phone, TEST_OTP, ip);
    expect(again.status).toBe(200);
    expect((await api.http.get('/api/v1/me', again.body.accessToken)).body.id).toBe(me.body.id);
  });

  test('a random code is sent by SMS when AUTH_DEV_OTP is unset; a new code replaces the old one', async () => {
    const phone = newPhone();
    expect((await requestOtp(smsApi, phone, newIp())).status).toBe(202);
    const first = sms.lastCodeFor(phone);
    expect(first).toMatch(/^\d{6}$/);
    await forgetMinuteLimit(smsApi);
    expect((await requestOtp(smsApi, phone, newIp())).status).toBe(202);
    const second = sms.lastCodeFor(phone);
    if (first !== second) {
      const old = await login(smsApi, phone, first);
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('OTP_INVALID');
    }
    expect((await login(smsApi, phone, second)).status).toBe(200);
  });

  test('an invalid phone or code format is 400 VALIDATION_FAILED, and the number is not echoed', async () => {
    for (const phone of ['12812345678', '1381234567', '138123456789', '138 1234 5678', '8613812345678', 13812345678, '', null]) {
      const res = await requestOtp(api, phone, newIp());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      if (typeof phone === 'string' && phone) expect(res.text).not.toContain(phone);
    }
    expect((await login(api, '12812345678', TEST_OTP, newIp())).body.code).toBe('VALIDATION_FAILED');
    for (const code of ['12345', '1234567', 'abcdef', 246810]) {
      const res = await login(api, newPhone(), code, newIp());
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  test('no code requested: 401 OTP_EXPIRED', async () => {
    const res = await login(api, newPhone(), TEST_OTP, newIp());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'OTP_EXPIRED' });
  });

  test('a wrong code is 401 OTP_INVALID with the tries left; the right one still works', async () => {
    const phone = newPhone();
    const ip = newIp();
    await requestOtp(api, phone, ip);
    const wrong = await login(api, phone, '000000', ip);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'OTP_INVALID', attemptsLeft: 4 });
    expect((await login(api, phone, TEST_OTP, ip)).status).toBe(200);
  });

  test('5 wrong tries kill the code: 401 OTP_LOCKED, also for the right code, until a new code is requested', async () => {
    const phone = newPhone();
    const ip = newIp();
    await requestOtp(api, phone, ip);
    for (let i = 1; i <= 4; i++) {
      const res = await login(api, phone, '111111', ip);
      expect(res.body).toMatchObject({ code: 'OTP_INVALID', attemptsLeft: 5 - i });
    }
    const fifth = await login(api, phone, '111111', ip);
    expect(fifth.status).toBe(401);
    expect(fifth.body.code).toBe('OTP_LOCKED');
    const right = await login(api, phone, TEST_OTP, ip);
    expect(right.status).toBe(401);
    expect(right.body.code).toBe('OTP_LOCKED');

    await forgetMinuteLimit(api);
    await requestOtp(api, phone, ip);
    expect((await login(api, phone, TEST_OTP, ip)).status).toBe(200);
  });

  test('concurrent guesses never get more than 5 tries on one code', async () => {
    const phone = newPhone();
    const ip = newIp();
    await requestOtp(api, phone, ip);
    const results = await Promise.all(Array.from({ length: 12 }, () => login(api, phone, '222222', ip)));
    const codes = results.map((r) => r.body.code);
    expect(codes.filter((c) => c === 'OTP_INVALID')).toHaveLength(4);
    expect(codes.filter((c) => c === 'OTP_LOCKED')).toHaveLength(8);
    expect((await login(api, phone, TEST_OTP, ip)).body.code).toBe('OTP_LOCKED');
  });

  test('a code expires after 300 s on the service clock (ManualClock), though Redis still holds it', async () => {
    const ip = newIp();
    const late = newPhone();
    await requestOtp(api, late, ip);
    clock.advance(301_000);
    const expired = await login(api, late, TEST_OTP, ip);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('OTP_EXPIRED');

    const onTime = newPhone();
    await requestOtp(api, onTime, ip);
    clock.advance(300_000);
    expect((await login(api, onTime, TEST_OTP, ip)).status).toBe(200);
  });

  test('a code works once, also when sent concurrently', async () => {
    const phone = newPhone();
    const ip = newIp();
    await requestOtp(api, phone, ip);
    const results = await Promise.all(Array.from({ length: 5 }, () => login(api, phone, TEST_OTP, ip)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body).toMatchObject({ statusCode: 401, code: 'OTP_EXPIRED' });
    expect((await login(api, phone, TEST_OTP, ip)).body.code).toBe('OTP_EXPIRED');
  });
});

describe('concurrent first logins', () => {
  test('many simultaneous first logins of one phone create exactly one consumer', async () => {
    const consumers = api.app.get(ConsumersService);
    const phone = newPhone();
    const accounts = await Promise.all(Array.from({ length: 10 }, () => consumers.findOrCreateByPhone(phone)));
    expect(new Set(accounts.map((a) => a.id)).size).toBe(1);
    const [{ n }] = await api.app.get(DataSource).query('SELECT COUNT(*) AS n FROM consumers WHERE phone_masked = ?', [
      `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    ]);
    expect(Number(n)).toBe(1);

    // The HTTP login then finds that same account.
    const { token } = await signIn(api, phone);
    expect((await api.http.get('/api/v1/me', token)).body.id).toBe(accounts[0].id);
  });
});

describe('rate limits', () => {
  test('per phone: one code per minute, 429 RATE_LIMITED with Retry-After; five per hour', async () => {
    const phone = newPhone();
    expect((await requestOtp(api, phone, newIp())).status).toBe(202);
    const again = await requestOtp(api, phone, newIp());
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(again.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(again.body.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(again.headers.get('retry-after')).toBe(String(again.body.retryAfterSeconds));

    for (let i = 2; i <= RATE_LIMITS.otpPerPhoneHour.points; i++) {
      await forgetMinuteLimit(api);
      expect((await requestOtp(api, phone, newIp())).status).toBe(202);
    }
    await forgetMinuteLimit(api);
    const hourly = await requestOtp(api, phone, newIp());
    expect(hourly.status).toBe(429);
    expect(hourly.body.retryAfterSeconds).toBeGreaterThan(60);
    expect(Number(hourly.headers.get('retry-after'))).toBe(hourly.body.retryAfterSeconds);
  });

  test('per client address (X-Forwarded-For through a trusted proxy): 30 codes an hour; other addresses are unaffected', async () => {
    const nat = newIp();
    for (let i = 0; i < RATE_LIMITS.otpPerIpHour.points; i++) expect((await requestOtp(api, newPhone(), nat)).status).toBe(202);
    const phone = newPhone();
    const over = await requestOtp(api, phone, nat);
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address sends at once, to the same phone too: the refused request did not use the phone's minute.
    expect((await requestOtp(api, phone, newIp())).status).toBe(202);
  });

  test('IPv6 clients are limited by their /64', () => {
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(clientAddressKey(undefined)).toBe('unknown');
  });

  test('X-Forwarded-For is ignored with TRUST_PROXY=false: every request counts for the socket address', async () => {
    for (let i = 0; i < RATE_LIMITS.otpPerIpHour.points; i++) expect((await requestOtp(untrusted, newPhone(), newIp())).status).toBe(202);
    const over = await requestOtp(untrusted, newPhone(), newIp());
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('RATE_LIMITED');
  });

  test('login attempts per client address: 60 per 10 minutes', async () => {
    const ip = newIp();
    for (let i = 0; i < RATE_LIMITS.loginPerIp.points; i++) expect((await login(api, newPhone(), TEST_OTP, ip)).body.code).toBe('OTP_EXPIRED');
    const over = await login(api, newPhone(), TEST_OTP, ip);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(over.headers.get('retry-after')).toBe(String(over.body.retryAfterSeconds));
  });

  test('with Redis down, sending a code is 503 SERVICE_UNAVAILABLE', async () => {
    const broken = await startTestApi({ config: { ...api.config, REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const res = await requestOtp(broken, newPhone());
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await broken.close();
    }
  });
});

describe('real-name identity', () => {
  // Each from its own client address: identity attempts are limited per address (20 an hour).
  const put = (token: string | undefined, body: unknown) => call(api, 'PUT', '/api/v1/me/identity', body, { token, ip: newIp() });

  test('a valid identity is bound and shown masked; resubmitting it is idempotent', async () => {
    const { phone, token } = await signIn();
    const idNumber = makeResidentId('410105', '19900307', '123');
    expect(idNumber).toBe('41010519900307123X');
    const res = await put(token, { realName: '张三', idNumber });
    expect(res.status).toBe(200);
    const expected = {
      id: expect.any(Number),
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      realName: '张*',
      identityStatus: 'verified',
      autoEntry: false,
      identity: { status: 'verified', idNumber: '4101**********123X', verifiedAt: clock.now().toISOString() },
    };
    expect(res.body).toEqual(expected);
    expect(res.text).not.toContain(idNumber);
    expect(res.text).not.toContain('张三');
    const me = await api.http.get('/api/v1/me', token);
    expect(me.body).toEqual(expected);

    clock.advance(60_000);
    const again = await put(token, { realName: ' 张三 ', idNumber: idNumber.toLowerCase() });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expected); // verifiedAt unchanged

    const consumers = api.app.get(ConsumersService);
    expect(await consumers.getIdentity(me.body.id)).toEqual({ verified: true, realName: '张三', idNumberHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await consumers.contactPhone(me.body.id)).toBe(phone);
  });

  test('a wrong check character or impossible number is 422 ID_NUMBER_INVALID', async () => {
    const { token } = await signIn();
    const valid = makeResidentId('410105', '19880512', '246');
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '1' ? '2' : '1');
    for (const idNumber of [wrongCheck, '41010519880512246', '4101051988051224', 'abc']) {
      const res = await put(token, { realName: '李四', idNumber });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ statusCode: 422, code: 'ID_NUMBER_INVALID' });
    }
    expect((await api.http.get('/api/v1/me', token)).body.identity.status).toBe('none');
  });

  test('under 18 on the Shanghai date of the service clock is 422 ID_NUMBER_UNDERAGE', async () => {
    const { token } = await signIn();
    const idNumber = makeResidentId('410102', '20040811', '135');
    clock.set('2022-08-10T23:59:59+08:00');
    const young = await put(token, { realName: '王五', idNumber });
    expect(young.status).toBe(422);
    expect(young.body.code).toBe('ID_NUMBER_UNDERAGE');
    // 16:00 UTC on the 10th is already the 11th in Shanghai: the 18th birthday.
    clock.set('2022-08-11T00:00:00+08:00');
    expect((await put(token, { realName: '王五', idNumber })).status).toBe(200);
  });

  test('one identity, one account: a later verified binding takes the number (no 409 that tells it is bound), also in a race', async () => {
    // The local verifier passes everyone: here only the one-account rule is tested (identity.e2e.spec.ts has
    // the provider refusing strangers).
    const a = await signIn();
    const b = await signIn();
    const idNumber = makeResidentId('410303', '19750101', '017');
    expect((await put(a.token, { realName: '赵六', idNumber })).status).toBe(200);
    const taken = await put(b.token, { realName: '赵六', idNumber });
    expect(taken.status).toBe(200);
    expect((await api.http.get('/api/v1/me', b.token)).body.identityStatus).toBe('verified');
    expect((await api.http.get('/api/v1/me', a.token)).body.identityStatus).toBe('none');

    const c = await signIn();
    const d = await signIn();
    const contested = makeResidentId('410303', '19800202', '028');
    const results = await Promise.all([c, d].map((x) => put(x.token, { realName: '钱七', idNumber: contested })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const statuses = await Promise.all([c, d].map(async (x) => (await api.http.get('/api/v1/me', x.token)).body.identityStatus));
    expect(statuses.filter((st) => st === 'verified')).toHaveLength(1);
  });

  test('changing a verified identity is 409 IDENTITY_ALREADY_VERIFIED', async () => {
    const { token } = await signIn();
    const idNumber = makeResidentId('411302', '19660606', '066');
    expect((await put(token, { realName: '孙八', idNumber })).status).toBe(200);
    const other = await put(token, { realName: '孙八', idNumber: makeResidentId('411302', '19660606', '088') });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDENTITY_ALREADY_VERIFIED');
    const renamed = await put(token, { realName: '孙九', idNumber });
    expect(renamed.status).toBe(409);
    expect(renamed.body.code).toBe('IDENTITY_ALREADY_VERIFIED');
  });

  test('names: 2-30 Chinese characters, a middle dot for minority names; others are 400', async () => {
    const { token } = await signIn();
    for (const realName of ['Zhang San', '张', '张3', '·张三', '张三·', '买买提··艾力', '张 三', '张'.repeat(31), 42]) {
      const res = await put(token, { realName, idNumber: makeResidentId('650102', '19850505', '111') });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    // The full-width look-alike dot is stored as '·'.
    const res = await put(token, { realName: '买买提・艾力', idNumber: makeResidentId('650102', '19850505', '111') });
    expect(res.status).toBe(200);
    expect(res.body.realName).toBe('买*****');
    const { realName } = await api.app.get(ConsumersService).getIdentity(res.body.id);
    expect(realName).toBe('买买提·艾力');
  });

  test('/me and identity need a consumer token', async () => {
    expect((await api.http.get('/api/v1/me')).body.code).toBe('AUTH_REQUIRED');
    const staff = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    const res = await put(staff, { realName: '张三', idNumber: makeResidentId('410105', '19900307', '123') });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('CONSUMER_ONLY');
  });

  test('the service API answers 404 CONSUMER_NOT_FOUND for an unknown consumer', async () => {
    const consumers = api.app.get(ConsumersService);
    await expect(consumers.getIdentity(987654321)).rejects.toMatchObject({ statusCode: 404, code: 'CONSUMER_NOT_FOUND' });
    await expect(consumers.contactPhone(987654321)).rejects.toMatchObject({ statusCode: 404, code: 'CONSUMER_NOT_FOUND' });
  });
});

describe('personal data never in clear', () => {
  test('logs (level log) during code, login, identity and invoice registration never hold the phone, the ID number or the code', async () => {
    const phone = '13912345678';
    const idNumber = makeResidentId('410105', '19920229', '357');
    const output: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
        output.push(String(chunk));
        return true;
      }) as never);
    smsApi.app.useLogger(createLogger(smsApi.config, 'api'));
    const spies = [capture(process.stdout), capture(process.stderr)];
    let code = '';
    try {
      const ip = newIp();
      expect((await requestOtp(smsApi, phone, ip)).status).toBe(202);
      code = sms.lastCodeFor(phone);
      expect((await login(smsApi, phone, code === '000000' ? '000001' : '000000', ip)).status).toBe(401);
      const res = await login(smsApi, phone, code, ip);
      expect(res.status).toBe(200);
      const token = res.body.accessToken;
      const put = (body: unknown, t = token) => call(smsApi, 'PUT', '/api/v1/me/identity', body, { token: t, ip: newIp() });
      expect((await put({ realName: '周九', idNumber: idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0') })).status).toBe(422);
      expect((await put({ realName: '周九', idNumber })).status).toBe(200);
      expect((await smsApi.http.get('/api/v1/me', token)).status).toBe(200);
      // Registering invoices, accepted and refused, logs nothing personal either.
      const invoice = { invoiceType: '10', invoiceCode: '041012200111', invoiceNumber: '87654321', issueDate: '2022-08-08', amount: '88.00', checkCode: '567890' };
      expect((await smsApi.http.post('/api/v1/invoices', invoice, token)).status).toBe(201);
      expect((await smsApi.http.post('/api/v1/invoices', { ...invoice, invoiceNumber: '87654322', amount: '1.00' }, token)).status).toBe(422);
      expect((await smsApi.http.get('/api/v1/invoices', token)).status).toBe(200);
      // Another account trying the same number.
      await forgetMinuteLimit(smsApi);
      const other = '13987654321';
      await requestOtp(smsApi, other, ip);
      const otherToken = (await login(smsApi, other, sms.lastCodeFor(other), ip)).body.accessToken;
      expect((await put({ realName: '周九', idNumber }, otherToken)).status).toBe(200);
    } finally {
      for (const spy of spies) spy.mockRestore();
      smsApi.app.useLogger(['error']);
    }
    const text = output.join('');
    expect(text).toContain('SMS to 139****5678'); // the capture works and the sender logged, masked
    expect(text).toContain('Created consumer');
    for (const secret of [phone, '13987654321', idNumber, idNumber.slice(0, 17), code]) expect(text).not.toContain(secret);
  });

  test('the database and Redis hold no phone or ID number in clear', async () => {
    const phone = newPhone();
    const { token } = await signIn(api, phone);
    const idNumber = makeResidentId('410105', '19700101', '999');
    expect((await call(api, 'PUT', '/api/v1/me/identity', { realName: '吴十', idNumber }, { token })).status).toBe(200);
    // A pending code for the phone, too.
    await forgetMinuteLimit(api);
    await requestOtp(api, phone, newIp());

    const rows = await api.app.get(DataSource).query('SELECT * FROM consumers');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(phone);
    expect(dump).not.toContain(idNumber);

    const redis = api.app.get<Redis>(REDIS);
    const keys = await redis.keys(`${api.config.REDIS_PREFIX}:*`);
    expect(keys.some((k) => k.includes(':otp:'))).toBe(true);
    for (const key of keys) {
      expect(key).not.toContain(phone);
      const type = await redis.type(key);
      const value = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : '';
      expect(value).not.toContain(phone);
      expect(value).not.toContain(TEST_OTP);
    }
  });
});

test('the OpenAPI document describes the consumer endpoints', async () => {
  const res = await api.http.get('/api/docs-json');
  expect(Object.keys(res.body.paths)).toEqual(
    expect.arrayContaining(['/api/v1/auth/otp', '/api/v1/auth/login', '/api/v1/me', '/api/v1/me/identity']),
  );
  expect(res.body.components.schemas.BindIdentityDto.properties).toHaveProperty('idNumber');
});
