import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistryKeyOnly } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { ImportSummaryDto, VoidInvoicesDto, VoidResultDto } from './dto/registry.dto.js';
import { NDJSON_CONTENT_TYPE, NDJSON_ROUTE, ndjsonBodyStream } from './ndjson-body.js';
import { MAX_BODY_BYTES } from './registry-importer.js';
import { RegistryService } from './registry.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

/** The tax bureau's feed. Only the registry API key opens these routes; consumer and staff tokens do not. */
@ApiTags('registry')
@Controller('api/v1/registry/invoices')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post()
  @HttpCode(200)
  @RegistryKeyOnly()
  @RouteConfig(NDJSON_ROUTE)
  @ApiOperation({ summary: 'Upsert issued-invoice records: one JSON record per line, streamed; bad lines are reported, not fatal' })
  @ApiConsumes(NDJSON_CONTENT_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ImportSummaryDto })
  @ApiErrors('UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE')
  async import(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ImportSummaryDto> {
    const body = ndjsonBodyStream(request);
    if (!body) throw new DomainError(415, 'UNSUPPORTED_MEDIA_TYPE', `The body must be ${NDJSON_CONTENT_TYPE}`);
    if (Number(request.headers['content-length']) > MAX_BODY_BYTES) {
      void reply.header('connection', 'close');
      throw new DomainError(413, 'PAYLOAD_TOO_LARGE', `An import may have at most ${MAX_BODY_BYTES} bytes`);
    }
    try {
      return await this.registry.importNdjson(body);
    } catch (error) {
      // The rest of the body may still be on its way: answer, then close instead of reading it all.
      void reply.header('connection', 'close');
      throw error;
    }
  }

  @Post('void')
  @HttpCode(200)
  @RegistryKeyOnly()
  @ApiOperation({ summary: "Mark records voided or red-reversed and revoke verified registrations of them (idempotent)" })
  @ApiOkResponse({ type: VoidResultDto })
  async void(@Body() body: VoidInvoicesDto): Promise<VoidResultDto> {
    return this.registry.voidInvoices(body.invoices);
  }
}
