import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StaffOnly } from '../auth/guards.js';
import { DashboardDto, DashboardQueryDto } from './dashboard.dto.js';
import { DashboardService } from './dashboard.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

@ApiTags('admin')
@Controller('api/v1/admin/dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @StaffOnly('operator', 'auditor', 'admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      "Campaign dashboard: a period's registrations per day and city by status, the pending backlog and its oldest item, the feed's last import, " +
      'the top refusal reasons of the last 24 hours, the period and the time left until its freeze (service clock). 404 CAMPAIGN_NOT_FOUND, PERIOD_NOT_FOUND',
  })
  @ApiOkResponse({ type: DashboardDto })
  @ApiErrors('CAMPAIGN_NOT_FOUND', 'PERIOD_NOT_FOUND')
  get(@Query() query: DashboardQueryDto): Promise<DashboardDto> {
    return this.dashboard.dashboard(query.campaignId, query.period);
  }
}
