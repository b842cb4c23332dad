import { Module } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

/** The staff dashboard: reads the invoices module's counts and the registry's import log; owns no table. */
@Module({
  imports: [InvoicesModule, RegistryModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}
