import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
  async login(@Body() body: StaffLoginDto): Promise<AccessTokenDto> {
    return { accessToken: await this.staff.login(body.username, body.password) };
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
