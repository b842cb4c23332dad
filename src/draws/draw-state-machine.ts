import { validateLifecycleGraph } from '../core/lifecycle-graph.js';
import type { DrawPhase, DrawStatus } from './draw.entity.js';

/**
 * The draw lifecycle as data: each status maps to the statuses it may move to. `failed` goes back to the
 * status before its failed step when an operator retries. Validated once at start-up (validateDrawGraph).
 */
export const DRAW_GRAPH: Readonly<Record<DrawStatus, readonly DrawStatus[]>> = {
  scheduled: ['frozen', 'failed'],
  frozen: ['drawn', 'failed'],
  drawn: ['published', 'failed'],
  published: [],
  failed: ['scheduled', 'frozen', 'drawn'],
};

/** Each step: the status it starts from and the one it leads to. */
export const DRAW_STEPS: Readonly<Record<DrawPhase, { from: DrawStatus; to: DrawStatus }>> = {
  freeze: { from: 'scheduled', to: 'frozen' },
  draw: { from: 'frozen', to: 'drawn' },
  publish: { from: 'drawn', to: 'published' },
};

/** The status a failed step returns to on retry. */
export const statusBefore = (phase: DrawPhase): DrawStatus => DRAW_STEPS[phase].from;

/** Throws when the graph names an unknown status, a step is not an edge of it, or a status cannot be reached. */
export function validateDrawGraph(graph: Readonly<Record<string, readonly string[]>> = DRAW_GRAPH, steps = DRAW_STEPS): void {
  validateLifecycleGraph('Draw', 'scheduled', graph, steps);
}

export const canTransition = (from: DrawStatus, to: DrawStatus): boolean => DRAW_GRAPH[from].includes(to);

/** What "due" is decided from: the draw's row, as stored. */
export interface DrawScheduleFacts {
  status: DrawStatus;
  freezeAt: Date;
  drawAt: Date;
}

/** The draw's approved two-person request, if any (status `approved` in draw_requests). */
export interface ApprovedRequestFacts {
  id: number;
  requestedBy: number;
  decidedBy: number | null;
}

/** Why a step became due: the schedule (the clock passed its time), an approved request, or the step before. */
export type DrawTrigger = 'schedule' | 'approved-request' | 'drawn';

export type DueStep =
  | { step: DrawPhase; trigger: DrawTrigger; requestId?: number }
  | { step: null; code: DrawNotDueCode; reason: string; waitUntil?: Date };

export type DrawNotDueCode =
  | 'FREEZE_TIME_NOT_REACHED'
  | 'DRAW_TIME_NOT_REACHED'
  | 'REQUEST_APPROVED_BY_REQUESTER'
  | 'DRAW_FINISHED'
  | 'DRAW_FAILED';

/** A refused step: stable code and a readable reason, for the audit log. */
export interface StepRefusal {
  step: DrawPhase;
  code: DrawNotDueCode | 'WRONG_STATUS' | 'OTHER_STEP_DUE';
  reason: string;
  status: DrawStatus;
}

/**
 * The one decision of what a draw needs next, pure: from its row, the service clock's `now` and its approved
 * request. Freeze at or after freezeAt; draw at or after drawAt, or earlier with an approved request whose
 * approver is another staff account than its requester; publish as soon as it is drawn. The tick, the
 * processor (chaining, and every step's guard), retries and the admin API all ask this.
 */
export function dueStep(draw: DrawScheduleFacts, now: Date, approved: ApprovedRequestFacts | null): DueStep {
  const t = now.getTime();
  switch (draw.status) {
    case 'scheduled':
      if (t >= draw.freezeAt.getTime()) return { step: 'freeze', trigger: 'schedule' };
      return {
        step: null,
        code: 'FREEZE_TIME_NOT_REACHED',
        reason: `the freeze is due at ${draw.freezeAt.toISOString()}; the service clock reads ${now.toISOString()}`,
        waitUntil: draw.freezeAt,
      };
    case 'frozen':
      if (t >= draw.drawAt.getTime()) return { step: 'draw', trigger: 'schedule' };
      if (approved && approved.decidedBy !== null && approved.decidedBy !== approved.requestedBy)
        return { step: 'draw', trigger: 'approved-request', requestId: approved.id };
      if (approved)
        return {
          step: null,
          code: 'REQUEST_APPROVED_BY_REQUESTER',
          reason: `draw request ${approved.id} was approved by its own requester (staff ${approved.requestedBy}), which never counts; the draw is due at ${draw.drawAt.toISOString()}`,
          waitUntil: draw.drawAt,
        };
      return {
        step: null,
        code: 'DRAW_TIME_NOT_REACHED',
        reason: `the draw is due at ${draw.drawAt.toISOString()} (the service clock reads ${now.toISOString()}) and no draw request is approved by a second person`,
        waitUntil: draw.drawAt,
      };
    case 'drawn':
      return { step: 'publish', trigger: 'drawn' };
    case 'published':
      return { step: null, code: 'DRAW_FINISHED', reason: 'the draw is published' };
    case 'failed':
      return { step: null, code: 'DRAW_FAILED', reason: 'the draw failed; an operator retries it' };
  }
}

/** The guard of `step`: null when it may run now, else why not. Built on dueStep, so nothing decides twice. */
export function guardStep(step: DrawPhase, draw: DrawScheduleFacts, now: Date, approved: ApprovedRequestFacts | null): StepRefusal | null {
  const { from } = DRAW_STEPS[step];
  if (draw.status !== from)
    return { step, status: draw.status, code: 'WRONG_STATUS', reason: `${step} needs a ${from} draw; this one is ${draw.status}` };
  const due = dueStep(draw, now, approved);
  if (due.step === step) return null;
  if (due.step === null) return { step, status: draw.status, code: due.code, reason: due.reason };
  return { step, status: draw.status, code: 'OTHER_STEP_DUE', reason: `${due.step} is due, not ${step}` };
}
