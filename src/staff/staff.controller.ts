import { Body, Controller, Get, Header, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { StaffOnly } from '../auth/guards.js';
import { AccessTokenDto, CreateStaffDto, StaffAccountDto, StaffLoginDto } from './dto/staff.dto.js';
import type { StaffAccount } from './staff-account.entity.js';
import { StaffService } from './staff.service.js';

const toDto = (a: StaffAccount): StaffAccountDto => ({ id: a.id, username: a.username, roles: a.roles, createdAt: a.createdAt.toISOString() });

@ApiTags('admin')
@Controller('api/v1/admin')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post('auth/login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Staff sign-in. 401 INVALID_CREDENTIALS; too many failures per username or client address: 429 RATE_LIMITED with Retry-After' })
  async login(@Body() body: StaffLoginDto, @Ip() ip: string): Promise<AccessTokenDto> {
    return { accessToken: await this.staff.login(body.username, body.password, ip) };
  }

  @Post('staff')
  @StaffOnly('admin')
  async create(@Body() body: CreateStaffDto): Promise<StaffAccountDto> {
    return toDto(await this.staff.create(body.username, body.password, body.roles));
  }

  @Get('staff')
  @StaffOnly('admin')
  async list(): Promise<StaffAccountDto[]> {
    return (await this.staff.list()).map(toDto);
  }
}
