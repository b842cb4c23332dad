import { z } from 'zod';
import { configDefaults, developmentOnlyValues } from '../../../config/defaults.js';

const intFromString = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const mysqlUrl = z
  .string()
  .refine((v) => /^mysql:\/\/[^/]+\/[A-Za-z0-9_]{1,64}(\?.*)?$/.test(v), 'expected mysql://user[:password]@host:port/database');
/** `true` or `false`. */
const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

const redisUrl = z.string().refine((v) => /^rediss?:\/\/[^/]+(\/\d+)?$/.test(v), 'expected redis://[user:password@]host:port[/db]');

/** Express-style trust-proxy values: true/false, a hop count, or comma-separated names/addresses/CIDRs. */
const trustProxy = z.string().transform((v, ctx): boolean | number | string => {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (/^[A-Za-z0-9.:/,\s]+$/.test(v)) return v;
  ctx.addIssue({ code: 'custom', message: 'expected true, false, a hop count, or names/addresses such as loopback,10.0.0.0/8' });
  return z.NEVER;
});

/** An absolute http(s) URL without query or fragment; a trailing slash is dropped. */
const publicBaseUrl = z.string().transform((v, ctx): string => {
  let url: URL | null = null;
  try {
    url = new URL(v);
  } catch {
    url = null;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'expected an absolute http(s) URL without query, e.g. https://fapiao.example.gov.cn' });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']),
    HOST: z.string().min(1),
    PORT: intFromString(0, 65535),
    DATABASE_URL: mysqlUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/),
    /** Seed nodes of a Redis Cluster (`host:port,host:port`); unset: the single Redis at REDIS_URL. */
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'expected host:port[,host:port...] (the seed nodes of a Redis Cluster)')
      .optional(),
    ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    REGISTRY_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    AUTH_DEV_OTP: z.string().regex(/^\d{6}$/, 'must be 6 digits').optional(),
    /** The sender signature registered with the SMS carrier, put before every message as 【…】 (one per deployment). */
    SMS_SIGNATURE: z.string().regex(/^[\p{L}\p{N}]{2,16}$/u, 'must be 2-16 letters or digits (without the 【】)'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    PII_KEY: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (32 bytes)'),
    STAFF_TOKEN_TTL_SECONDS: intFromString(60, 7 * 86400),
    CONSUMER_TOKEN_TTL_SECONDS: intFromString(60, 90 * 86400),
    SESSION_IDLE_TIMEOUT_SECONDS: intFromString(60, 7 * 86400),
    CLOCK_START: z.iso.datetime({ offset: true }).optional(),
    CLOCK_RATE: z.coerce.number().positive().max(1_000_000),
    /** The real instant at which the simulated clock reads CLOCK_START, or `shared` (recorded once in Redis). */
    CLOCK_ANCHOR: z
      .union([z.literal('shared'), z.iso.datetime({ offset: true })], {
        error: 'must be an ISO-8601 instant with an offset (e.g. 2026-03-01T09:00:00+08:00) or "shared"',
      })
      .optional(),
    TRUST_PROXY: trustProxy,
    BODY_LIMIT_BYTES: intFromString(1024, 64 * 1024 * 1024),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']),
    LOG_FORMAT: z.enum(['text', 'json']),
    CAMPAIGNS_DIR: z.string().min(1),
    PUBLIC_RATE_LIMIT_PER_MINUTE: intFromString(1, 10_000_000),
    STAFF_LOGIN_MAX_FAILURES_PER_USERNAME: intFromString(1, 1_000_000),
    STAFF_LOGIN_MAX_FAILURES_PER_IP: intFromString(1, 1_000_000),
    STAFF_LOGIN_WINDOW_SECONDS: intFromString(1, 7 * 86400),
    DATABASE_QUERY_TIMEOUT_MS: intFromString(100, 600_000),
    JWT_ISSUER: z.string().regex(/^[A-Za-z0-9_.:\/-]{1,128}$/),
    JWT_AUDIENCE: z.string().regex(/^[A-Za-z0-9_.:\/-]{1,128}$/),
    STAFF_LOGIN_MAX_FAILURES_PER_PAIR: intFromString(1, 1_000_000),
    /** How long a process believes a staff account's status and roles (StaffAccessCache); at most a minute. */
    STAFF_ACCESS_CACHE_SECONDS: intFromString(1, 60),
    /** Which identity verifier binds real names: `local` (development and the demo) or `http` (a provider). */
    IDENTITY_VERIFIER: z.enum(['local', 'http']),
    IDENTITY_PROVIDER_URL: z.url({ protocol: /^https?$/ }).optional(),
    IDENTITY_PROVIDER_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    IDENTITY_PROVIDER_TIMEOUT_MS: intFromString(50, 60_000),
    IDENTITY_PROVIDER_RETRIES: intFromString(0, 10),
    IDENTITY_PROVIDER_BREAKER_FAILURES: intFromString(1, 1000),
    IDENTITY_PROVIDER_BREAKER_COOLDOWN_MS: intFromString(100, 3_600_000),
    /** Where the public reaches the service: every absolute URL (the Atom feed) is built from it, never from Host. */
    PUBLIC_BASE_URL: publicBaseUrl,
    /** The directory of the artifact store (entries files and audit bundles, written once, served as files). */
    ARTIFACTS_DIR: z.string().min(1),
    /** Where artifacts are stored: `directory` (ARTIFACTS_DIR; one host or a shared volume) or `s3` (an S3-compatible bucket). */
    ARTIFACT_STORE: z.enum(['directory', 's3']),
    /** The S3-compatible endpoint (e.g. https://minio.internal:9000); unset: AWS S3 of S3_REGION. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_REGION: z.string().regex(/^[a-z0-9-]{1,32}$/, 'expected a region name such as us-east-1'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)')
      .optional(),
    /** Prefix of every object name, so deployments can share a bucket: `/`-separated segments; a trailing `/` is added. */
    S3_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/, 'expected /-separated segments of letters, digits, . _ - (e.g. invoice-lottery/)')
      .transform((v) => (v.endsWith('/') ? v : `${v}/`))
      .optional(),
    /** Unset (both): the SDK's default credentials (environment, instance or pod role). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Path-style URLs (endpoint/bucket/key), which most self-hosted S3-compatible servers need. */
    S3_FORCE_PATH_STYLE: flag,
    /** Whether the server honours `If-None-Match: *` on PUT (AWS S3, MinIO): the race-free write-once commit. */
    S3_CONDITIONAL_WRITES: flag,
    /** Bearer token of the metrics endpoints (API /metrics, the worker's metrics port); unset: no metrics served. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    WORKER_METRICS_HOST: z.string().min(1),
    WORKER_METRICS_PORT: intFromString(0, 65535),
    /** Worker threads reading uploaded e-invoice files (src/invoices/files/invoice-file-reader.ts), off the API's event loop. */
    INVOICE_FILE_THREADS: intFromString(1, 32),
    /** Files waiting for a thread beyond those being read; one more is 503 SERVICE_UNAVAILABLE. */
    INVOICE_FILE_QUEUE: intFromString(0, 10_000),
    /** A file still being read after this long is refused (422 FILE_READ_TIMEOUT) and its thread ended. */
    INVOICE_FILE_TIMEOUT_MS: intFromString(50, 120_000),
    /**
     * The worker's key for instant-draw day secrets (ILI-1: secret = HMAC-SHA256(key, day id)), 64 hex chars.
     * Worker only: required by the worker when a campaign has instant pools, refused by the API at start-up
     * (the API must never be able to compute a day's secret before it is revealed).
     */
    /** How long a registration waits for the worker's instant-draw outcome before answering `pending`. */
    INSTANT_OUTCOME_WAIT_MS: intFromString(0, 30_000),
    INSTANT_SECRET_KEY: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (32 bytes)').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.IDENTITY_VERIFIER === 'http') {
      if (c.IDENTITY_PROVIDER_URL === undefined)
        ctx.addIssue({ code: 'custom', path: ['IDENTITY_PROVIDER_URL'], message: 'is required when IDENTITY_VERIFIER=http' });
      if (c.IDENTITY_PROVIDER_KEY === undefined)
        ctx.addIssue({ code: 'custom', path: ['IDENTITY_PROVIDER_KEY'], message: 'is required when IDENTITY_VERIFIER=http' });
    }
    if (c.ARTIFACT_STORE === 's3' && c.S3_BUCKET === undefined)
      ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'is required when ARTIFACT_STORE=s3' });
    if ((c.S3_ACCESS_KEY_ID === undefined) !== (c.S3_SECRET_ACCESS_KEY === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [c.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'],
        message: 'must be set together with the other S3 credential (or both unset for the default credentials)',
      });
    if (c.CLOCK_ANCHOR !== undefined && c.CLOCK_START === undefined)
      ctx.addIssue({ code: 'custom', path: ['CLOCK_ANCHOR'], message: 'needs CLOCK_START (it anchors the simulated clock)' });
    if (c.NODE_ENV !== 'production') return;
    // Development conveniences must never reach production.
    if (c.AUTH_DEV_OTP !== undefined)
      ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_OTP'], message: 'must not be set when NODE_ENV=production' });
    for (const [name, devValue] of Object.entries(developmentOnlyValues)) {
      if (c[name as keyof typeof developmentOnlyValues] === devValue)
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be set to a secret value when NODE_ENV=production' });
    }
    if (c.REGISTRY_API_KEY === undefined)
      ctx.addIssue({ code: 'custom', path: ['REGISTRY_API_KEY'], message: 'is required when NODE_ENV=production' });
    // The local verifier accepts any well-formed identity: a stranger could bind anyone's ID number.
    if (c.IDENTITY_VERIFIER !== 'http')
      ctx.addIssue({ code: 'custom', path: ['IDENTITY_VERIFIER'], message: 'must be http (a real verification provider) when NODE_ENV=production' });
    // Published artifacts are only as trustworthy as the path they are stored over.
    if (c.ARTIFACT_STORE === 's3' && c.S3_ENDPOINT !== undefined && !c.S3_ENDPOINT.startsWith('https:'))
      ctx.addIssue({ code: 'custom', path: ['S3_ENDPOINT'], message: 'must be an https URL when NODE_ENV=production' });
  });

export type AppConfig = z.infer<typeof schema>;

/**
 * The API process's check of its configuration: it must not hold the instant-draw secret key (only the
 * worker derives day secrets). Throws ConfigError naming the variable.
 */
export function assertApiConfig(config: AppConfig): void {
  if (config.INSTANT_SECRET_KEY !== undefined)
    throw new ConfigError('INSTANT_SECRET_KEY', 'must not be set for the API process: only the worker holds the instant-draw secret key');
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the one validated configuration from environment variables over config/defaults.ts.
 * Empty strings count as unset. Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const input: Record<string, string> = { ...configDefaults };
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? 'configuration'), issue.message);
  }
  return parsed.data;
}

/** The database name in DATABASE_URL (validated to be a plain identifier). */
export function databaseNameOf(url: string): string {
  return new URL(url).pathname.slice(1);
}

/** For entry points and commands: the validated configuration, or a message naming the bad variable and exit 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
