/** The BullMQ queues of the service. The API only produces; the worker process consumes. */
export const QueueName = {
  /** Campaign ticks, draw freezes, draws, publication. */
  draws: 'draws',
  /** Registry follow-up work: re-checking pending registrations. */
  registry: 'registry',
  /** SMS and in-app notifications. */
  notifications: 'notifications',
  /** The minute tick of dated work outside the draw lifecycle: prize forfeiture, the daily re-check. */
  maintenance: 'maintenance',
  /** Instant-draw outcomes (ILI-1): the API asks, the worker (which alone holds the day secrets) draws. */
  instant: 'instant',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
