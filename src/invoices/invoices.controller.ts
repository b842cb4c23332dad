import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { Idempotent } from '../core/idempotency/idempotency.interceptor.js';
import { countRegistration } from './registration-metrics.js';
import { InvoicePageDto, InvoiceViewDto, ListInvoicesQueryDto, RegisterInvoiceDto, RegistrationResultDto } from './dto/invoice.dto.js';
import { InvoicesService } from './invoices.service.js';
import { RegistrationStats } from './registration-stats.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

@ApiTags('invoices')
@Controller('api/v1/invoices')
@ConsumerOnly()
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly stats: RegistrationStats,
  ) {}

  @Post()
  @Idempotent()
  @ApiBody({ type: RegisterInvoiceDto })
  @ApiOperation({
    summary:
      'Register an invoice by its QR payload or typed fields: 201 verified (in the draw) or pending (no tax record yet); 200 with the earlier ' +
      'registration when this consumer already holds it (a retry); honours Idempotency-Key',
  })
  @ApiResponse({ status: 201, type: RegistrationResultDto })
  @ApiResponse({ status: 200, type: RegistrationResultDto, description: 'this consumer already holds the invoice (a retry)' })
  @ApiErrors('QR_MALFORMED', 'INELIGIBLE_TYPE', 'CHECK_CODE_REQUIRED', 'OUTSIDE_REGION', 'ISSUE_DATE_IN_FUTURE', 'OUTSIDE_CAMPAIGN', 'REGISTRATION_TOO_LATE', 'AMOUNT_TOO_SMALL', 'IDENTITY_REQUIRED', 'PERIOD_CLOSED', 'DAILY_LIMIT_REACHED', 'MONTHLY_LIMIT_REACHED', 'CAMPAIGN_LIMIT_REACHED', 'INVOICE_MISMATCH', 'INVOICE_EXCLUDED', 'INVOICE_ALREADY_REGISTERED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_INVALID', 'IDEMPOTENCY_KEY_IN_USE', 'FILE_TOO_LARGE', 'FILE_UNPACKED_TOO_LARGE', 'FILE_TOO_MANY_PAGES', 'FILE_TYPE_UNSUPPORTED', 'FILE_UNREADABLE', 'FILE_NOT_AN_INVOICE', 'FILE_QR_TEXT_MISMATCH', 'FILE_READ_TIMEOUT', 'RATE_LIMITED')
  register(
    @CurrentConsumerId() consumerId: number,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegistrationResultDto> {
    // Each refusal is counted by its reason code for the staff dashboard (in Redis, not awaited), and every
    // attempt by outcome for Prometheus.
    return countRegistration(
      this.invoices.register(consumerId, body).then(
        (outcome) => {
          if (!outcome.created) void reply.status(200);
          return outcome.registration;
        },
        (error: unknown) => {
          if (error instanceof DomainError) this.stats.countRefusal(error.code);
          throw error;
        },
      ),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Own registrations, newest first: status, reason, tickets, period' })
  @ApiResponse({ status: 200, type: InvoicePageDto })
  list(@CurrentConsumerId() consumerId: number, @Query() query: ListInvoicesQueryDto): Promise<InvoicePageDto> {
    return this.invoices.listForConsumer(consumerId, query.page ?? 1, query.pageSize ?? 20);
  }

  @Get(':id')
  @ApiOperation({ summary: "One own registration (someone else's is 404 INVOICE_NOT_FOUND)" })
  @ApiResponse({ status: 200, type: InvoiceViewDto })
  @ApiErrors('INVOICE_NOT_FOUND')
  get(@CurrentConsumerId() consumerId: number, @Param('id', new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'id must be an integer') })) id: number): Promise<InvoiceViewDto> {
    return this.invoices.getForConsumer(consumerId, id);
  }
}
