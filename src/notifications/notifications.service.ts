import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { Notification } from './notification.entity.js';
import { SMS_RECORD_KIND } from './notification-jobs.js';

export interface NewNotification {
  consumerId: number;
  kind: string;
  title: string;
  body: string;
  /** Unique over all notifications: a second create with the same key is a no-op. */
  dedupeKey: string;
}

export interface NotificationView {
  id: number;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

/**
 * In-app notifications. Creating is idempotent by dedupe key (UQ_notifications_dedupe decides races);
 * reading and marking read are the consumer's own. Never put phone, ID or bank numbers in a notice.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the notice unless one with the same dedupe key exists (inside `em`'s transaction when given).
   * Returns whether this call created it. Uses ON DUPLICATE KEY UPDATE as a no-op rather than catching the
   * duplicate-key error, so it is safe inside a surrounding transaction.
   */
  async create(notice: NewNotification, em?: EntityManager): Promise<boolean> {
    const result = await (em ?? this.dataSource.manager).query(
      `INSERT INTO notifications (consumer_id, kind, title, body, dedupe_key, created_at, read_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL) ON DUPLICATE KEY UPDATE id = id`,
      [notice.consumerId, notice.kind, notice.title.slice(0, 200), notice.body.slice(0, 2000), notice.dedupeKey, this.clock.now()],
    );
    return Number((result as { affectedRows?: number }).affectedRows ?? 0) === 1;
  }

  /**
   * Creates many notices at once (multi-row INSERTs of 1,000 inside `em`'s transaction when given); those
   * whose dedupe key exists are skipped. Idempotent. Returns how many rows the INSERTs created.
   */
  async createMany(notices: readonly NewNotification[], em?: EntityManager): Promise<number> {
    const now = this.clock.now();
    let created = 0;
    for (let i = 0; i < notices.length; i += 1000) {
      const batch = notices.slice(i, i + 1000);
      const values = batch.flatMap((n) => [n.consumerId, n.kind, n.title.slice(0, 200), n.body.slice(0, 2000), n.dedupeKey, now]);
      const result = await (em ?? this.dataSource.manager).query(
        `INSERT IGNORE INTO notifications (consumer_id, kind, title, body, dedupe_key, created_at, read_at)
         VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, NULL)').join(', ')}`,
        values,
      );
      created += Number((result as { affectedRows?: number }).affectedRows ?? 0);
    }
    return created;
  }

  /** The consumer's notices, newest first, with the unread count. SMS records are not listed. Read-only. */
  async listForConsumer(consumerId: number, page: number, pageSize: number) {
    const base = () =>
      this.dataSource
        .getRepository(Notification)
        .createQueryBuilder('n')
        .where('n.consumer_id = :consumerId AND n.kind <> :sms', { consumerId, sms: SMS_RECORD_KIND });
    const [[rows, total], unread] = await Promise.all([
      base()
        .orderBy('n.id', 'DESC')
        .skip((page - 1) * pageSize)
        .take(pageSize)
        .getManyAndCount(),
      base().andWhere('n.read_at IS NULL').getCount(),
    ]);
    return { items: rows.map(toView), page, pageSize, total, unread };
  }

  /** Marks one of the consumer's notices read. Idempotent (the first read time is kept); someone else's is 404. */
  async markRead(consumerId: number, id: number): Promise<NotificationView> {
    const repo = this.dataSource.getRepository(Notification);
    await repo
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: this.clock.now() })
      .where('id = :id AND consumer_id = :consumerId AND kind <> :sms AND read_at IS NULL', { id, consumerId, sms: SMS_RECORD_KIND })
      .execute();
    const notice = await repo
      .createQueryBuilder('n')
      .where('n.id = :id AND n.consumer_id = :consumerId AND n.kind <> :sms', { id, consumerId, sms: SMS_RECORD_KIND })
      .getOne();
    if (!notice) throw DomainError.notFound('NOTIFICATION_NOT_FOUND', 'No such notification');
    return toView(notice);
  }

  /** Marks all of the consumer's unread notices read. Idempotent. */
  async markAllRead(consumerId: number): Promise<{ updated: number }> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: this.clock.now() })
      .where('consumer_id = :consumerId AND kind <> :sms AND read_at IS NULL', { consumerId, sms: SMS_RECORD_KIND })
      .execute();
    return { updated: result.affected ?? 0 };
  }
}

function toView(n: Notification): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}
