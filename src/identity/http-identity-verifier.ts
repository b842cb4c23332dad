import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { randomUUID } from 'node:crypto';
import { identityProviderUnavailable, IdentityVerifier, type IdentityClaim, type IdentityVerdict, type ProviderCallOutcome } from './identity-verifier.js';
import { identityProviderCalls } from '../core/metrics/metrics.js';

export interface HttpIdentityVerifierOptions {
  /** e.g. https://verify.example.com; the adapter POSTs to `<baseUrl>/v1/identity/three-factor`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a failed one (timeouts, 5xx, 429, garbage), with exponential backoff. */
  retries: number;
  /** Consecutive failed attempts that open the circuit: calls then fail at once (503) until the cooldown ends. */
  breakerFailures: number;
  breakerCooldownMs: number;
  /** First backoff delay (doubles per attempt, with jitter); tests shorten it. */
  backoffInitialMs?: number;
}

export const THREE_FACTOR_PATH = '/v1/identity/three-factor';
const MAX_ANSWER_BYTES = 16 * 1024;
const VERDICTS: ReadonlySet<string> = new Set(['match', 'mismatch', 'not_found']);

/** An attempt that got no usable verdict. `retryable` is false for answers that repeating cannot change (400, 401, 403). */
class ProviderCallError extends Error {
  constructor(
    readonly outcome: ProviderCallOutcome,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

/**
 * The identity port over HTTP (the contract is in README, "Identity verification"): one POST per attempt
 * with `{name, idNumber, mobile}`, answered 200 `{"result": "match" | "mismatch" | "not_found"}`. Each attempt
 * is bounded by a timeout; failed attempts are retried with exponential backoff; a circuit breaker stops
 * calling a provider that keeps failing, so consumers get a fast 503 IDENTITY_PROVIDER_UNAVAILABLE rather
 * than a slow one and the provider gets room to recover. Nothing personal is logged.
 */
export class HttpIdentityVerifier extends IdentityVerifier {
  readonly method = 'http';
  private readonly logger = new Logger('HttpIdentityVerifier');
  private readonly url: string;
  private readonly policy: IPolicy;

  constructor(private readonly options: HttpIdentityVerifierOptions) {
    super();
    this.url = options.baseUrl.replace(/\/+$/, '') + THREE_FACTOR_PATH;
    const breaker = circuitBreaker(
      handleWhen((e) => !(e instanceof ProviderCallError) || e.retryable),
      { halfOpenAfter: options.breakerCooldownMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
    );
    const retries = retry(
      handleWhen((e) => !(e instanceof BrokenCircuitError) && (!(e instanceof ProviderCallError) || e.retryable)),
      { maxAttempts: options.retries, backoff: new ExponentialBackoff({ initialDelay: options.backoffInitialMs ?? 200, maxDelay: 2000 }) },
    );
    this.policy = wrap(retries, breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  /** match / mismatch / not_found, or throws 503 IDENTITY_PROVIDER_UNAVAILABLE after the retries. */
  async verify(claim: IdentityClaim): Promise<IdentityVerdict> {
    try {
      return (await this.policy.execute(({ signal }) => this.attempt(claim, signal))) as IdentityVerdict;
    } catch (error) {
      if (error instanceof BrokenCircuitError) this.report('circuit_open', 0);
      else this.logger.warn(`Identity provider gave no verdict: ${(error as Error).message}`);
      throw identityProviderUnavailable();
    }
  }

  private async attempt(claim: IdentityClaim, signal: AbortSignal): Promise<IdentityVerdict> {
    const started = performance.now();
    try {
      const verdict = await this.call(claim, signal);
      this.report(verdict, performance.now() - started);
      return verdict;
    } catch (error) {
      const outcome = error instanceof ProviderCallError ? error.outcome : signal.aborted ? 'timeout' : 'error';
      this.report(outcome, performance.now() - started);
      if (error instanceof ProviderCallError) throw error;
      if (signal.aborted || error instanceof TaskCancelledError) throw new ProviderCallError('timeout', `no answer within ${this.options.timeoutMs} ms`);
      throw new ProviderCallError('error', `request failed: ${(error as Error).message}`);
    }
  }

  private async call(claim: IdentityClaim, signal: AbortSignal): Promise<IdentityVerdict> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'x-request-id': randomUUID(),
      },
      body: JSON.stringify({ name: claim.realName, idNumber: claim.idNumber, mobile: claim.phone }),
      signal,
    });
    const text = await readLimited(response, MAX_ANSWER_BYTES);
    if (response.status !== 200) {
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new ProviderCallError('error', `HTTP ${response.status}`, retryable);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new ProviderCallError('error', 'the answer is not JSON');
    }
    const result = (answer as { result?: unknown } | null)?.result;
    if (typeof result !== 'string' || !VERDICTS.has(result)) throw new ProviderCallError('error', 'the answer has no known result');
    return result as IdentityVerdict;
  }

  /**
   * Every attempt's outcome and duration passes through here: the one place to count provider calls by
   * result (metrics). Never given personal data.
   */
  protected report(outcome: ProviderCallOutcome, durationMs: number): void {
    identityProviderCalls.inc({ result: outcome });
    this.logger.debug(`identity provider call: ${outcome} in ${Math.round(durationMs)} ms`);
  }
}

/** The body as text, refusing (as garbage) anything longer than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) throw new ProviderCallError('error', `the answer is longer than ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
