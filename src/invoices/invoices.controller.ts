import { Body, Controller, Get, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { ConsumerOnly, CurrentConsumerId } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
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
  @ApiBody({ type: RegisterInvoiceDto })
  register(@CurrentConsumerId() consumerId: number, @Body() body: unknown): Promise<RegistrationResultDto> {
    // Each refusal is counted by its reason code for the staff dashboard (in Redis, not awaited).
    return this.invoices.register(consumerId, body).catch((error: unknown) => {
      if (error instanceof DomainError) this.stats.countRefusal(error.code);
      throw error;
    });
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
