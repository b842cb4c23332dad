/**
 * Bounded waits for the tests: every wait has an explicit timeout, so a regression (a hang) fails naming what
 * was awaited instead of stalling until Jest's own timeout.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `work`, or a failure naming `what` after `timeoutMs` (the timer never outlives the wait). */
export async function within<T>(what: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` every 100 ms until it returns true; returns the time that took (ms). A probe that throws counts
 * as "not yet" (a service may be unreachable while it comes back); after `timeoutMs` it fails naming `what`,
 * with the message of the last error a probe threw, if any.
 */
export async function eventually(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (await probe()) return Date.now() - started;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) {
      const cause = lastError === undefined ? '' : ` (last probe error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`${what}: not within ${timeoutMs} ms${cause}`);
    }
    await sleep(100);
  }
}
