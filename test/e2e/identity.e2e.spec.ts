import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { HttpIdentityVerifier } from '../../src/identity/http-identity-verifier.js';
import { FakeIdentityProvider } from '../support/fake-identity-provider.js';
import { destroyTestEnvironment, startTestApi, TEST_OTP, type TestApi } from '../support/test-env.js';

const PROVIDER_KEY = 'provider-key-for-tests-0001';
const provider = new FakeIdentityProvider(PROVIDER_KEY);
const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;

beforeAll(async () => {
  await provider.start();
  api = await startTestApi({
    clock,
    env: {
      TRUST_PROXY: 'loopback',
      IDENTITY_VERIFIER: 'http',
      IDENTITY_PROVIDER_URL: provider.url,
      IDENTITY_PROVIDER_KEY: PROVIDER_KEY,
      IDENTITY_PROVIDER_TIMEOUT_MS: '300',
      IDENTITY_PROVIDER_RETRIES: '1',
      IDENTITY_PROVIDER_BREAKER_FAILURES: '1000',
    },
  });
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
  await provider.stop();
});
beforeEach(() => {
  provider.script.length = 0;
  provider.fallback = { kind: 'normal' };
});

const verifierOptions = () => ({
  baseUrl: provider.url,
  apiKey: PROVIDER_KEY,
  timeoutMs: 200,
  retries: 2,
  breakerFailures: 100,
  breakerCooldownMs: 60_000,
  backoffInitialMs: 5,
});

