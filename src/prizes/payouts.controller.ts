import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthSubject } from '../auth/auth-subject.js';
import { CurrentStaff, StaffOnly } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { PayoutsService } from './payouts.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

/** Draw ids: `<campaign>-<period>[-<pool>]`; custom period keys may hold capitals. */
const DRAW_ID = /^[A-Za-z0-9-]{1,64}$/;

@ApiTags('prizes')
@Controller('api/v1/admin/draws')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Get(':id/payouts.csv')
  @StaffOnly('operator')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary:
      'Operator: the claimed prizes of a draw for finance (UTF-8 CSV with BOM; full bank account, each prefixed with a tab so Excel keeps the digits). ' +
      'Every download is audit-logged. 404 DRAW_NOT_FOUND, 409 DRAW_NOT_PUBLISHED',
  })
  @ApiErrors('DRAW_NOT_FOUND')
  async csv(
    @Param('id') id: string,
    @CurrentStaff() staff: Extract<AuthSubject, { kind: 'staff' }>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    if (!DRAW_ID.test(id)) throw DomainError.notFound('DRAW_NOT_FOUND', 'No such draw');
    const { csv } = await this.payouts.payoutsCsv(id, staff);
    void reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="payouts-${id}.csv"`)
      .header('Cache-Control', 'no-store');
    return csv;
  }
}
