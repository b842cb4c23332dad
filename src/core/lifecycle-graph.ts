/**
 * Checks a lifecycle given as data (the draw's, the instant-draw day's): every edge leads to a known
 * status, every step is an edge, every status can be reached from the initial one. Run once at start-up;
 * throws naming the lifecycle and the fault.
 */
export function validateLifecycleGraph(
  name: string,
  initial: string,
  graph: Readonly<Record<string, readonly string[]>>,
  steps: Readonly<Record<string, { from: string; to: string }>>,
): void {
  const states = new Set(Object.keys(graph));
  for (const [from, targets] of Object.entries(graph))
    for (const to of targets) if (!states.has(to)) throw new Error(`${name} state machine: ${from} -> ${to} leads to an unknown status`);
  for (const [step, { from, to }] of Object.entries(steps))
    if (!graph[from]?.includes(to)) throw new Error(`${name} state machine: step ${step} (${from} -> ${to}) is not a transition of the graph`);
  const reached = new Set([initial]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const from of [...reached])
      for (const to of graph[from] ?? [])
        if (!reached.has(to)) {
          reached.add(to);
          grew = true;
        }
  }
  for (const state of states) if (!reached.has(state)) throw new Error(`${name} state machine: ${state} cannot be reached from ${initial}`);
}
