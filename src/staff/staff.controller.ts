import { Body, Controller, Get, Header, HttpCode, Ip, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthSubject } from '../auth/auth-subject.js';
import { CurrentStaff, StaffOnly } from '../auth/guards.js';
import { DomainError } from '../core/errors/domain-error.js';
import { AccessTokenDto, CreateStaffDto, ResetStaffPasswordDto, StaffAccountDto, StaffAuditEntryDto, StaffLoginDto, UpdateStaffDto } from './dto/staff.dto.js';
import type { StaffAccount } from './staff-account.entity.js';
import { StaffService } from './staff.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

type Staff = Extract<AuthSubject, { kind: 'staff' }>;

const toDto = (a: StaffAccount): StaffAccountDto => ({
  id: a.id,
  username: a.username,
  roles: a.roles,
  active: a.active,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});
const idPipe = new ParseIntPipe({ exceptionFactory: () => DomainError.badRequest('VALIDATION_FAILED', 'id must be an integer') });

@ApiTags('admin')
@Controller('api/v1/admin')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post('auth/login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Staff sign-in. 401 INVALID_CREDENTIALS; 403 STAFF_ACCOUNT_DISABLED; too many failures per (username, address), username or address: 429 RATE_LIMITED with Retry-After',
  })
  @ApiErrors('INVALID_CREDENTIALS', 'STAFF_ACCOUNT_DISABLED', 'RATE_LIMITED')
  async login(@Body() body: StaffLoginDto, @Ip() ip: string): Promise<AccessTokenDto> {
    return { accessToken: await this.staff.login(body.username, body.password, ip) };
  }

  @Post('staff')
  @StaffOnly('admin')
  @ApiOperation({ summary: 'Create a staff account (audit-logged). 409 STAFF_USERNAME_TAKEN' })
  @ApiErrors('STAFF_USERNAME_TAKEN')
  async create(@CurrentStaff() actor: Staff, @Body() body: CreateStaffDto): Promise<StaffAccountDto> {
    return toDto(await this.staff.create(actor, body.username, body.password, body.roles));
  }

  @Get('staff')
  @StaffOnly('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Staff accounts with roles and status' })
  async list(): Promise<StaffAccountDto[]> {
    return (await this.staff.list()).map(toDto);
  }

  @Get('staff-audit-log')
  @StaffOnly('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The last 200 staff account changes and refusals, newest first, with the acting admin' })
  async auditLog(): Promise<StaffAuditEntryDto[]> {
    return this.staff.auditLog();
  }

  @Patch('staff/:id')
  @StaffOnly('admin')
  @ApiOperation({
    summary:
      'Change roles and/or deactivate/reactivate (audit-logged; deactivation revokes tokens). 404 STAFF_NOT_FOUND, 409 STAFF_SELF_DEACTIVATION / STAFF_SELF_DEMOTION',
  })
  @ApiErrors('STAFF_NOT_FOUND', 'STAFF_SELF_DEACTIVATION', 'STAFF_SELF_DEMOTION')
  async update(@CurrentStaff() actor: Staff, @Param('id', idPipe) id: number, @Body() body: UpdateStaffDto): Promise<StaffAccountDto> {
    return toDto(await this.staff.update(actor, id, { roles: body.roles, active: body.active }));
  }

  @Post('staff/:id/password')
  @StaffOnly('admin')
  @HttpCode(204)
  @ApiOperation({ summary: "Set a new password (12+ characters; audit-logged); the account's existing tokens are revoked. 404 STAFF_NOT_FOUND" })
  @ApiErrors('STAFF_NOT_FOUND')
  async resetPassword(@CurrentStaff() actor: Staff, @Param('id', idPipe) id: number, @Body() body: ResetStaffPasswordDto): Promise<void> {
    await this.staff.resetPassword(actor, id, body.password);
  }

  @Post('staff/:id/unlock')
  @StaffOnly('admin')
  @HttpCode(204)
  @ApiOperation({ summary: "Lift the sign-in lockouts of the account's username (audit-logged). 404 STAFF_NOT_FOUND" })
  @ApiErrors('STAFF_NOT_FOUND')
  async unlock(@CurrentStaff() actor: Staff, @Param('id', idPipe) id: number): Promise<void> {
    await this.staff.unlock(actor, id);
  }
}
