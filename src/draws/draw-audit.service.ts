import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { DrawAuditLogEntry } from './draw-audit-log.entity.js';

/** The actor of transitions the service clock made due (the schedule, or publication following a draw). */
export const SCHEDULER_ACTOR = 'scheduler';
/** The actor of what the worker itself records: a step's failure, or a job refused by its step's guard. */
export const WORKER_ACTOR = 'worker';
/** How a staff member appears in the audit log; the role they acted in goes into the entry's details as `role`. */
export const staffActor = (staff: { id: number; username: string }) => `staff:${staff.id}:${staff.username}`;

/** The append-only audit log of each draw: who did what, when. Never personal data in `details`. */
@Injectable()
export class DrawAuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Appends one entry (inside `em`'s transaction when given). Not idempotent: each call is one more line. */
  async append(drawId: string, actor: string, action: string, details?: object, em?: EntityManager): Promise<void> {
    await (em ?? this.dataSource.manager).insert(DrawAuditLogEntry, {
      drawId,
      at: this.clock.now(),
      actor,
      action,
      details: details === undefined ? null : JSON.stringify(details),
    });
  }

  /** The draw's log, oldest first. Read-only. */
  list(drawId: string): Promise<DrawAuditLogEntry[]> {
    return this.dataSource.getRepository(DrawAuditLogEntry).find({ where: { drawId }, order: { id: 'ASC' } });
  }
}