describe('HTTP identity adapter against a local provider', () => {
  const id = makeResidentId('410105', '19800101', '011');
  beforeAll(() => provider.person(id, '张三', '13800000001'));

  test('match, mismatch (name or phone) and not found; the key and the three elements are sent', async () => {
    const verifier = new HttpIdentityVerifier(verifierOptions());
    const before = provider.calls.length;
    expect(await verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).toBe('match');
    expect(provider.calls[before]).toEqual({ authorization: `Bearer ${PROVIDER_KEY}`, body: { name: '张三', idNumber: id, mobile: '13800000001' } });
    expect(await verifier.verify({ realName: '张三', idNumber: id, phone: '13800000002' })).toBe('mismatch');
    expect(await verifier.verify({ realName: '李四', idNumber: id, phone: '13800000001' })).toBe('mismatch');
    expect(await verifier.verify({ realName: '张三', idNumber: makeResidentId('410105', '19800101', '013'), phone: '13800000001' })).toBe('not_found');
  });

  test('a 5xx, a hang-up and a timeout are retried; the answer after them counts', async () => {
    const verifier = new HttpIdentityVerifier(verifierOptions());
    provider.script.push({ kind: 'status', status: 502 }, { kind: 'hangup' });
    const before = provider.calls.length;
    expect(await verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).toBe('match');
    expect(provider.calls.length - before).toBe(3);
    provider.script.push({ kind: 'slow', delayMs: 1000 });
    expect(await verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).toBe('match');
  });

  test.each([
    ['slow answers', { kind: 'slow', delayMs: 1000 } as const],
    ['5xx', { kind: 'status', status: 500 } as const],
    ['garbage', { kind: 'garbage', body: '<html>oops</html>' } as const],
    ['an unknown result', { kind: 'garbage', body: '{"result":"maybe"}' } as const],
  ])('%s every time: 503 IDENTITY_PROVIDER_UNAVAILABLE after the retries', async (_label, mode) => {
    const verifier = new HttpIdentityVerifier(verifierOptions());
    provider.fallback = mode;
    const before = provider.calls.length;
    const started = Date.now();
    await expect(verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).rejects.toMatchObject({
      statusCode: 503,
      code: 'IDENTITY_PROVIDER_UNAVAILABLE',
    });
    expect(provider.calls.length - before).toBe(3);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a refused key (401) is not retried', async () => {
    const verifier = new HttpIdentityVerifier({ ...verifierOptions(), apiKey: 'wrong-key-0000000000' });
    const before = provider.calls.length;
    await expect(verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).rejects.toMatchObject({ code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
    expect(provider.calls.length - before).toBe(1);
  });

  test('the circuit opens after consecutive failures: later calls fail at once without reaching the provider', async () => {
    const verifier = new HttpIdentityVerifier({ ...verifierOptions(), retries: 0, breakerFailures: 3 });
    provider.fallback = { kind: 'status', status: 503 };
    for (let i = 0; i < 3; i++) await expect(verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).rejects.toMatchObject({ statusCode: 503 });
    provider.fallback = { kind: 'normal' };
    const before = provider.calls.length;
    await expect(verifier.verify({ realName: '张三', idNumber: id, phone: '13800000001' })).rejects.toMatchObject({ code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
    expect(provider.calls.length).toBe(before);
  });
});

let phoneSeq = 0;
let ipSeq = 0;
const newIp = () => `203.0.113.${++ipSeq}`;

async function signIn(): Promise<{ phone: string; token: string; ip: string }> {
  const phone = `1370000${String(++phoneSeq).padStart(4, '0')}`;
  const ip = newIp();
  const headers = { 'x-forwarded-for': ip };
  expect((await api.http.request('POST', '/api/v1/auth/otp', { body: { phone }, headers })).status).toBe(202);
  const res = await api.http.request('POST', '/api/v1/auth/login', { body: { phone, code: TEST_OTP }, headers });
  expect(res.status).toBe(200);
  return { phone, token: res.body.accessToken, ip };
}
const bind = (who: { token: string; ip: string }, realName: string, idNumber: string) =>
  api.http.request('PUT', '/api/v1/me/identity', { body: { realName, idNumber }, token: who.token, headers: { 'x-forwarded-for': who.ip } });
const me = async (token: string) => (await api.http.get('/api/v1/me', token)).body;

describe('binding an identity through the provider', () => {
  test('the owner (name, ID, own phone) is verified; a made-up ID under a common name is refused and cannot register', async () => {
    const owner = await signIn();
    const ownerId = makeResidentId('410303', '19700707', '007');
    provider.person(ownerId, '李四', owner.phone);
    const ok = await bind(owner, '李四', ownerId);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ identityStatus: 'verified', autoEntry: false, identity: { status: 'verified', idNumber: '4103**********0073' } });
    expect((await bind(owner, '李四', ownerId)).status).toBe(200); // idempotent

    const stranger = await signIn();
    const madeUp = makeResidentId('410303', '19700707', '009'); // passes GB 11643, unknown to the register
    const refused = await bind(stranger, '李四', madeUp);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(await me(stranger.token)).toMatchObject({ identityStatus: 'none', realName: null });
    const registration = await api.http.post('/api/v1/invoices', { qr: '01,10,041012200111,00000012,113.00,20220808,12345678901234567890,AB12,' }, stranger.token);
    expect(registration.status).toBe(422);
    expect(registration.body.code).toBe('IDENTITY_REQUIRED');
  });

  test("someone else's ID number: refused exactly like an unbound one (no oracle), the owner keeps it", async () => {
    const owner = await signIn();
    const ownerId = makeResidentId('410105', '19850505', '015');
    provider.person(ownerId, '王五', owner.phone);
    expect((await bind(owner, '王五', ownerId)).status).toBe(200);
    const unboundId = makeResidentId('410105', '19850505', '023');
    provider.person(unboundId, '王五', '13999999999');

    const stranger = await signIn();
    const onBound = await bind(stranger, '王五', ownerId);
    const onUnbound = await bind(stranger, '王五', unboundId);
    expect(onBound.status).toBe(422);
    expect(onBound.body).toEqual(onUnbound.body);
    expect(await me(owner.token)).toMatchObject({ identityStatus: 'verified' });
  });

  test('an ID number bound first by a squatter (checksum-only binding) is taken by its verified owner; the squatter is told', async () => {
    const squatter = await signIn();
    const ownerId = makeResidentId('410102', '19900307', '031');
    // Bound under the old checksum-only rule: the migration left such rows holding the number, unverified.
    const db = api.app.get(DataSource);
    const pii = api.app.get(PiiProtector);
    const squatterId = (await me(squatter.token)).id;
    await db.query('UPDATE consumers SET real_name = ?, id_number_hash = ?, id_number_masked = ? WHERE id = ?', ['张三', pii.lookupHash('identity', ownerId), 'x', squatterId]);

    const owner = await signIn();
    provider.person(ownerId, '张三', owner.phone);
    const taken = await bind(owner, '张三', ownerId);
    expect(taken.status).toBe(200);
    expect(taken.body.identityStatus).toBe('verified');
    expect(await me(squatter.token)).toMatchObject({ identityStatus: 'none', identity: { idNumber: null } });
    const notices = await api.http.get('/api/v1/me/notifications', squatter.token);
    expect(notices.body.items).toEqual([expect.objectContaining({ kind: 'identity_released' })]);
    expect(JSON.stringify(notices.body)).not.toContain(ownerId);
  });

  test('provider down: 503 IDENTITY_PROVIDER_UNAVAILABLE, nothing bound; it works once the provider is back', async () => {
    const owner = await signIn();
    const ownerId = makeResidentId('410102', '19910101', '047');
    provider.person(ownerId, '赵六', owner.phone);
    for (const mode of [{ kind: 'status', status: 500 }, { kind: 'slow', delayMs: 1000 }, { kind: 'garbage', body: 'not json' }] as const) {
      provider.fallback = mode;
      const res = await bind(owner, '赵六', ownerId);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
      expect(await me(owner.token)).toMatchObject({ identityStatus: 'none', realName: null });
    }
    provider.fallback = { kind: 'normal' };
    expect((await bind(owner, '赵六', ownerId)).status).toBe(200);
  });

  test('attempts are rate-limited per account and per client address', async () => {
    const prober = await signIn();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await bind(prober, '钱七', makeResidentId('410102', '19800101', String(100 + i)))).status);
    expect(statuses.slice(0, 5)).toEqual([422, 422, 422, 422, 422]);
    expect(statuses[5]).toBe(429);

    const ip = newIp();
    const results: number[] = [];
    for (let i = 0; i < 5; i++) {
      const account = { ...(await signIn()), ip };
      for (let j = 0; j < 5; j++) results.push((await bind(account, '孙八', makeResidentId('410102', '19800101', String(200 + i * 5 + j)))).status);
    }
    expect(results.slice(0, 20).every((s) => s === 422)).toBe(true);
    expect(results.slice(20).every((s) => s === 429)).toBe(true);
  });

  test('automatic entry needs a verified identity; a verified consumer opts in and out', async () => {
    const unverified = await signIn();
    const refused = await api.http.request('PATCH', '/api/v1/me', { body: { autoEntry: true }, token: unverified.token });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IDENTITY_REQUIRED');
    expect((await api.http.request('PATCH', '/api/v1/me', { body: { autoEntry: 'yes' }, token: unverified.token })).status).toBe(400);

    const owner = await signIn();
    const ownerId = makeResidentId('410102', '19920202', '055');
    provider.person(ownerId, '周九', owner.phone);
    expect((await bind(owner, '周九', ownerId)).status).toBe(200);
    const on = await api.http.request('PATCH', '/api/v1/me', { body: { autoEntry: true }, token: owner.token });
    expect(on.status).toBe(200);
    expect(on.body.autoEntry).toBe(true);
    expect((await me(owner.token)).autoEntry).toBe(true);
    const off = await api.http.request('PATCH', '/api/v1/me', { body: { autoEntry: false }, token: owner.token });
    expect(off.body.autoEntry).toBe(false);
  });
});
