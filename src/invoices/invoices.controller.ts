import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { Idempotent } from '../core/idempotency/idempotency.interceptor.js';
import { countRegistration } from './registration-metrics.js';
import { InvoicePageDto, InvoiceViewDto, ListInvoicesQueryDto, RegisterInvoiceDto, RegistrationResultDto } from './dto/invoice.dto.js';
import { InvoicesService } from './invoices.service.js';
import { RegistrationStats } from './registration-stats.js';

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
  @ApiOperation({ summary: 'Register an invoice: 201 created; 200 with the earlier registration when this consumer already holds it (a retry)' })
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
  list(@CurrentConsumerId() consumerId: number, @Query() query: ListInvoicesQueryDto): Promise<InvoicePageDto> {
    return this.invoices.listForConsumer(consumerId, query.page ?? 1, query.pageSize ?? 20);
  }

  @Get(':id')
  get(@CurrentConsumerId() consumerId: number, @Param('id', new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'id must be an integer') })) id: number): Promise<InvoiceViewDto> {
    return this.invoices.getForConsumer(consumerId, id);
  }
}
