import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffAccount } from './staff-account.entity.js';
import { StaffSessionController } from './staff-session.controller.js';
import { StaffController } from './staff.controller.js';
import { StaffLoginLimiter } from './staff-login-limits.js';
import { StaffBootstrap, StaffService } from './staff.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([StaffAccount])],
  controllers: [StaffController, StaffSessionController],
  providers: [StaffService, StaffBootstrap, StaffLoginLimiter],
  exports: [StaffService],
})
export class StaffModule {}
