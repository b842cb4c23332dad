import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../core/config/config.module.js';
import { databaseNameOf, type AppConfig } from '../core/config/config.schema.js';
import { ARTIFACT_STORE, type ArtifactInfo, type ArtifactStore } from '../core/artifacts/artifact-store.js';

/** What the freeze committed to: the entries file must hash to `entriesDigest`. */
export interface EntriesCommitment {
  entriesDigest: string;
  entryCount: number;
  totalTickets: number;
}

export const ENTRIES_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const AUDIT_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * A draw's published files as immutable artifacts: the entries file (from the freeze on) and the audit
 * bundle (from publication on), written once to the artifact store so downloads never touch the database.
 * The lifecycle writes them right after the freeze and the publication commit; a draw without them (older,
 * or a write that failed) gets them on the first request (src/public) or from `npm run artifacts:backfill`.
 * Every method is idempotent: the store keeps the first complete copy.
 */
@Injectable()
export class DrawArtifactsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DrawArtifacts');
  private readonly inflight = new Map<string, Promise<ArtifactInfo>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly namespace: string;

  constructor(
    @Inject(ARTIFACT_STORE) readonly store: ArtifactStore,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.namespace = databaseNameOf(config.DATABASE_URL);
  }

  /**
   * Keys start with the database name: draw ids repeat across databases (tests, benchmarks, a demo next to
   * a development database), and an artifact must never be served for another database's draw.
   */
  entriesKey(drawId: string): string {
    return `${this.namespace}/draws/${drawId}/entries.csv`;
  }

  auditKey(drawId: string): string {
    return `${this.namespace}/draws/${drawId}/audit.json`;
  }

  /** The entries artifact if stored, else null (no database work). */
  storedEntries(drawId: string): Promise<ArtifactInfo | null> {
    return this.store.stat(this.entriesKey(drawId));
  }

  /** The audit bundle artifact if stored, else null (no database work). */
  storedAudit(drawId: string): Promise<ArtifactInfo | null> {
    return this.store.stat(this.auditKey(drawId));
  }

  /**
   * Writes the entries file of a frozen draw from `entries` (the lifecycle's entriesCsv, read from the
   * committed rows), refusing bytes that do not hash to the committed digest. Concurrent calls in this
   * process share one write; `entries` is read only when the store lacks the file.
   */
  storeEntries(drawId: string, commitment: EntriesCommitment, entries: () => AsyncIterable<string>): Promise<ArtifactInfo> {
    const key = this.entriesKey(drawId);
    return this.once(key, () =>
      this.store.putOnce(key, entries(), {
        contentType: ENTRIES_CONTENT_TYPE,
        expectSha256: commitment.entriesDigest,
        precompress: true,
        meta: { entryCount: String(commitment.entryCount), totalTickets: String(commitment.totalTickets) },
      }),
    );
  }

  /** Writes the audit bundle of a published draw, byte for byte as stored at the draw. */
  storeAudit(drawId: string, bundleJson: string): Promise<ArtifactInfo> {
    const key = this.auditKey(drawId);
    return this.once(key, () => this.store.putOnce(key, [bundleJson], { contentType: AUDIT_CONTENT_TYPE, precompress: true }));
  }

  /**
   * Hook after the freeze commits: starts writing the entries file and returns at once, so the freeze job
   * is not held by it (80 MB plus its gzip copy take seconds). Best effort: a failure is logged, and the
   * first request makes the file. Writes still running when the process stops are awaited first.
   */
  afterFreeze(drawId: string, entries: () => AsyncIterable<string>): void {
    this.track(this.bestEffort(drawId, 'entries', () => this.backfill(drawId, entries)));
  }

  /** Hook after publication commits: starts writing the audit bundle (and the entries file if missing), as {@link afterFreeze}. */
  afterPublication(drawId: string, entries: () => AsyncIterable<string>): void {
    this.track(this.bestEffort(drawId, 'audit bundle', () => this.backfill(drawId, entries)));
  }

  /** Resolves when every write the hooks started has ended. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Lets writes in progress finish before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * Writes whatever artifacts the draw's state makes public and the store lacks: the entries file from the
   * freeze on, the audit bundle from publication on. Returns which were written or already there.
   */
  async backfill(drawId: string, entriesCsv: () => AsyncIterable<string>): Promise<{ entries: boolean; audit: boolean }> {
    const [row]: Array<{ status: string; failed_phase: string | null; entries_digest: string | null; entry_count: number | null; total_tickets: string | null }> =
      await this.dataSource.query(`SELECT status, failed_phase, entries_digest, entry_count, total_tickets FROM draws WHERE id = ?`, [drawId]);
    if (!row) return { entries: false, audit: false };
    const committed =
      ['frozen', 'drawn', 'published'].includes(row.status) || (row.status === 'failed' && (row.failed_phase === 'draw' || row.failed_phase === 'publish'));
    let entries = false;
    if (committed && row.entries_digest) {
      const commitment = { entriesDigest: row.entries_digest, entryCount: Number(row.entry_count), totalTickets: Number(row.total_tickets) };
      await this.storeEntries(drawId, commitment, entriesCsv);
      entries = true;
    }
    let audit = false;
    if (row.status === 'published') {
      const [bundle]: Array<{ audit_bundle: string | null }> = await this.dataSource.query(`SELECT audit_bundle FROM draws WHERE id = ?`, [drawId]);
      if (bundle?.audit_bundle) {
        await this.storeAudit(drawId, String(bundle.audit_bundle));
        audit = true;
      }
    }
    return { entries, audit };
  }

  private once(key: string, work: () => Promise<ArtifactInfo>): Promise<ArtifactInfo> {
    const running = this.inflight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async bestEffort(drawId: string, what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn(`Draw ${drawId}: could not store the ${what} artifact (the first download will): ${(error as Error).message}`);
    }
  }
}
