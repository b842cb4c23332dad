import { JOBS } from '../core/queue/job-contracts.js';

/**
 * Jobs of the `notifications` queue (consumed by NotificationsProcessor in the worker; declared with their
 * payloads in core/queue/job-contracts.ts): `draw-published` `{ drawId }` after a publication, an SMS to
 * each winner; `prize-passed` `{ prizeId }` after a prize passed to an alternate, an SMS to the alternate.
 */
export const NotificationJob = JOBS.notifications;

/** BullMQ custom job ids may not contain ':'; these are deterministic so a repeated add is a no-op. */
export const prizePassedJobId = (prizeId: number) => `prize-passed-${prizeId}`;

/**
 * The `kind` of the rows that record an SMS (one per message, dedupe key `sms:<notice>`): they live in the
 * notifications table for idempotence but are not shown in the consumer's in-app list.
 */
export const SMS_RECORD_KIND = 'sms';
