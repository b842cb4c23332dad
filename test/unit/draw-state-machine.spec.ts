import { jobContractProblems, QUEUE_JOB_NAMES } from '../../src/core/queue/job-contracts.js';
import { DRAW_GRAPH, DRAW_STEPS, dueStep, guardStep, validateDrawGraph } from '../../src/draws/draw-state-machine.js';

const freezeAt = new Date('2022-09-05T16:00:00Z');
const drawAt = new Date('2022-09-07T02:00:00Z');
const at = (iso: string) => new Date(iso);
const draw = (status: 'scheduled' | 'frozen' | 'drawn' | 'published' | 'failed') => ({ status, freezeAt, drawAt });

describe('the draw state machine', () => {
  test('the graph as data validates; a broken one stops start-up', () => {
    expect(() => validateDrawGraph()).not.toThrow();
    expect(() => validateDrawGraph({ ...DRAW_GRAPH, frozen: ['drawn', 'archived'] })).toThrow(/unknown status/);
    expect(() => validateDrawGraph({ ...DRAW_GRAPH, drawn: ['failed'] })).toThrow(/step publish .* is not a transition/);
    expect(() => validateDrawGraph({ ...DRAW_GRAPH, scheduled: ['failed'], failed: ['scheduled'] }, { ...DRAW_STEPS, freeze: { from: 'scheduled', to: 'failed' } })).toThrow(
      /cannot be reached/,
    );
  });

  test('freeze: due at freezeAt on the clock, not a millisecond before', () => {
    expect(dueStep(draw('scheduled'), new Date(freezeAt.getTime() - 1), null)).toMatchObject({ step: null, code: 'FREEZE_TIME_NOT_REACHED', waitUntil: freezeAt });
    expect(dueStep(draw('scheduled'), freezeAt, null)).toEqual({ step: 'freeze', trigger: 'schedule' });
  });

  test('draw: at drawAt, or earlier only with a request approved by another account', () => {
    const early = at('2022-09-06T01:00:00Z');
    expect(dueStep(draw('frozen'), early, null)).toMatchObject({ step: null, code: 'DRAW_TIME_NOT_REACHED' });
    expect(dueStep(draw('frozen'), early, { id: 7, requestedBy: 3, decidedBy: 4 })).toEqual({ step: 'draw', trigger: 'approved-request', requestId: 7 });
    expect(dueStep(draw('frozen'), early, { id: 7, requestedBy: 3, decidedBy: 3 })).toMatchObject({ step: null, code: 'REQUEST_APPROVED_BY_REQUESTER' });
    expect(dueStep(draw('frozen'), early, { id: 7, requestedBy: 3, decidedBy: null })).toMatchObject({ step: null, code: 'REQUEST_APPROVED_BY_REQUESTER' });
    expect(dueStep(draw('frozen'), drawAt, { id: 7, requestedBy: 3, decidedBy: 3 })).toEqual({ step: 'draw', trigger: 'schedule' });
  });

  test('publish follows a draw; nothing is due once published or failed', () => {
    expect(dueStep(draw('drawn'), at('2022-01-01T00:00:00Z'), null)).toEqual({ step: 'publish', trigger: 'drawn' });
    expect(dueStep(draw('published'), drawAt, null)).toMatchObject({ step: null, code: 'DRAW_FINISHED' });
    expect(dueStep(draw('failed'), drawAt, null)).toMatchObject({ step: null, code: 'DRAW_FAILED' });
  });

  test('guards: the wrong status, or not due, is refused with a reason', () => {
    expect(guardStep('freeze', draw('scheduled'), freezeAt, null)).toBeNull();
    expect(guardStep('draw', draw('scheduled'), drawAt, null)).toMatchObject({ code: 'WRONG_STATUS', status: 'scheduled' });
    expect(guardStep('publish', draw('frozen'), drawAt, null)).toMatchObject({ code: 'WRONG_STATUS' });
    expect(guardStep('freeze', draw('scheduled'), at('2022-08-20T00:00:00Z'), null)).toMatchObject({
      code: 'FREEZE_TIME_NOT_REACHED',
      reason: expect.stringContaining('2022-09-05T16:00:00.000Z'),
    });
    expect(guardStep('draw', draw('frozen'), at('2022-09-06T00:00:00Z'), { id: 1, requestedBy: 2, decidedBy: 2 })).toMatchObject({
      code: 'REQUEST_APPROVED_BY_REQUESTER',
    });
  });
});

describe('queue job contracts', () => {
  const all = (Object.keys(QUEUE_JOB_NAMES) as Array<keyof typeof QUEUE_JOB_NAMES>).map((queue) => ({
    name: `${queue}Processor`,
    queue,
    jobs: [...QUEUE_JOB_NAMES[queue]],
  }));

  test('every declared job handled once: no problems', () => {
    expect(jobContractProblems(all)).toEqual([]);
  });

  test('a job without a handler, with two, or a handler for an undeclared job stops start-up', () => {
    const missing = all.map((p) => (p.queue === 'draws' ? { ...p, jobs: p.jobs.filter((j) => j !== 'publish') } : p));
    expect(jobContractProblems(missing)).toEqual(['draws/publish has no handler']);
    const doubled = [...all, { name: 'Other', queue: 'maintenance' as const, jobs: ['tick'] }];
    expect(jobContractProblems(doubled)).toEqual([
      'maintenance/tick has 2 handlers (maintenanceProcessor, Other)',
      'queue maintenance has 2 processors (maintenanceProcessor, Other); one consumes each queue',
    ]);
    const extra = all.map((p) => (p.queue === 'registry' ? { ...p, jobs: [...p.jobs, 'rebuild-everything'] } : p));
    expect(jobContractProblems(extra)).toEqual(['registryProcessor handles registry/rebuild-everything, which is not declared']);
  });
});
