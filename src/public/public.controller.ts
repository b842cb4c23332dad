import { Controller, Get, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import {
  BandsDto,
  CampaignDrawsDto,
  CampaignListDto,
  CheckQueryDto,
  CheckResultDto,
  DrawDetailDto,
  WinnersPageDto,
  WinnersQueryDto,
} from './dto/public.dto.js';
import type { CachedBody } from './public-cache.js';
import { PublicArtifacts } from './public-artifacts.js';
import { PublicRateLimitGuard } from './public-rate-limit.guard.js';
import { PublicService } from './public.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends an already-serialized cached body with X-Cache and a short shared-cache lifetime. */
function send(reply: FastifyReply, cached: CachedBody, type = JSON_TYPE, maxAge = 5): string | Buffer {
  void reply.header('Content-Type', type).header('X-Cache', cached.hit ? 'HIT' : 'MISS').header('Cache-Control', `public, max-age=${maxAge}`);
  return cached.bytes ?? cached.body;
}

/**
 * The public API: no login, every response cached (X-Cache: HIT|MISS) and rate-limited per client
 * address. Nothing here reveals a phone number, an identity number or bank data.
 */
@ApiTags('public')
@Controller('api/v1/public')
@UseGuards(PublicRateLimitGuard)
export class PublicController {
  constructor(
    private readonly service: PublicService,
    private readonly artifacts: PublicArtifacts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('campaigns')
  @ApiOkResponse({ type: CampaignListDto })
  @ApiOperation({ summary: 'The campaigns: name, dates, rules and prize tiers' })
  campaigns(@Res({ passthrough: true }) reply: FastifyReply): string | Buffer {
    return send(reply, this.service.campaigns(), JSON_TYPE, 60);
  }

  @Get('campaigns/:id/draws')
  @ApiOkResponse({ type: CampaignDrawsDto })
  @ApiOperation({ summary: "A campaign's draws: period, status, times, entry count, total tickets, tiers" })
  @ApiErrors('CAMPAIGN_NOT_FOUND')
  async campaignDraws(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    return send(reply, await this.service.campaignDraws(id));
  }

  @Get('draws/:id')
  @ApiOperation({ summary: 'A draw: status and times, the commitment from the freeze on, per-tier counts after the draw, seed material from publication on' })
  @ApiOkResponse({ type: DrawDetailDto })
  @ApiErrors('DRAW_NOT_FOUND')
  async draw(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    return send(reply, await this.service.draw(id));
  }

  @Get('draws/:id/winners')
  @ApiOperation({
    summary:
      'The published winner list (masked), by draw order, optionally of one tier and searched with q (last 4 digits, ref prefix, surname or city; ' +
      '400 SEARCH_QUERY_INVALID otherwise); 409 DRAW_NOT_PUBLISHED before publication',
  })
  @ApiOkResponse({ type: WinnersPageDto })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_PUBLISHED', 'SEARCH_QUERY_INVALID')
  async winners(@Param('id') id: string, @Query() query: WinnersQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    return send(reply, await this.service.winners(id, query.tier, query.page ?? 1, query.pageSize ?? 20, query.q));
  }

  @Get('draws/:id/bands')
  @ApiOperation({ summary: 'Per amount band: share of tickets (from the freeze on) and of winners and prize money (from publication on)' })
  @ApiOkResponse({ type: BandsDto })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_FROZEN', 'RANGE_NOT_SATISFIABLE')
  async bands(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    return send(reply, await this.service.bands(id));
  }

  @Get('draws/:id/audit')
  @ApiOperation({
    summary:
      'The ILD-1 audit bundle (reveals the secret and lists the winners), an immutable file: strong ETag, Range, gzip/br; 409 DRAW_NOT_PUBLISHED before publication',
  })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_PUBLISHED', 'RANGE_NOT_SATISFIABLE')
  audit(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.artifacts.sendAudit(id, request, reply);
  }

  @Get('draws/:id/entries')
  @ApiOperation({
    summary:
      'The exact ILD-1 entries file, an immutable file (X-Entries-Digest is its SHA-256 and its ETag; Range, gzip/br; no database work). 409 DRAW_NOT_FROZEN before the freeze',
  })
  @ApiProduces('text/csv')
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_FROZEN')
  entries(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.artifacts.sendEntries(id, request, reply);
  }

  @Get('check')
  @ApiOperation({ summary: 'Did this invoice enter a draw, with how many tickets, and did it win? Says nothing about who registered it' })
  @ApiOkResponse({ type: CheckResultDto })
  async check(@Query() query: CheckQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    return send(reply, await this.service.check(query.invoiceCode ?? '', query.invoiceNumber));
  }

  @Get('feed.atom')
  @ApiOperation({ summary: 'Atom feed: one entry per published draw' })
  @ApiProduces('application/atom+xml')
  async feed(@Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    // Absolute links come from configuration, never from Host/X-Forwarded-Host: a shared cache in front
    // would otherwise keep a feed whose links an attacker chose.
    return send(reply, await this.service.feed(this.config.PUBLIC_BASE_URL), 'application/atom+xml; charset=utf-8', 60);
  }
}
