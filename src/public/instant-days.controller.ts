import { Controller, Get, Inject, Param, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { ARTIFACT_STORE, type ArtifactInfo, type ArtifactStore } from '../core/artifacts/artifact-store.js';
import { sendArtifact } from '../core/artifacts/serve-artifact.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import { databaseNameOf, type AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import { instantArtifactKeys, INSTANT_COMMITMENT_TYPE } from '../instant/instant-artifacts.js';
import { InstantReadRepository, type PublicInstantDay } from '../instant/instant-read.repository.js';
import { InstantDayDto, InstantDayListDto } from './dto/instant-days.dto.js';
import { PublicRateLimitGuard } from './public-rate-limit.guard.js';

const DAY_ID = /^[a-z0-9-]{1,64}$/;
const BASE = '/api/v1/public/instant-days';

function withLinks(d: PublicInstantDay): InstantDayDto {
  const published = d.status === 'published';
  return {
    ...d,
    commitmentUrl: `${BASE}/${d.dayId}/commitment`,
    logUrl: published ? `${BASE}/${d.dayId}/log` : null,
    bundleUrl: published ? `${BASE}/${d.dayId}/bundle` : null,
  };
}

/**
 * The instant-draw days of the public API (ILI-1, docs/draw-algorithm.md part 2): each day's commitment
 * from before it opens (the secret's hash, the bands, odds, budgets and returned prizes), and from its
 * publication on the ordered log and the day bundle with the revealed secret — the inputs of
 * `npm run verify -- --instant-day <bundle URL> --log <log URL> --commitment <commitment URL>`.
 * The files are immutable artifacts written by the worker; nothing here can reveal a secret early, since
 * the API has no key and the database holds a secret only from publication on.
 */
@ApiTags('public')
@Controller('api/v1/public')
@UseGuards(PublicRateLimitGuard)
export class InstantDaysController {
  private readonly namespace: string;

  constructor(
    private readonly read: InstantReadRepository,
    private readonly catalog: CampaignCatalog,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.namespace = databaseNameOf(config.DATABASE_URL);
  }

  @Get('campaigns/:id/instant-days')
  @ApiOperation({ summary: "A campaign's instant-draw days, newest first: status, secret hash (committed before the day opens), entry count, links" })
  @ApiOkResponse({ type: InstantDayListDto })
  @ApiErrors('CAMPAIGN_NOT_FOUND')
  async days(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstantDayListDto> {
    if (!this.catalog.get(id)) throw DomainError.notFound('CAMPAIGN_NOT_FOUND', `No campaign ${id}`);
    void reply.header('Cache-Control', 'public, max-age=5');
    return { items: (await this.read.daysOfCampaign(id)).map(withLinks) };
  }

  @Get('instant-days/:dayId')
  @ApiOperation({ summary: 'One instant-draw day: status, secret hash, entry count, log digest after publication, links' })
  @ApiOkResponse({ type: InstantDayDto })
  @ApiErrors('INSTANT_DAY_NOT_FOUND')
  async day(@Param('dayId') dayId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<InstantDayDto> {
    void reply.header('Cache-Control', 'public, max-age=5');
    return withLinks(await this.found(dayId));
  }

  @Get('instant-days/:dayId/commitment')
  @ApiOperation({ summary: "The day's ILI-1 commitment (published before it opens), an immutable JSON file" })
  @ApiErrors('INSTANT_DAY_NOT_FOUND', 'RANGE_NOT_SATISFIABLE')
  async commitment(@Param('dayId') dayId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.found(dayId);
    const key = instantArtifactKeys(this.namespace, dayId).commitment;
    let info: ArtifactInfo | null = await this.store.stat(key);
    if (!info) {
      // The worker's write failed after the commit: the row holds the same commitment (no secret in it).
      const commitment = await this.read.commitment(dayId);
      if (!commitment) throw DomainError.notFound('INSTANT_DAY_NOT_FOUND', `No instant-draw day ${dayId}`);
      info = await this.store.putOnce(key, [JSON.stringify(commitment, null, 2) + '\n'], { contentType: INSTANT_COMMITMENT_TYPE });
    }
    await sendArtifact(this.store, info, request, reply, { 'Content-Disposition': `inline; filename="${dayId}-commitment.json"` });
  }

  @Get('instant-days/:dayId/log')
  @ApiOperation({ summary: "The day's ordered ILI-1 log (position,ref,band,outcome), an immutable file; 409 INSTANT_DAY_NOT_PUBLISHED before publication" })
  @ApiProduces('text/csv')
  @ApiErrors('INSTANT_DAY_NOT_FOUND', 'INSTANT_DAY_NOT_PUBLISHED', 'RANGE_NOT_SATISFIABLE')
  async log(@Param('dayId') dayId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const info = await this.published(dayId, 'log');
    await sendArtifact(this.store, info, request, reply, { 'Content-Disposition': `attachment; filename="${dayId}-log.csv"`, 'X-Log-Digest': info.sha256 });
  }

  @Get('instant-days/:dayId/bundle')
  @ApiOperation({ summary: "The day bundle (reveals the secret, the tally), an immutable JSON file; 409 INSTANT_DAY_NOT_PUBLISHED before publication" })
  @ApiErrors('INSTANT_DAY_NOT_FOUND', 'INSTANT_DAY_NOT_PUBLISHED', 'RANGE_NOT_SATISFIABLE')
  async bundle(@Param('dayId') dayId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const info = await this.published(dayId, 'bundle');
    await sendArtifact(this.store, info, request, reply, { 'Content-Disposition': `inline; filename="${dayId}-day.json"` });
  }

  private async found(dayId: string): Promise<PublicInstantDay> {
    const day = DAY_ID.test(dayId) ? await this.read.day(dayId) : null;
    if (!day) throw DomainError.notFound('INSTANT_DAY_NOT_FOUND', `No instant-draw day ${dayId}`);
    return day;
  }

  private async published(dayId: string, file: 'log' | 'bundle'): Promise<ArtifactInfo> {
    const day = await this.found(dayId);
    if (day.status !== 'published') throw DomainError.conflict('INSTANT_DAY_NOT_PUBLISHED', `Instant-draw day ${dayId} is ${day.status}; its ${file} is published after it closes`);
    const info = await this.store.stat(instantArtifactKeys(this.namespace, dayId)[file]);
    // Published means the worker wrote both files before marking it; a store that lost them is an outage.
    if (!info) throw new Error(`the ${file} of published instant day ${dayId} is missing from the artifact store`);
    return info;
  }
}
