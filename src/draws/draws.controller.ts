import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';
import { CurrentStaff, StaffOnly } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { DrawRequestsService, type StaffSubject } from './draw-requests.service.js';
import {
  CreateDrawRequestDto,
  DrawAuditEntryDto,
  DrawDetailDto,
  DrawRequestDto,
  DrawSummaryDto,
  ListDrawsQueryDto,
  RejectDrawRequestDto,
} from './dto/draw-admin.dto.js';

/** Draw ids are `<campaignId>-<YYYY-MM>`; anything else cannot name a draw. */
class DrawIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw DomainError.notFound('DRAW_NOT_FOUND', 'No such draw');
    return value;
  }
}
const requestIdPipe = new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'rid must be an integer') });

@ApiTags('admin: draws')
@Controller('api/v1/admin/draws')
export class DrawsController {
  constructor(private readonly draws: DrawRequestsService) {}

  @Get()
  @StaffOnly('operator', 'auditor')
  @ApiOperation({ summary: 'All draws, by campaign and period' })
  list(@Query() query: ListDrawsQueryDto): Promise<DrawSummaryDto[]> {
    return this.draws.list(query);
  }

  @Get(':id')
  @StaffOnly('operator', 'auditor')
  @ApiOperation({ summary: 'One draw: status, progress of the running step, timings, commitment, failure, jobs, requests' })
  @ApiErrors('DRAW_NOT_FOUND')
  detail(@Param('id', DrawIdPipe) id: string): Promise<DrawDetailDto> {
    return this.draws.detail(id);
  }

  @Get(':id/audit-log')
  @StaffOnly('operator', 'auditor')
  @ApiOperation({ summary: "The draw's append-only audit log, oldest first" })
  @ApiErrors('DRAW_NOT_FOUND')
  auditLog(@Param('id', DrawIdPipe) id: string): Promise<DrawAuditEntryDto[]> {
    return this.draws.auditLog(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @StaffOnly('operator')
  @ApiOperation({ summary: 'Retry a failed draw: back to the status before the failed step, which is queued again when due' })
  @ApiResponse({ status: 409, description: 'DRAW_NOT_FAILED' })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_FAILED', 'DRAW_IN_PROGRESS')
  retry(@Param('id', DrawIdPipe) id: string, @CurrentStaff() staff: StaffSubject): Promise<DrawDetailDto> {
    return this.draws.retry(id, staff);
  }

  @Get(':id/draw-requests')
  @StaffOnly('operator', 'auditor')
  @ApiOperation({ summary: 'The two-person draw requests of a draw' })
  @ApiErrors('DRAW_NOT_FOUND')
  listRequests(@Param('id', DrawIdPipe) id: string): Promise<DrawRequestDto[]> {
    return this.draws.listRequests(id);
  }

  @Post(':id/draw-requests')
  @StaffOnly('operator')
  @ApiBody({ type: CreateDrawRequestDto, required: false })
  @ApiOperation({ summary: 'Request the draw of a frozen period now (needs the approval of an auditor other than you)' })
  @ApiResponse({ status: 409, description: 'DRAW_NOT_FROZEN, DRAW_ALREADY_APPROVED' })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_NOT_FROZEN', 'DRAW_ALREADY_APPROVED', 'DRAW_IN_PROGRESS')
  request(@Param('id', DrawIdPipe) id: string, @Body() body: CreateDrawRequestDto, @CurrentStaff() staff: StaffSubject): Promise<DrawRequestDto> {
    return this.draws.request(id, body?.beacon, staff);
  }

  @Post(':id/draw-requests/:rid/approve')
  @HttpCode(200)
  @StaffOnly('auditor')
  @ApiOperation({ summary: 'Approve a pending draw request: stores its beacon on the draw and queues the draw' })
  @ApiResponse({ status: 403, description: 'SELF_APPROVAL_FORBIDDEN, ROLE_REQUIRED' })
  @ApiResponse({ status: 409, description: 'DRAW_REQUEST_ALREADY_DECIDED, DRAW_NOT_FROZEN, DRAW_IN_PROGRESS, DRAW_ALREADY_APPROVED' })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_REQUEST_NOT_FOUND', 'SELF_APPROVAL_FORBIDDEN', 'DRAW_REQUEST_ALREADY_DECIDED', 'DRAW_ALREADY_APPROVED', 'DRAW_NOT_FROZEN')
  approve(
    @Param('id', DrawIdPipe) id: string,
    @Param('rid', requestIdPipe) rid: number,
    @CurrentStaff() staff: StaffSubject,
  ): Promise<DrawRequestDto> {
    return this.draws.approve(id, rid, staff);
  }

  @Post(':id/draw-requests/:rid/reject')
  @HttpCode(200)
  @StaffOnly('auditor', 'operator')
  @ApiOperation({ summary: 'Reject a pending draw request (an auditor), or withdraw your own (the requester), saying why' })
  @ApiBody({ type: RejectDrawRequestDto })
  @ApiErrors('DRAW_NOT_FOUND', 'DRAW_REQUEST_NOT_FOUND', 'DRAW_REQUEST_ALREADY_DECIDED')
  reject(
    @Param('id', DrawIdPipe) id: string,
    @Param('rid', requestIdPipe) rid: number,
    @Body() body: RejectDrawRequestDto,
    @CurrentStaff() staff: StaffSubject,
  ): Promise<DrawRequestDto> {
    return this.draws.reject(id, rid, body.reason, staff);
  }
}
