import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthSubject } from '../auth/auth-subject.js';
import { CurrentStaff, StaffOnly } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { ImportSummaryDto } from './dto/registry.dto.js';
import { ImportProgressStore } from './import-progress.js';
import { NDJSON_CONTENT_TYPE, NDJSON_ROUTE, ndjsonBodyStream } from './ndjson-body.js';
import { MAX_BODY_BYTES } from './registry-importer.js';
import { RegistryService } from './registry.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

type Staff = Extract<AuthSubject, { kind: 'staff' }>;
const PROGRESS_ID = /^[A-Za-z0-9-]{8,64}$/;

export class ImportProgressDto {
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) state: string;
  @ApiProperty() bytes: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) totalBytes: number | null;
  @ApiProperty() lines: number;
  @ApiProperty() accepted: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() rejectedCount: number;
  @ApiPropertyOptional({ nullable: true }) error: { code: string; message: string } | null;
}

export class ImportLogEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['feed', 'console', 'cli'] }) source: string;
  @ApiPropertyOptional({ type: String, nullable: true }) actor: string | null;
  @ApiProperty() startedAt: string;
  @ApiProperty() finishedAt: string;
  @ApiProperty() complete: boolean;
  @ApiProperty() lines: number;
  @ApiProperty() accepted: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() rejected: number;
}

/**
 * The tax bureau's feed uploaded by staff (the console's "import" page), through the same importer as the
 * feed's own route; plus the import log. Operators import; auditors may read the log.
 */
@ApiTags('admin: registry')
@Controller('api/v1/admin/registry/imports')
export class RegistryAdminController {
  constructor(
    private readonly registry: RegistryService,
    private readonly progress: ImportProgressStore,
  ) {}

  @Post()
  @HttpCode(200)
  @StaffOnly('operator')
  @RouteConfig(NDJSON_ROUTE)
  @ApiOperation({
    summary:
      'Operator: import an NDJSON feed file (streamed, up to 2 GiB; same records and rejection codes as POST /api/v1/registry/invoices). ' +
      'With ?progressId=<8-64 letters, digits, dashes> the progress can be read meanwhile at GET …/imports/{progressId}/progress',
  })
  @ApiConsumes(NDJSON_CONTENT_TYPE)
  @ApiQuery({ name: 'progressId', required: false })
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ImportSummaryDto })
  @ApiErrors('UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE')
  async import(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentStaff() staff: Staff,
    @Query('progressId') progressId?: string,
  ): Promise<ImportSummaryDto> {
    const body = ndjsonBodyStream(request);
    if (!body) throw new DomainError(415, 'UNSUPPORTED_MEDIA_TYPE', `The body must be ${NDJSON_CONTENT_TYPE}`);
    if (progressId !== undefined && !PROGRESS_ID.test(progressId)) throw DomainError.badRequest('VALIDATION_FAILED', 'progressId must be 8-64 letters, digits or dashes');
    const length = Number(request.headers['content-length']);
    if (length > MAX_BODY_BYTES) {
      void reply.header('connection', 'close');
      throw new DomainError(413, 'PAYLOAD_TOO_LARGE', `An import may have at most ${MAX_BODY_BYTES} bytes`);
    }
    const reporter = progressId ? this.progress.reporter(progressId, staff.id, Number.isFinite(length) ? length : null) : null;
    try {
      const summary = await this.registry.importNdjson(body, {
        source: 'console',
        actor: `staff:${staff.id}:${staff.username}`,
        onProgress: reporter ? (bytes, counts) => reporter.update(bytes, counts) : undefined,
      });
      await reporter?.finish(summary, null);
      return summary;
    } catch (error) {
      const e = error instanceof DomainError ? error : DomainError.unavailable();
      await reporter?.finish(null, { code: e.code, message: e.message });
      void reply.header('connection', 'close');
      throw error;
    }
  }

  @Get(':progressId/progress')
  @StaffOnly('operator')
  @ApiOperation({ summary: "Operator: progress of one's own upload (bytes and lines read, counts so far); 404 IMPORT_NOT_FOUND" })
  @ApiOkResponse({ type: ImportProgressDto })
  @ApiErrors('IMPORT_NOT_FOUND')
  async progressOf(@Param('progressId') progressId: string, @CurrentStaff() staff: Staff): Promise<ImportProgressDto> {
    const found = PROGRESS_ID.test(progressId) ? await this.progress.get(progressId) : null;
    if (!found || found.actorId !== staff.id) throw DomainError.notFound('IMPORT_NOT_FOUND', 'No such upload of yours');
    const { actorId: _actor, ...view } = found;
    return view;
  }

  @Get()
  @StaffOnly('operator', 'auditor')
  @ApiOperation({ summary: 'The latest 50 imports (feed, console, CLI), newest first: when, by whom, lines accepted/updated/unchanged/rejected' })
  @ApiOkResponse({ type: [ImportLogEntryDto] })
  list(): Promise<ImportLogEntryDto[]> {
    return this.registry.recentImports(50);
  }
}
