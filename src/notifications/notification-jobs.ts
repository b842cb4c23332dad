/** Jobs of the `notifications` queue (consumed by NotificationsProcessor in the worker). */
export const NotificationJob = {
  /** `{ drawId }`, added by DrawLifecycleService after a draw is published: an SMS to each winner. */
  drawPublished: 'draw-published',
  /** `{ prizeId }`, added after a forfeited or revoked prize passed to an alternate: an SMS to the alternate. */
  prizePassed: 'prize-passed',
} as const;

export interface DrawPublishedJobData {
  drawId: string;
}

export interface PrizePassedJobData {
  prizeId: number;
}

/** BullMQ custom job ids may not contain ':'; these are deterministic so a repeated add is a no-op. */
export const prizePassedJobId = (prizeId: number) => `prize-passed-${prizeId}`;

/**
 * The `kind` of the rows that record an SMS (one per message, dedupe key `sms:<notice>`): they live in the
 * notifications table for idempotence but are not shown in the consumer's in-app list.
 */
export const SMS_RECORD_KIND = 'sms';
