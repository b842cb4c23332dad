import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ARTIFACT_STORE, type ArtifactInfo, type ArtifactStore } from '../core/artifacts/artifact-store.js';
import { sendArtifact } from '../core/artifacts/serve-artifact.js';
import { DomainError } from '../core/errors/domain-error.js';
import { DrawArtifactsService } from '../draws/draw-artifacts.service.js';
import { PublicService } from './public.service.js';

/** As in public.service.ts: custom period keys may hold capitals. */
const DRAW_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The public downloads of a draw (entries file, audit bundle) served from the artifact store: a stored
 * artifact is sent without any database work; a draw that has none yet (older than the store, or its write
 * failed) gets it on this first request, after the same visibility checks as the public API (404
 * DRAW_NOT_FOUND, 409 DRAW_NOT_FROZEN / DRAW_NOT_PUBLISHED).
 */
@Injectable()
export class PublicArtifacts {
  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly artifacts: DrawArtifactsService,
    private readonly service: PublicService,
  ) {}

  /** The entries file, with its digest, entry count and ticket total in headers. */
  async sendEntries(drawId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const info = await this.entries(drawId);
    await sendArtifact(this.store, info, request, reply, {
      'X-Entries-Digest': info.sha256,
      'X-Entry-Count': info.meta.entryCount ?? '',
      'X-Total-Tickets': info.meta.totalTickets ?? '',
      'Content-Disposition': `attachment; filename="${drawId}-entries.csv"`,
    });
  }

  /** The audit bundle, byte for byte as stored at the draw. */
  async sendAudit(drawId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const info = await this.audit(drawId);
    await sendArtifact(this.store, info, request, reply, { 'Content-Disposition': `inline; filename="${drawId}-audit.json"` });
  }

  async entries(drawId: string): Promise<ArtifactInfo> {
    if (!DRAW_ID.test(drawId)) throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    const stored = await this.artifacts.storedEntries(drawId);
    if (stored) return stored;
    return this.artifacts.storeEntries(drawId, await this.service.entriesInfo(drawId), () => this.service.entriesFile(drawId));
  }

  async audit(drawId: string): Promise<ArtifactInfo> {
    if (!DRAW_ID.test(drawId)) throw DomainError.notFound('DRAW_NOT_FOUND', `No draw ${drawId}`);
    const stored = await this.artifacts.storedAudit(drawId);
    if (stored) return stored;
    return this.artifacts.storeAudit(drawId, (await this.service.audit(drawId)).body);
  }
}
