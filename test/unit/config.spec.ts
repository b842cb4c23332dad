import { ConfigError, loadConfig } from '../../src/core/config/config.schema.js';

const expectConfigError = (env: Record<string, string>, variable: string) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
    return;
  }
  throw new Error(`expected a ConfigError for ${variable}`);
};

describe('loadConfig', () => {
  test('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/invoice_lottery');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(c.PORT).toBe(3000);
    expect(c.CLOCK_RATE).toBe(1);
    expect(c.CLOCK_START).toBeUndefined();
    expect(c.TRUST_PROXY).toBe(false);
  });

  test('parses typed values', () => {
    const c = loadConfig({ PORT: '8080', CLOCK_START: '2022-07-15T00:00:00+08:00', CLOCK_RATE: '3600', TRUST_PROXY: 'loopback' });
    expect(c.PORT).toBe(8080);
    expect(c.CLOCK_RATE).toBe(3600);
    expect(c.CLOCK_START).toBe('2022-07-15T00:00:00+08:00');
    expect(c.TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ CLOCK_START: 'yesterday' }, 'CLOCK_START'],
    [{ CLOCK_RATE: '0' }, 'CLOCK_RATE'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ AUTH_DEV_OTP: '12ab56' }, 'AUTH_DEV_OTP'],
    [{ PII_KEY: 'not-hex' }, 'PII_KEY'],
    [{ TRUST_PROXY: 'loopback; rm -rf' }, 'TRUST_PROXY'],
  ])('refuses %j naming %s', (env, variable) => expectConfigError(env, variable));

  test('CLOCK_ANCHOR: an ISO-8601 instant or "shared", only with CLOCK_START', () => {
    const start = { CLOCK_START: '2022-07-15T09:00:00+08:00' };
    expect(loadConfig(start).CLOCK_ANCHOR).toBeUndefined();
    expect(loadConfig({ ...start, CLOCK_ANCHOR: 'shared' }).CLOCK_ANCHOR).toBe('shared');
    expect(loadConfig({ ...start, CLOCK_ANCHOR: '2026-03-01T09:00:00+08:00' }).CLOCK_ANCHOR).toBe('2026-03-01T09:00:00+08:00');
    expect(loadConfig({ ...start, CLOCK_ANCHOR: '' }).CLOCK_ANCHOR).toBeUndefined();
    expectConfigError({ ...start, CLOCK_ANCHOR: 'now' }, 'CLOCK_ANCHOR');
    expectConfigError({ ...start, CLOCK_ANCHOR: '2026-03-01T09:00:00' }, 'CLOCK_ANCHOR'); // no offset: ambiguous
    expectConfigError({ CLOCK_ANCHOR: 'shared' }, 'CLOCK_ANCHOR');
    expectConfigError({ CLOCK_ANCHOR: '2026-03-01T09:00:00Z' }, 'CLOCK_ANCHOR');
  });

  test('PUBLIC_BASE_URL: an absolute http(s) URL, trailing slash dropped', () => {
    expect(loadConfig({}).PUBLIC_BASE_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://fapiao.example.cn/' }).PUBLIC_BASE_URL).toBe('https://fapiao.example.cn');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://example.cn/lottery/' }).PUBLIC_BASE_URL).toBe('https://example.cn/lottery');
    for (const bad of ['fapiao.example.cn', 'ftp://example.cn', 'https://example.cn/?a=1', 'https://u:p@example.cn']) expectConfigError({ PUBLIC_BASE_URL: bad }, 'PUBLIC_BASE_URL');
    expect(loadConfig({}).ARTIFACTS_DIR).toBe('var/artifacts');
  });

  test('production refuses the development OTP and development secrets', () => {
    const secrets = {
      JWT_SECRET: 'x'.repeat(40),
      PII_KEY: 'ab'.repeat(32),
      REGISTRY_API_KEY: 'k'.repeat(30),
      JWT_AUDIENCE: 'henan-2022-production',
      IDENTITY_VERIFIER: 'http',
      IDENTITY_PROVIDER_URL: 'https://verify.example.com',
      IDENTITY_PROVIDER_KEY: 'p'.repeat(20),
    };
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets })).not.toThrow();
    // The local identity verifier accepts anyone: production refuses it (it is the default).
    expectConfigError({ NODE_ENV: 'production', ...secrets, IDENTITY_VERIFIER: 'local' }, 'IDENTITY_VERIFIER');
    expectConfigError({ NODE_ENV: 'production', ...secrets, IDENTITY_VERIFIER: '' }, 'IDENTITY_VERIFIER');
    expectConfigError({ NODE_ENV: 'production', ...secrets, JWT_AUDIENCE: '' }, 'JWT_AUDIENCE');
    expectConfigError({ ...secrets, IDENTITY_PROVIDER_URL: '' }, 'IDENTITY_PROVIDER_URL');
    expectConfigError({ ...secrets, IDENTITY_PROVIDER_URL: 'ftp://x' }, 'IDENTITY_PROVIDER_URL');
    expectConfigError({ ...secrets, STAFF_ACCESS_CACHE_SECONDS: '61' }, 'STAFF_ACCESS_CACHE_SECONDS');
    expectConfigError({ NODE_ENV: 'production', ...secrets, AUTH_DEV_OTP: '123456' }, 'AUTH_DEV_OTP');
    expectConfigError({ NODE_ENV: 'production', ...secrets, JWT_SECRET: undefined as unknown as string }, 'JWT_SECRET');
    expectConfigError({ NODE_ENV: 'production', ...secrets, PII_KEY: '' }, 'PII_KEY');
    // Artifacts in an S3-compatible bucket are stored over TLS in production.
    const s3 = { ARTIFACT_STORE: 's3', S3_BUCKET: 'il-artifacts' };
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets, ...s3, S3_ENDPOINT: 'https://minio.internal:9000' })).not.toThrow();
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets, ...s3 })).not.toThrow(); // AWS S3 itself
    expectConfigError({ NODE_ENV: 'production', ...secrets, ...s3, S3_ENDPOINT: 'http://minio.internal:9000' }, 'S3_ENDPOINT');
    expect(() => loadConfig({ ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000' })).not.toThrow();
  });

  test('artifact store: directory by default; s3 needs a bucket, credentials in pairs, valid names', () => {
    const c = loadConfig({});
    expect(c.ARTIFACT_STORE).toBe('directory');
    expect(c).toMatchObject({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false, S3_CONDITIONAL_WRITES: true });
    expect(c.S3_PREFIX).toBeUndefined();
    const s3 = loadConfig({ ARTIFACT_STORE: 's3', S3_BUCKET: 'il-artifacts', S3_PREFIX: 'henan/2022', S3_FORCE_PATH_STYLE: 'true', S3_CONDITIONAL_WRITES: 'false' });
    expect(s3).toMatchObject({ S3_BUCKET: 'il-artifacts', S3_PREFIX: 'henan/2022/', S3_FORCE_PATH_STYLE: true, S3_CONDITIONAL_WRITES: false });
    expectConfigError({ ARTIFACT_STORE: 's3' }, 'S3_BUCKET');
    expectConfigError({ ARTIFACT_STORE: 'nfs' }, 'ARTIFACT_STORE');
    expectConfigError({ S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET');
    for (const bad of ['/abs', 'a//b', '../x', 'a/.hidden', 'a b']) expectConfigError({ S3_PREFIX: bad }, 'S3_PREFIX');
    expectConfigError({ S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE');
    expectConfigError({ ARTIFACT_STORE: 's3', S3_BUCKET: 'il-artifacts', S3_ACCESS_KEY_ID: 'AKIA' }, 'S3_SECRET_ACCESS_KEY');
    expectConfigError({ ARTIFACT_STORE: 's3', S3_BUCKET: 'il-artifacts', S3_SECRET_ACCESS_KEY: 'secret' }, 'S3_ACCESS_KEY_ID');
  });
});
