import type { Job } from 'bullmq';
import type { QueueName } from './queue-names.js';

/**
 * Every queue's job names and payloads, declared once. Producers (QueueService.add) and processors (their
 * `handlers` map) are typed from this; the worker refuses to start when a declared job has no handler or
 * two, or a handler is for an undeclared job. Payloads are plain JSON: ids and small facts, never state the
 * handler should read from the database.
 */
export interface QueueJobs {
  draws: {
    /** The minute tick (a job scheduler): queues what the draw state machine finds due. */
    'draw-tick': Record<string, never>;
    /** The draw steps: the draw id only; why a step is due is read from the database when it runs. */
    freeze: DrawStepPayload;
    draw: DrawStepPayload;
    publish: DrawStepPayload;
  };
  registry: {
    /** Re-match pending registrations: after an import (with its facts) or from the daily scheduler (`{}`). */
    'recheck-pending': Partial<RecheckAfterImportPayload>;
    /** Verified registrations of these invoices become revoked. */
    'revoke-invoices': RevokeInvoicesPayload;
  };
  notifications: {
    /** SMS to each winner of a published draw. */
    'draw-published': { drawId: string };
    /** SMS to the alternate a forfeited or revoked prize passed to. */
    'prize-passed': { prizeId: number };
  };
  maintenance: {
    /** The minute tick of dated work on the service clock (a job scheduler, and once at start-up): prize forfeiture, the day's re-check. */
    tick: Record<string, never>;
  };
  instant: {
    /**
     * Draw the instant outcomes of registrations (their ids only; everything else is read from the database),
     * answered in the same order. The API sends the registrations of a few milliseconds in one job and waits
     * for it; the tick's sweep sends one (job id `instant-entry-<invoiceId>`). Drawing is idempotent per
     * registration, so a repeat answers the same log lines.
     */
    'draw-entries': { invoiceIds: number[] };
  };
}

export interface DrawStepPayload {
  drawId: string;
}

export interface RecheckAfterImportPayload {
  importId: string;
  /** Service-clock instants bracketing the import: records it changed have updated_at in [startedAt, finishedAt]. */
  startedAt: string;
  finishedAt: string;
  accepted: number;
  updated: number;
  /** false when the import failed half-way (the batches before the failure were written). */
  complete: boolean;
}

export interface RevokeInvoicesPayload {
  invoices: Array<{ invoiceCode: string; invoiceNumber: string; kind: 'voided' | 'red' }>;
}

export type JobName<Q extends QueueName> = keyof QueueJobs[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = QueueJobs[Q][N];
export type TypedJob<Q extends QueueName, N extends JobName<Q>> = Job<JobData<Q, N>, unknown, N>;

/** A processor's handlers: one function per job name of its queue, each given its own payload type. */
export type JobHandlers<Q extends QueueName> = { [N in JobName<Q>]: (job: TypedJob<Q, N>) => Promise<unknown> };

/**
 * The job names of each queue as constants for code that names a job (producers, job schedulers, tests).
 * Checked against QueueJobs below: a name missing on either side does not compile.
 */
export const JOBS = {
  draws: { tick: 'draw-tick', freeze: 'freeze', draw: 'draw', publish: 'publish' },
  registry: { recheckPending: 'recheck-pending', revokeInvoices: 'revoke-invoices' },
  notifications: { drawPublished: 'draw-published', prizePassed: 'prize-passed' },
  maintenance: { tick: 'tick' },
  instant: { drawEntries: 'draw-entries' },
} as const;

type SameNames<Q extends QueueName> = [(typeof JOBS)[Q][keyof (typeof JOBS)[Q]]] extends [JobName<Q>]
  ? [JobName<Q>] extends [(typeof JOBS)[Q][keyof (typeof JOBS)[Q]]]
    ? true
    : never
  : never;
const namesMatchContract: { [Q in QueueName]: SameNames<Q> } = { draws: true, registry: true, notifications: true, maintenance: true, instant: true };
void namesMatchContract;

/** The declared job names of each queue, as data (checked against the handlers at the worker's start-up). */
export const QUEUE_JOB_NAMES = Object.fromEntries(Object.entries(JOBS).map(([queue, names]) => [queue, Object.values(names)])) as unknown as {
  readonly [Q in QueueName]: ReadonlyArray<JobName<Q>>;
};

/**
 * Checks the processors found at start-up against the contract: every declared job of every queue handled
 * exactly once, no handler for an undeclared job. Returns the problems (empty when all is well). Pure.
 */
export function jobContractProblems(processors: ReadonlyArray<{ name: string; queue: QueueName; jobs: readonly string[] }>): string[] {
  const problems: string[] = [];
  for (const queue of Object.keys(QUEUE_JOB_NAMES) as QueueName[]) {
    const declared = QUEUE_JOB_NAMES[queue] as readonly string[];
    const onQueue = processors.filter((p) => p.queue === queue);
    for (const job of declared) {
      const handlers = onQueue.filter((p) => p.jobs.includes(job)).map((p) => p.name);
      if (handlers.length === 0) problems.push(`${queue}/${job} has no handler`);
      if (handlers.length > 1) problems.push(`${queue}/${job} has ${handlers.length} handlers (${handlers.join(', ')})`);
    }
    for (const p of onQueue) for (const job of p.jobs) if (!declared.includes(job)) problems.push(`${p.name} handles ${queue}/${job}, which is not declared`);
    if (onQueue.length > 1) problems.push(`queue ${queue} has ${onQueue.length} processors (${onQueue.map((p) => p.name).join(', ')}); one consumes each queue`);
  }
  return problems;
}
