/**
 * Development defaults for every setting the service reads. Production deployments override them with
 * environment variables; src/core/config/config.schema.ts validates the result at start-up and refuses
 * the development-only values (JWT_SECRET, PII_KEY, AUTH_DEV_OTP) when NODE_ENV=production.
 */
export const configDefaults = {
  NODE_ENV: 'development',
  HOST: '0.0.0.0',
  PORT: '3000',
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/invoice_lottery',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  REDIS_PREFIX: 'il',
  ADMIN_USERNAME: 'admin',
  JWT_SECRET: 'development-only-jwt-secret-change-me-0000',
  PII_KEY: '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3030303030',
  STAFF_TOKEN_TTL_SECONDS: '28800',
  CONSUMER_TOKEN_TTL_SECONDS: '604800',
  SESSION_IDLE_TIMEOUT_SECONDS: '1800',
  CLOCK_RATE: '1',
  TRUST_PROXY: 'false',
  BODY_LIMIT_BYTES: '1048576',
  LOG_LEVEL: 'log',
  SMS_SIGNATURE: '河南省有奖发票',
  LOG_FORMAT: 'text',
  CAMPAIGNS_DIR: 'config/campaigns',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '600',
  STAFF_LOGIN_MAX_FAILURES_PER_USERNAME: '200',
  STAFF_LOGIN_MAX_FAILURES_PER_PAIR: '5',
  STAFF_ACCESS_CACHE_SECONDS: '30',
  STAFF_LOGIN_MAX_FAILURES_PER_IP: '50',
  STAFF_LOGIN_WINDOW_SECONDS: '900',
  DATABASE_QUERY_TIMEOUT_MS: '10000',
  JWT_ISSUER: 'invoice-lottery',
  JWT_AUDIENCE: 'invoice-lottery-dev',
  IDENTITY_VERIFIER: 'local',
  IDENTITY_PROVIDER_TIMEOUT_MS: '3000',
  INSTANT_OUTCOME_WAIT_MS: '2000',
  IDENTITY_PROVIDER_RETRIES: '2',
  IDENTITY_PROVIDER_BREAKER_FAILURES: '5',
  IDENTITY_PROVIDER_BREAKER_COOLDOWN_MS: '30000',
  PUBLIC_BASE_URL: 'http://localhost:3000',
  ARTIFACTS_DIR: 'var/artifacts',
  ARTIFACT_STORE: 'directory',
  S3_REGION: 'us-east-1',
  S3_FORCE_PATH_STYLE: 'false',
  S3_CONDITIONAL_WRITES: 'true',
  WORKER_METRICS_HOST: '0.0.0.0',
  WORKER_METRICS_PORT: '9464',
  INVOICE_FILE_THREADS: '2',
  INVOICE_FILE_QUEUE: '16',
  INVOICE_FILE_TIMEOUT_MS: '5000',
} as const;

/** Values that are only acceptable outside production. */
export const developmentOnlyValues = {
  JWT_SECRET: configDefaults.JWT_SECRET,
  PII_KEY: configDefaults.PII_KEY,
  /** Each deployment names its own audience, so its tokens are refused by any other deployment. */
  JWT_AUDIENCE: configDefaults.JWT_AUDIENCE,
} as const;
